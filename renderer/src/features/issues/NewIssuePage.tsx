// /<owner>/<repo>/issues/new: when the repository has issue templates (.gitea/ISSUE_TEMPLATE or
// .github/ISSUE_TEMPLATE), a chooser first — each template pre-fills the title, the body and its
// labels — with "Open a blank issue" beside it; then the form: title, markdown body with a
// preview, and a sidebar with labels, milestone and assignees for writers (the server leaves
// those out for anyone else, as Gitea does, so readers aren't shown them) and "confidential".
import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, EmptyState, FormError, Hint, Loading, Notice, Panel, PanelHeader, buttonClass, useTitle } from '../../components/ui';
import { MarkdownBox } from '../pulls/bits';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useIssueTemplates, useUsableLabels, useMilestones, useOpenIssue } from './api';
import { TriageSections } from './Sidebar';
import type { IssueTemplate, Label } from './types';
import s from './Issues.module.css';

export function NewIssuePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const me = useCurrentUser();
  const templates = useIssueTemplates(owner, name);
  // undefined: not chosen yet; null: a blank issue
  const [template, setTemplate] = useState<IssueTemplate | null | undefined>(undefined);
  useTitle(`New issue · ${repo.full_name}`);

  if (!me) {
    return (
      <Panel>
        <EmptyState title="Sign in to open an issue">
          <Link to="/user/login" search={{ redirect_to: window.location.pathname }}>
            Sign in
          </Link>
        </EmptyState>
      </Panel>
    );
  }
  if (templates.isPending) return <Loading />;
  const list = templates.data ?? [];
  if (template === undefined && list.length > 0) return <TemplateChooser templates={list} onChoose={setTemplate} />;
  return <IssueForm key={template?.file_name ?? 'blank'} template={template ?? null} />;
}

function TemplateChooser({ templates, onChoose }: { templates: IssueTemplate[]; onChoose: (t: IssueTemplate | null) => void }) {
  return (
    <div>
      <h2>New issue</h2>
      <Panel data-testid="template-chooser">
        <PanelHeader>
          <strong>Choose a template</strong>
        </PanelHeader>
        <ul className={s.templates}>
          {templates.map((t) => (
            <li key={t.file_name} className={s.template}>
              <div className={s.templateMain}>
                <strong>{t.name}</strong>
                {t.about && <div className="muted">{t.about}</div>}
              </div>
              <Button variant="primary" small onClick={() => onChoose(t)} data-testid="use-template" data-template={t.name}>
                Get started
              </Button>
            </li>
          ))}
        </ul>
      </Panel>
      <p className="muted">
        Don't see what you need?{' '}
        <button type="button" className="linkish" onClick={() => onChoose(null)} data-testid="blank-issue">
          Open a blank issue
        </button>
        .
      </p>
    </div>
  );
}

function IssueForm({ template }: { template: IssueTemplate | null }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const navigate = useNavigate();
  const readOnly = useReadOnly();
  const open = useOpenIssue(owner, name);
  const allLabels = useUsableLabels(owner, name);
  const milestones = useMilestones(owner, name, 'open');
  const writer = repo.permissions.push;
  const [title, setTitle] = useState(template?.title ?? '');
  const [body, setBody] = useState(template?.content ?? '');
  const [labelIds, setLabelIds] = useState<number[] | null>(null);
  const [milestoneId, setMilestoneId] = useState<number | null>(null);
  const [assignees, setAssignees] = useState<string[]>(() => template?.assignees ?? []);
  const [confidential, setConfidential] = useState(false);

  // the template names its labels; they become ids once the repository's labels are known
  const fromTemplate = (allLabels.data ?? []).filter((l) => template?.labels.some((n) => n.toLowerCase() === l.name.toLowerCase())).map((l) => l.id);
  const chosenIds = labelIds ?? fromTemplate;
  const chosen: Label[] = (allLabels.data ?? []).filter((l) => chosenIds.includes(l.id));
  const milestone = (milestones.data ?? []).find((m) => m.id === milestoneId) ?? null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate(
      {
        title: title.trim(),
        body,
        confidential,
        ...(writer ? { labels: chosenIds, assignees, ...(milestoneId ? { milestone: milestoneId } : {}) } : {}),
      },
      { onSuccess: (issue) => void navigate({ to: '/$owner/$repo/issues/$number', params: { owner, repo: name, number: String(issue.number) } }) },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label="Open an issue" data-testid="new-issue-form">
      <h2>New issue{template ? `: ${template.name}` : ''}</h2>
      <div className={s.newLayout}>
        <Panel pad>
          <label htmlFor="issue-title">Title</label>
          <input id="issue-title" type="text" required maxLength={255} value={title} onChange={(e) => setTitle(e.target.value)} autoFocus data-testid="issue-title-input" />
          <label htmlFor="issue-body">Description</label>
          <MarkdownBox
            id="issue-body"
            label="Description"
            value={body}
            onChange={setBody}
            context={`${owner}/${name}`}
            placeholder="What happened, and what did you expect?"
            rows={10}
            testId="issue-body-input"
          />
          <label className={s.check2}>
            <input type="checkbox" checked={confidential} onChange={(e) => setConfidential(e.target.checked)} data-testid="confidential-input" />
            <span>
              <strong>Confidential</strong>
              <span className={s.checkHint}>Only you, the assignees and people with write access will see it (a security report, say).</span>
            </span>
          </label>
          <FormError error={open.error} />
          {readOnly && <Notice kind="warn">The forge is in maintenance: nothing can be written right now.</Notice>}
          <div className={s.formActions}>
            <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} className={buttonClass('ghost')}>
              Cancel
            </Link>
            <Button type="submit" variant="primary" busy={open.isPending} disabled={!title.trim() || readOnly} data-testid="submit-issue">
              Submit new issue
            </Button>
          </div>
        </Panel>
        <aside className={s.sidebar} aria-label="Triage">
          {writer ? (
            <TriageSections
              labels={chosen}
              milestone={milestone}
              assignees={assignees.map((login) => ({ login }))}
              canEdit
              onLabels={setLabelIds}
              onMilestone={setMilestoneId}
              onAssignees={setAssignees}
            />
          ) : (
            <Hint>People with write access add labels, a milestone and assignees once the issue is open.</Hint>
          )}
        </aside>
      </div>
    </form>
  );
}
