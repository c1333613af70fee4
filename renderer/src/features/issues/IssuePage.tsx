// /<owner>/<repo>/issues/<n>: one issue. The header (title, editable by its author and writers;
// state; who opened it, when, how many comments), then the conversation oldest first — the
// description and each comment with its reactions (yours toggle), and every change the server
// recorded (closes, by hand or by a commit; reopens; title, label, milestone and assignee
// changes; references from other issues and commits; pins, locks, confidentiality) — then the
// comment box with Close/Reopen. The sidebar: labels, milestone and assignees (writers edit),
// and pin, lock and confidential for writers. The page follows `issue.updated` live.
import { Link, Navigate, useParams } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Badge, Button, ConfirmModal, ErrorState, FormError, Loading, Notice, NotFoundPanel, Panel, RelativeTime, cx, useTitle } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { shortSha } from '../history/bits';
import { CommentIcon, MarkdownBox, UserName } from '../pulls/bits';
import p from '../pulls/Pulls.module.css';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import type { User } from '../users/types';
import { useAddComment, useDeleteComment, useEditComment, useEditIssue, useIssue, useIssueTimeline, useIssuesLive, useLockIssue, usePinIssue, useSetIssueLabels, useToggleReaction } from './api';
import { ConfidentialBadge, IssueIcon, IssueStateBadge, LabelChip, LockIcon, PinIcon, ReactionsBar } from './bits';
import { TriageSections } from './Sidebar';
import type { Issue, IssueTimeline, Label, ReactionContent, ReactionSummary, TimelineEntry } from './types';
import s from './Issues.module.css';

interface Ctx {
  issue: Issue;
  owner: string;
  name: string;
  me: User | null;
  /** may write to the repository: triage, pin, lock, close anyone's issue, edit any comment */
  writer: boolean;
  /** may edit the title and body and close or reopen: its author, or a writer */
  canEdit: boolean;
  /** a locked conversation takes comments and reactions from writers only */
  muted: boolean;
}

export function IssuePage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const { number } = useParams({ from: '/$owner/$repo/issues/$number' });
  const n = Number(number);
  const valid = Number.isSafeInteger(n) && n > 0;
  const q = useIssue(owner, name, valid ? n : 0);
  const timeline = useIssueTimeline(owner, name, valid ? n : 0);
  const live = useIssuesLive(owner, name, valid ? n : null);
  const me = useCurrentUser();
  useTitle(q.data ? `${q.data.title} · Issue #${n} · ${repo.full_name}` : undefined);

  if (!valid) return <NotFoundPanel />;
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const issue = q.data;
  // pull requests share the number sequence: GitHub and Gitea send /issues/<n> of one to its page
  if (issue.pull_request) return <Navigate to="/$owner/$repo/pulls/$number" params={{ owner, repo: name, number: String(n) }} replace />;
  const writer = !!me && repo.permissions.push;
  const ctx: Ctx = { issue, owner, name, me, writer, canEdit: !!me && (writer || issue.user?.id === me.id), muted: issue.is_locked && !writer };

  return (
    <div data-testid="issue-page" data-live={live}>
      <Header ctx={ctx} />
      <div className={s.conversation}>
        <div className={p.convMain}>
          <Description ctx={ctx} reactions={timeline.data?.reactions ?? []} />
          {timeline.isPending ? <Loading /> : timeline.isError ? <ErrorState error={timeline.error} retry={() => void timeline.refetch()} /> : <Timeline ctx={ctx} t={timeline.data} />}
          <CommentForm ctx={ctx} />
        </div>
        <Sidebar ctx={ctx} labels={timeline.data?.labels ?? []} />
      </div>
    </div>
  );
}

// ---- header -----------------------------------------------------------------------------------

function Header({ ctx }: { ctx: Ctx }) {
  const { issue, owner, name, canEdit, muted } = ctx;
  const edit = useEditIssue(owner, name, issue.number);
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(issue.title);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    edit.mutate({ title: title.trim() }, { onSuccess: () => setEditing(false) });
  };
  return (
    <div className={s.issueHead}>
      {editing ? (
        <form className={s.titleForm} onSubmit={onSubmit} aria-label="Edit title">
          <label htmlFor="edit-title" className="visually-hidden">
            Title
          </label>
          <input
            id="edit-title"
            type="text"
            value={title}
            maxLength={255}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
            data-testid="title-input"
          />
          <Button type="submit" variant="primary" small busy={edit.isPending} disabled={!title.trim()} data-testid="title-save">
            Save
          </Button>
          <Button small onClick={() => setEditing(false)}>
            Cancel
          </Button>
          <FormError error={edit.error} />
        </form>
      ) : (
        <div className={s.titleLine}>
          <h1 className={s.issueTitle} data-testid="issue-title-heading">
            {issue.title || '(no title)'} <span className={s.number}>#{issue.number}</span>
          </h1>
          <div className={s.titleActions}>
            {canEdit && !muted && (
              <Button
                small
                onClick={() => {
                  setTitle(issue.title);
                  edit.reset();
                  setEditing(true);
                }}
                data-testid="edit-title"
              >
                Edit
              </Button>
            )}
          </div>
        </div>
      )}
      <div className={s.issueSub}>
        <IssueStateBadge issue={issue} big />
        <span data-testid="issue-summary">
          <UserName user={issue.user} /> opened this issue <RelativeTime iso={issue.created_at} /> · {issue.comments} {issue.comments === 1 ? 'comment' : 'comments'}
        </span>
        {issue.confidential && <ConfidentialBadge />}
        {issue.is_locked && (
          <Badge>
            <LockIcon /> Locked
          </Badge>
        )}
        {issue.pin_order > 0 && (
          <Badge>
            <PinIcon /> Pinned
          </Badge>
        )}
      </div>
    </div>
  );
}

// ---- comments -----------------------------------------------------------------------------------

function Description({ ctx, reactions }: { ctx: Ctx; reactions: ReactionSummary[] }) {
  const { issue, owner, name, canEdit, muted } = ctx;
  const edit = useEditIssue(owner, name, issue.number);
  return (
    <CommentCard
      ctx={ctx}
      user={issue.user}
      at={issue.created_at}
      html={issue.body_html ?? ''}
      text={issue.body}
      empty="No description provided."
      testId="issue-description"
      reactions={reactions}
      commentId={null}
      onSave={canEdit && !muted ? (body, done) => edit.mutate({ body }, { onSuccess: done }) : undefined}
      saving={edit.isPending}
      saveError={edit.error}
    />
  );
}

function CommentCard({
  ctx,
  user,
  at,
  html,
  text,
  empty,
  testId,
  reactions,
  commentId,
  onSave,
  onDelete,
  saving,
  saveError,
  edited,
}: {
  ctx: Ctx;
  user: User | null;
  at: string;
  html: string;
  text: string;
  empty?: string;
  testId: string;
  reactions: ReactionSummary[];
  /** null: the issue's description */
  commentId: number | null;
  onSave?: (body: string, done: () => void) => void;
  onDelete?: () => void;
  saving?: boolean;
  saveError?: unknown;
  edited?: boolean;
}) {
  const { issue, owner, name, me, muted } = ctx;
  const react = useToggleReaction(owner, name, issue.number, me?.login ?? '');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text);
  const isAuthor = !!user && user.id === issue.user?.id;
  return (
    <Panel className={p.card} data-testid={testId} id={commentId ? `issuecomment-${commentId}` : undefined}>
      <div className={p.cardHead}>
        <UserName user={user} avatar={22} /> <span className="muted">commented</span> <RelativeTime iso={at} />
        {edited && <span className="faint">(edited)</span>}
        <span className={s.cardHeadRight}>
          {isAuthor && commentId !== null && (
            <span className={s.authorBadge}>
              <Badge>Author</Badge>
            </span>
          )}
          {onSave && !editing && (
            <Button
              small
              variant="ghost"
              onClick={() => {
                setDraft(text);
                setEditing(true);
              }}
              aria-label={commentId === null ? 'Edit the description' : 'Edit comment'}
            >
              Edit
            </Button>
          )}
          {onDelete && !editing && (
            <Button small variant="ghost" onClick={onDelete} aria-label="Delete comment">
              Delete
            </Button>
          )}
        </span>
      </div>
      {editing && onSave ? (
        <form
          className={s.editForm}
          onSubmit={(e) => {
            e.preventDefault();
            onSave(draft, () => setEditing(false));
          }}
        >
          <MarkdownBox id={`edit-${commentId ?? 'body'}`} label={commentId === null ? 'Description' : 'Comment'} value={draft} onChange={setDraft} context={`${owner}/${name}`} rows={6} autoFocus />
          <FormError error={saveError} />
          <div className={s.formActions}>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={saving} disabled={commentId !== null && !draft.trim()}>
              Save
            </Button>
          </div>
        </form>
      ) : (
        <div className={p.cardBody}>{html ? <RenderedHtml html={html} /> : <span className="faint">{empty}</span>}</div>
      )}
      <div className={s.cardFoot}>
        <ReactionsBar reactions={reactions} me={me?.login ?? null} disabled={muted} onToggle={(content: ReactionContent, on) => react.mutate({ commentId, content, on })} />
      </div>
    </Panel>
  );
}

function Comment({ ctx, e }: { ctx: Ctx; e: TimelineEntry }) {
  const { issue, owner, name, me, writer, muted } = ctx;
  const edit = useEditComment(owner, name, issue.number);
  const del = useDeleteComment(owner, name, issue.number);
  const [confirm, setConfirm] = useState(false);
  const mine = !!me && e.user?.id === me.id;
  const may = (mine || writer) && !muted;
  return (
    <>
      <CommentCard
        ctx={ctx}
        user={e.user}
        at={e.created_at}
        html={e.body_html}
        text={e.body}
        testId="timeline-comment"
        reactions={e.reactions}
        commentId={e.id}
        edited={e.updated_at !== e.created_at}
        onSave={may ? (body, done) => edit.mutate({ id: e.id, body }, { onSuccess: done }) : undefined}
        saving={edit.isPending}
        saveError={edit.error}
        onDelete={may ? () => setConfirm(true) : undefined}
      />
      <ConfirmModal
        open={confirm}
        title="Delete this comment?"
        confirmLabel="Delete"
        busy={del.isPending}
        error={del.error}
        onCancel={() => setConfirm(false)}
        onConfirm={() => del.mutate(e.id, { onSuccess: () => setConfirm(false) })}
      >
        <p>The comment goes for everyone. This can't be undone.</p>
      </ConfirmModal>
    </>
  );
}

// ---- timeline -----------------------------------------------------------------------------------

const TONE = { ok: p.toneOk, warn: p.toneWarn, danger: p.toneDanger, accent: p.toneAccent };

/** A timeline line: an icon, who did what and when (the pull request page's look). */
function Event({ icon, who, at, children, testId, tone }: { icon: ReactNode; who: User | null; at: string; children: ReactNode; testId: string; tone?: keyof typeof TONE }) {
  return (
    <div className={p.eventWrap} data-testid={testId}>
      <div className={p.event}>
        <span className={cx(p.eventIcon, tone && TONE[tone])} aria-hidden>
          {icon}
        </span>
        <div className={p.eventMain}>
          <UserName user={who} /> {children} <RelativeTime iso={at} />
        </div>
      </div>
    </div>
  );
}

const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

function Timeline({ ctx, t }: { ctx: Ctx; t: IssueTimeline }) {
  const { issue } = ctx;
  const labels = useMemo(() => new Map<number, Label>([...t.labels, ...issue.labels].map((l) => [l.id, l])), [t.labels, issue.labels]);
  // assignee entries name users by id: the people this page knows
  const people = useMemo(() => {
    const m = new Map<number, User>();
    for (const u of [issue.user, ...issue.assignees, ...t.entries.map((e) => e.user)]) if (u) m.set(u.id, u);
    return m;
  }, [issue, t.entries]);
  return (
    <div data-testid="timeline">
      {t.entries.map((e) => (
        <Entry key={e.id} ctx={ctx} e={e} labels={labels} people={people} />
      ))}
    </div>
  );
}

function Entry({ ctx, e, labels, people }: { ctx: Ctx; e: TimelineEntry; labels: Map<number, Label>; people: Map<number, User> }) {
  const { owner, name } = ctx;
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const chips = (list: number[]) =>
    list.map((id) => {
      const l = labels.get(id);
      return l ? <LabelChip key={id} label={l} small /> : <Badge key={id}>deleted label</Badge>;
    });
  // people not otherwise on the page (a removed assignee) by the name the entry recorded
  const names = (list: number[], recorded: unknown) =>
    list.map((id, i) => (
      <span key={id}>
        {i > 0 && ', '}
        {people.get(id) || !Array.isArray(recorded) || typeof recorded[i] !== 'string' ? <UserName user={people.get(id) ?? null} /> : <strong>{recorded[i] as string}</strong>}
      </span>
    ));
  switch (e.type) {
    case 'comment':
      return <Comment ctx={ctx} e={e} />;
    case 'close': {
      const sha = str('commit');
      const where = str('repo');
      return (
        <Event icon={<IssueIcon closed />} who={e.user} at={e.created_at} testId="timeline-close" tone="accent">
          closed this
          {sha && (
            <>
              {' '}
              in <CommitLink repo={where || `${owner}/${name}`} sha={sha} />
            </>
          )}
        </Event>
      );
    }
    case 'reopen':
      return (
        <Event icon={<IssueIcon />} who={e.user} at={e.created_at} testId="timeline-reopen" tone="ok">
          reopened this
        </Event>
      );
    case 'title':
      return (
        <Event icon="✎" who={e.user} at={e.created_at} testId="timeline-title">
          changed the title <del>{str('from')}</del> <strong>{str('to')}</strong>
        </Event>
      );
    case 'label': {
      const added = ids(d.added);
      const removed = ids(d.removed);
      return (
        <Event icon="◆" who={e.user} at={e.created_at} testId="timeline-label">
          {added.length > 0 && <>added {chips(added)} </>}
          {added.length > 0 && removed.length > 0 && 'and '}
          {removed.length > 0 && <>removed {chips(removed)} </>}
          {added.length + removed.length === 1 ? 'label' : 'labels'}
        </Event>
      );
    }
    case 'milestone': {
      const title = str('title');
      return (
        <Event icon="⚑" who={e.user} at={e.created_at} testId="timeline-milestone">
          {title ? (
            <>
              added this to the{' '}
              <Link to="/$owner/$repo/issues" params={{ owner, repo: name }} search={{ milestone: title }}>
                <strong>{title}</strong>
              </Link>{' '}
              milestone
            </>
          ) : str('from_title') ? (
            <>
              removed this from the <strong>{str('from_title')}</strong> milestone
            </>
          ) : (
            'removed this from its milestone'
          )}
        </Event>
      );
    }
    case 'assignees': {
      const added = ids(d.added);
      const removed = ids(d.removed);
      const self = added.length === 1 && removed.length === 0 && e.user && added[0] === e.user.id;
      return (
        <Event icon={<PersonIcon />} who={e.user} at={e.created_at} testId="timeline-assignees">
          {self ? (
            'self-assigned this'
          ) : (
            <>
              {added.length > 0 && <>assigned {names(added, d.added_names)} </>}
              {added.length > 0 && removed.length > 0 && 'and '}
              {removed.length > 0 && <>unassigned {names(removed, d.removed_names)}</>}
            </>
          )}
        </Event>
      );
    }
    case 'ref': {
      const repo = str('repo');
      const index = typeof d.index === 'number' ? d.index : 0;
      const [o, r] = repo.split('/');
      const here = repo.toLowerCase() === `${owner}/${name}`.toLowerCase();
      const label = here ? `#${index}` : `${repo}#${index}`;
      return (
        <Event icon="↗" who={e.user} at={e.created_at} testId="timeline-ref">
          referenced this from{' '}
          {o && r && index > 0 ? (
            <Link to={d.isPull ? '/$owner/$repo/pulls/$number' : '/$owner/$repo/issues/$number'} params={{ owner: o, repo: r, number: String(index) }} data-testid="ref-link">
              {d.isPull ? 'pull request ' : 'issue '}
              {label}
            </Link>
          ) : (
            'another issue'
          )}
        </Event>
      );
    }
    case 'commit_ref': {
      const repo = str('repo') || `${owner}/${name}`;
      return (
        <Event icon="⎇" who={e.user} at={e.created_at} testId="timeline-commit-ref">
          referenced this in commit <CommitLink repo={repo} sha={str('sha')} /> <span className="muted">{str('subject')}</span>
        </Event>
      );
    }
    case 'pin':
      return (
        <Event icon={<PinIcon />} who={e.user} at={e.created_at} testId="timeline-pin">
          {d.pinned === false ? 'unpinned this issue' : 'pinned this issue'}
        </Event>
      );
    case 'lock':
      return (
        <Event icon={<LockIcon />} who={e.user} at={e.created_at} testId="timeline-lock" tone={d.locked === false ? undefined : 'warn'}>
          {d.locked === false ? 'unlocked this conversation' : `locked${str('reason') ? ` as ${str('reason')}` : ''} and limited conversation to collaborators`}
        </Event>
      );
    case 'confidential':
      return (
        <Event icon={<LockIcon />} who={e.user} at={e.created_at} testId="timeline-confidential" tone={d.confidential ? 'warn' : undefined}>
          {d.confidential ? 'made this issue confidential' : 'made this issue visible to everyone who can read the repository'}
        </Event>
      );
    default:
      // pull request entries (pushes, reviews) never land on an issue; anything newer is skipped
      return null;
  }
}

/** A head and shoulders: assignees (drawn: emoji fonts are not everywhere). */
function PersonIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
      <circle cx="8" cy="5.5" r="2.8" />
      <path d="M2.8 14c.6-2.8 2.6-4.3 5.2-4.3s4.6 1.5 5.2 4.3" strokeLinecap="round" />
    </svg>
  );
}

/** A commit, linked on its own repository's commit page. */
function CommitLink({ repo, sha }: { repo: string; sha: string }) {
  const [o, r] = repo.split('/');
  if (!o || !r || !sha) return <code>{shortSha(sha)}</code>;
  return (
    <Link className={p.sha} to="/$owner/$repo/commit/$sha" params={{ owner: o, repo: r, sha }} data-testid="commit-link">
      {shortSha(sha)}
    </Link>
  );
}

// ---- comment box --------------------------------------------------------------------------------

function CommentForm({ ctx }: { ctx: Ctx }) {
  const { issue, owner, name, me, canEdit, muted } = ctx;
  const readOnly = useReadOnly();
  const add = useAddComment(owner, name, issue.number);
  const edit = useEditIssue(owner, name, issue.number);
  const [text, setText] = useState('');
  if (!me) {
    return (
      <Panel pad className={p.card}>
        <Link to="/user/login" search={{ redirect_to: window.location.pathname }}>
          Sign in
        </Link>{' '}
        to join this conversation.
      </Panel>
    );
  }
  if (muted) {
    return (
      <Panel pad className={cx(p.card, s.lockedNote)} data-testid="locked-note">
        <LockIcon size={16} /> This conversation has been locked and limited to collaborators.
      </Panel>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(text, { onSuccess: () => setText('') });
  };
  const open = issue.state === 'open';
  const toggle = () => {
    const send = () => edit.mutate({ state: open ? 'closed' : 'open' });
    // "Close with comment": the comment first, so it sits above the close on the timeline
    if (text.trim()) add.mutate(text, { onSuccess: () => (setText(''), send()) });
    else send();
  };
  return (
    <Panel pad className={p.card}>
      <form onSubmit={onSubmit} aria-label="Add a comment" data-testid="comment-form">
        {issue.is_locked && <Notice kind="warn">This conversation is locked: only collaborators with write access can comment.</Notice>}
        <MarkdownBox id="new-comment" label="Comment" value={text} onChange={setText} context={`${owner}/${name}`} placeholder="Leave a comment" rows={5} testId="comment-input" />
        <FormError error={add.error ?? edit.error} />
        <div className={s.formActions}>
          {canEdit && (
            <Button busy={edit.isPending} disabled={readOnly || add.isPending} onClick={toggle} data-testid="close-reopen">
              <IssueIcon closed={open} /> {open ? (text.trim() ? 'Close with comment' : 'Close issue') : text.trim() ? 'Reopen with comment' : 'Reopen issue'}
            </Button>
          )}
          <Button type="submit" variant="primary" busy={add.isPending} disabled={!text.trim() || readOnly} data-testid="comment-submit">
            <CommentIcon /> Comment
          </Button>
        </div>
      </form>
    </Panel>
  );
}

// ---- sidebar ------------------------------------------------------------------------------------

function Sidebar({ ctx, labels }: { ctx: Ctx; labels: Label[] }) {
  const { issue, owner, name, writer } = ctx;
  const edit = useEditIssue(owner, name, issue.number);
  const setLabels = useSetIssueLabels(owner, name, issue.number);
  const pin = usePinIssue(owner, name, issue.number);
  const lock = useLockIssue(owner, name, issue.number);
  const readOnly = useReadOnly();
  const busy = readOnly || edit.isPending || setLabels.isPending;
  return (
    <aside className={s.sidebar} aria-label="Details" data-testid="issue-sidebar">
      <TriageSections
        labels={issue.labels}
        milestone={issue.milestone}
        assignees={issue.assignees}
        extraLabels={labels}
        canEdit={writer}
        busy={busy}
        onLabels={(ids) => setLabels.mutate(ids)}
        onMilestone={(id) => edit.mutate({ milestone: id ?? 0 })}
        onAssignees={(logins) => edit.mutate({ assignees: logins })}
      />
      <FormError error={setLabels.error ?? edit.error ?? pin.error ?? lock.error} />
      {writer && (
        <section>
          <button type="button" className={s.sideAction} onClick={() => pin.mutate(issue.pin_order === 0)} disabled={readOnly || pin.isPending} data-testid="pin-toggle">
            <PinIcon size={14} /> {issue.pin_order > 0 ? 'Unpin issue' : 'Pin issue'}
          </button>
          <button type="button" className={s.sideAction} onClick={() => lock.mutate(!issue.is_locked)} disabled={readOnly || lock.isPending} data-testid="lock-toggle">
            <LockIcon size={14} /> {issue.is_locked ? 'Unlock conversation' : 'Lock conversation'}
          </button>
          <label className={s.check2}>
            <input type="checkbox" checked={issue.confidential} disabled={busy} onChange={(e) => edit.mutate({ confidential: e.target.checked })} data-testid="confidential-toggle" />
            <span>
              <strong>Confidential</strong>
              <span className={s.checkHint}>Only the author, the assignees and people with write access see it.</span>
            </span>
          </label>
        </section>
      )}
    </aside>
  );
}
