// /<owner>/<repo>/milestones: open (or ?state=closed) milestones with their progress — a bar of
// closed issues over all of them, the counts linking to the filtered issue list — and their due
// dates (overdue ones said so). Writers create, edit, close, reopen and delete them.
import { Link, useSearch } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, ConfirmModal, EmptyState, ErrorState, FormError, Loading, Panel, RelativeTime, cx, useTitle } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useDeleteMilestone, useMilestones, useSaveMilestone } from './api';
import type { Milestone, MilestoneBody } from './types';
import s from './Issues.module.css';

export function MilestonesPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const me = useCurrentUser();
  const writer = !!me && repo.permissions.push;
  const { state: closedTab } = useSearch({ from: '/$owner/$repo/milestones' });
  const state = closedTab === 'closed' ? 'closed' : 'open';
  const q = useMilestones(owner, name, state);
  const open = useMilestones(owner, name, 'open');
  const closed = useMilestones(owner, name, 'closed');
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  useTitle(`Milestones · ${repo.full_name}`);

  return (
    <div>
      <div className={s.pageHead}>
        <h2 className={s.pageTitle}>Milestones</h2>
        <div className={s.pageHeadRight}>
          <Link to="/$owner/$repo/issues" params={{ owner, repo: name }}>
            Issues
          </Link>
          <Link to="/$owner/$repo/labels" params={{ owner, repo: name }}>
            Labels
          </Link>
          {writer && editing !== 'new' && (
            <Button variant="primary" small onClick={() => setEditing('new')} data-testid="new-milestone">
              New milestone
            </Button>
          )}
        </div>
      </div>
      <Panel>
        <div className={s.listHead}>
          <nav className={s.stateToggle} aria-label="Which milestones">
            <Link to="/$owner/$repo/milestones" params={{ owner, repo: name }} search={{}} className={s.stateLink} aria-current={state === 'open' ? 'page' : undefined}>
              {open.data?.length ?? '…'} Open
            </Link>
            <Link to="/$owner/$repo/milestones" params={{ owner, repo: name }} search={{ state: 'closed' }} className={s.stateLink} aria-current={state === 'closed' ? 'page' : undefined}>
              {closed.data?.length ?? '…'} Closed
            </Link>
          </nav>
        </div>
        {editing === 'new' && <MilestoneForm milestone={null} onDone={() => setEditing(null)} />}
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : q.data.length === 0 && editing !== 'new' ? (
          <EmptyState title={state === 'open' ? 'No open milestones' : 'No closed milestones'}>Milestones group issues toward a release or a date, and show how far along it is.</EmptyState>
        ) : (
          <ul className={s.rows} data-testid="milestone-list">
            {q.data.map((m) =>
              editing === m.id ? (
                <li key={m.id}>
                  <MilestoneForm milestone={m} onDone={() => setEditing(null)} />
                </li>
              ) : (
                <MilestoneRow key={m.id} m={m} writer={writer} onEdit={() => setEditing(m.id)} />
              ),
            )}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function MilestoneRow({ m, writer, onEdit }: { m: Milestone; writer: boolean; onEdit: () => void }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const save = useSaveMilestone(owner, name);
  const del = useDeleteMilestone(owner, name);
  const readOnly = useReadOnly();
  const [confirm, setConfirm] = useState(false);
  const total = m.open_issues + m.closed_issues;
  const pct = total ? Math.round((m.closed_issues / total) * 100) : 0;
  const overdue = m.state === 'open' && !!m.due_on && Date.parse(m.due_on) < Date.now() - 86_400_000;
  return (
    <li className={s.manageRow} data-testid="milestone-row" data-title={m.title}>
      <div className={s.milestoneMain}>
        <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ milestone: m.title, state: 'all' }} className={s.milestoneTitle}>
          {m.title}
        </Link>
        <div className={s.milestoneMeta}>
          {m.due_on ? (
            <span className={cx(overdue && s.overdue)}>
              {overdue ? 'Past due by' : 'Due by'} {new Date(m.due_on).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'medium' })}
            </span>
          ) : (
            <span>No due date</span>
          )}
          {m.state === 'closed' && m.closed_at && (
            <span>
              Closed <RelativeTime iso={m.closed_at} />
            </span>
          )}
        </div>
        {m.description && <p className="muted">{m.description}</p>}
      </div>
      <div className={s.milestoneSide}>
        <div className={s.progress} role="progressbar" aria-label={`${m.title}: ${pct}% complete`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <div className={s.progressBar} style={{ width: `${pct}%` }} />
        </div>
        <div className={s.milestoneMeta}>
          <strong>{pct}%</strong> complete
          <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ milestone: m.title }}>
            {m.open_issues} open
          </Link>
          <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ milestone: m.title, state: 'closed' }}>
            {m.closed_issues} closed
          </Link>
        </div>
        {writer && (
          <div className={cx(s.manageActions, s.milestoneActions)}>
            <Button small onClick={onEdit} disabled={readOnly}>
              Edit
            </Button>
            <Button small busy={save.isPending} disabled={readOnly} onClick={() => save.mutate({ id: m.id, body: { state: m.state === 'open' ? 'closed' : 'open' } })}>
              {m.state === 'open' ? 'Close' : 'Reopen'}
            </Button>
            <Button small variant="danger" disabled={readOnly} onClick={() => setConfirm(true)}>
              Delete
            </Button>
          </div>
        )}
        <FormError error={save.error} />
      </div>
      <ConfirmModal
        open={confirm}
        title={`Delete the milestone “${m.title}”?`}
        confirmLabel="Delete milestone"
        busy={del.isPending}
        error={del.error}
        onCancel={() => setConfirm(false)}
        onConfirm={() => del.mutate(m.id, { onSuccess: () => setConfirm(false) })}
      >
        <p>Its issues stay, without a milestone. This can't be undone.</p>
      </ConfirmModal>
    </li>
  );
}

function MilestoneForm({ milestone, onDone }: { milestone: Milestone | null; onDone: () => void }) {
  const repo = useRepoContext();
  const save = useSaveMilestone(repo.owner.login, repo.name);
  const readOnly = useReadOnly();
  const [body, setBody] = useState<MilestoneBody>({ title: milestone?.title ?? '', description: milestone?.description ?? '', due_on: milestone?.due_on ? milestone.due_on.slice(0, 10) : null });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ id: milestone?.id ?? null, body: { ...body, title: body.title.trim() } }, { onSuccess: onDone });
  };
  const id = milestone ? `ms-${milestone.id}` : 'ms-new';
  return (
    <form className={s.labelForm} onSubmit={onSubmit} aria-label={milestone ? `Edit milestone ${milestone.title}` : 'New milestone'} data-testid="milestone-form">
      <div className={s.formGrid}>
        <div>
          <label htmlFor={`${id}-title`}>Title</label>
          <input id={`${id}-title`} type="text" required maxLength={255} value={body.title} onChange={(e) => setBody({ ...body, title: e.target.value })} autoFocus data-testid="milestone-title" />
        </div>
        <div>
          <label htmlFor={`${id}-due`}>
            Due date <span className="faint">(optional)</span>
          </label>
          <input id={`${id}-due`} type="date" value={body.due_on ?? ''} onChange={(e) => setBody({ ...body, due_on: e.target.value || null })} data-testid="milestone-due" />
        </div>
      </div>
      <label htmlFor={`${id}-desc`}>
        Description <span className="faint">(optional)</span>
      </label>
      <textarea id={`${id}-desc`} rows={3} value={body.description} onChange={(e) => setBody({ ...body, description: e.target.value })} />
      <FormError error={save.error} />
      <div className={s.formActions}>
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!body.title.trim() || readOnly} data-testid="milestone-save">
          {milestone ? 'Save changes' : 'Create milestone'}
        </Button>
      </div>
    </form>
  );
}
