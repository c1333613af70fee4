// The Conversation tab: the description, then the timeline oldest first — comments, pushes and
// force-pushes with their commits, reviews with their line comments (the diff hunk each was made
// on, "outdated" when the line has changed since), single line comments, merges, closes and
// reopens, title and base changes, review requests — then the merge box and the comment box.
// A side column lists reviewers (requested, and each one's verdict) and assignees.
import { Link } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Badge, Button, ErrorState, FormError, Loading, Panel, RelativeTime, cx } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { shortSha } from '../history/bits';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import type { User } from '../users/types';
import { useAddComment, useEditPull, useTimeline } from './api';
import { BranchLabel, CommentIcon, EyeIcon, MarkdownBox, UserName } from './bits';
import { MergeBox, MergedNote } from './MergeBox';
import { PullLayout, usePullContext } from './PullLayout';
import { Thread, threadsOf, type ThreadData } from './Thread';
import type { Review, TimelineComment } from './types';
import s from './Pulls.module.css';

const REVIEW_VERB: Record<string, string> = { APPROVED: 'approved these changes', REQUEST_CHANGES: 'requested changes', COMMENT: 'reviewed', PENDING: 'started a review' };

export function ConversationPage() {
  return (
    <PullLayout>
      <ConversationTab />
    </PullLayout>
  );
}

function ConversationTab() {
  const repo = useRepoContext();
  const { pr } = usePullContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const q = useTimeline(owner, name, pr.number);

  const people = useMemo(() => {
    const m = new Map<number, User>();
    const add = (u: User | null | undefined) => u && m.set(u.id, u);
    [pr.user, pr.merged_by, ...pr.requested_reviewers, ...pr.assignees].forEach(add);
    q.data?.entries.forEach((e) => add(e.entry.user));
    q.data?.reviews.forEach((r) => add(r.user));
    q.data?.comments.forEach((c) => add(c.user));
    return m;
  }, [pr, q.data]);

  const items = useMemo(() => {
    if (!q.data) return [];
    const threads = threadsOf(q.data.comments);
    const reviews = new Map(q.data.reviews.map((r) => [r.id, r]));
    const out: Array<{ at: number; key: string; node: ReactNode }> = [];
    for (const { at, entry } of q.data.entries) {
      out.push({ at, key: `e${entry.id}`, node: <Entry e={entry} reviews={reviews} threads={threads} people={people} /> });
    }
    // single line comments (outside any review) stand on the timeline by themselves
    for (const t of threads) {
      if (t.root.pull_request_review_id !== null) continue;
      out.push({
        at: Date.parse(t.root.created_at),
        key: `t${t.root.id}`,
        node: (
          <Event icon={<CommentIcon />} who={t.root.user} at={t.root.created_at} testId="timeline-line-comment" body={<Thread t={t} pendingReviewId={null} showHunk />}>
            commented on <code>{t.root.path}</code>
          </Event>
        ),
      });
    }
    return out.sort((a, b) => a.at - b.at);
  }, [q.data, people]);

  return (
    <div className={s.conversation}>
      <div className={s.convMain}>
        <CommentCard user={pr.user} at={pr.created_at} html={pr.body_html} empty="No description provided." testId="pull-description" />
        {q.isPending ? (
          <Loading />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : (
          <div data-testid="timeline">
            {items.map((i) => (
              <div key={i.key}>{i.node}</div>
            ))}
          </div>
        )}
        {pr.merged || pr.state === 'closed' ? <MergedNote /> : <MergeBox />}
        <CommentForm />
      </div>
      <Sidebar reviews={q.data?.reviews ?? []} />
    </div>
  );
}

function CommentCard({ user, at, html, empty, testId, verb = 'commented' }: { user: User | null; at: string; html: string; empty?: string; testId?: string; verb?: string }) {
  return (
    <Panel className={s.card} data-testid={testId}>
      <div className={s.cardHead}>
        <UserName user={user} avatar={22} /> <span className="muted">{verb}</span> <RelativeTime iso={at} />
      </div>
      <div className={s.cardBody}>{html ? <RenderedHtml html={html} /> : <span className="faint">{empty}</span>}</div>
    </Panel>
  );
}

const TONE = { ok: s.toneOk, warn: s.toneWarn, danger: s.toneDanger, accent: s.toneAccent };

/** A timeline line: an icon, who did what and when; `body` (commits, a thread) goes under it. */
function Event({ icon, who, at, children, body, testId, tone }: { icon: ReactNode; who: User | null; at: string; children: ReactNode; body?: ReactNode; testId?: string; tone?: keyof typeof TONE }) {
  return (
    <div className={s.eventWrap} data-testid={testId}>
      <div className={s.event}>
        <span className={cx(s.eventIcon, tone && TONE[tone])} aria-hidden>
          {icon}
        </span>
        <div className={s.eventMain}>
          <UserName user={who} /> {children} <RelativeTime iso={at} />
        </div>
      </div>
      {body && <div className={s.eventBody}>{body}</div>}
    </div>
  );
}

/** git's merge glyph (two lines joining), drawn: not every font has one. */
function MergeIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden>
      <circle cx="4" cy="3" r="1.6" />
      <circle cx="4" cy="13" r="1.6" />
      <circle cx="12" cy="8" r="1.6" />
      <path d="M4 4.6v6.8M4 5c0 3 3 3 6.4 3" />
    </svg>
  );
}

function Entry({ e, reviews, threads, people }: { e: TimelineComment; reviews: Map<number, Review>; threads: ThreadData[]; people: Map<number, User> }) {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const d = e.data;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  switch (e.type) {
    case 'comment':
      return <CommentCard user={e.user} at={e.created_at} html={e.body_html} testId="timeline-comment" />;
    case 'push': {
      const commits = Array.isArray(d.commits) ? (d.commits as Array<{ sha: string; message: string }>) : [];
      return (
        <Event
          icon="↑"
          who={e.user}
          at={e.created_at}
          testId="timeline-push"
          body={
            <ul className={s.pushCommits}>
              {commits.map((c) => (
                <li key={c.sha}>
                  <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: c.sha }}>
                    {shortSha(c.sha)}
                  </Link>{' '}
                  {c.message}
                </li>
              ))}
            </ul>
          }
        >
          pushed {commits.length} {commits.length === 1 ? 'commit' : 'commits'}
        </Event>
      );
    }
    case 'force_push':
      return (
        <Event icon="⇡" who={e.user} at={e.created_at} testId="timeline-force-push" tone="warn">
          force-pushed the head from <code>{shortSha(str('old'))}</code> to{' '}
          <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: str('new') }}>
            {shortSha(str('new'))}
          </Link>
        </Event>
      );
    case 'merge':
      return (
        <Event icon={<MergeIcon />} who={e.user} at={e.created_at} testId="timeline-merge" tone="accent">
          merged commit{' '}
          <Link className={s.sha} to="/$owner/$repo/commit/$sha" params={{ owner, repo: name, sha: str('sha') }}>
            {shortSha(str('sha'))}
          </Link>{' '}
          into <BranchLabel>{str('base')}</BranchLabel>
          {str('style') && str('style') !== 'merge' ? ` (${str('style')})` : ''}
        </Event>
      );
    case 'close':
      return (
        <Event icon="×" who={e.user} at={e.created_at} testId="timeline-close" tone="danger">
          closed this
        </Event>
      );
    case 'reopen':
      return (
        <Event icon="↺" who={e.user} at={e.created_at} testId="timeline-reopen" tone="ok">
          reopened this
        </Event>
      );
    case 'title':
      return (
        <Event icon="✎" who={e.user} at={e.created_at} testId="timeline-title">
          changed the title from <del>{str('from')}</del> to <strong>{str('to')}</strong>
        </Event>
      );
    case 'base':
      return (
        <Event icon="⇄" who={e.user} at={e.created_at} testId="timeline-base">
          changed the base branch from <BranchLabel>{str('from')}</BranchLabel> to <BranchLabel>{str('to')}</BranchLabel>
        </Event>
      );
    case 'draft':
      return (
        <Event icon="◌" who={e.user} at={e.created_at}>
          marked this as a draft
        </Event>
      );
    case 'ready':
      return (
        <Event icon="●" who={e.user} at={e.created_at}>
          marked this as ready for review
        </Event>
      );
    case 'review_request': {
      const u = typeof d.user_id === 'number' ? people.get(d.user_id) : undefined;
      return (
        <Event icon={<EyeIcon />} who={e.user} at={e.created_at} testId="timeline-review-request">
          requested a review from <strong>{u?.login ?? (typeof d.user === 'string' ? d.user : 'a reviewer')}</strong>
        </Event>
      );
    }
    case 'review': {
      const r = typeof d.review_id === 'number' ? reviews.get(d.review_id) : undefined;
      const state = r?.state ?? str('state');
      const own = threads.filter((t) => r && t.root.pull_request_review_id === r.id);
      return (
        <div data-testid="timeline-review" data-state={state}>
          <Event
            icon={state === 'APPROVED' ? '✓' : state === 'REQUEST_CHANGES' ? '±' : <CommentIcon />}
            who={e.user}
            at={e.created_at}
            tone={state === 'APPROVED' ? 'ok' : state === 'REQUEST_CHANGES' ? 'danger' : undefined}
            body={
              r?.body_html || own.length > 0 ? (
                <>
                  {r?.body_html && (
                    <Panel className={s.card}>
                      <div className={s.cardBody}>
                        <RenderedHtml html={r.body_html} />
                      </div>
                    </Panel>
                  )}
                  {own.map((t) => (
                    <Thread key={t.root.id} t={t} pendingReviewId={null} showHunk />
                  ))}
                </>
              ) : undefined
            }
          >
            {REVIEW_VERB[state] ?? 'reviewed'}
            {r?.stale && state === 'APPROVED' && <Badge>stale</Badge>}
            {r?.dismissed && <Badge>dismissed</Badge>}
          </Event>
        </div>
      );
    }
    default:
      return null;
  }
}

function CommentForm() {
  const repo = useRepoContext();
  const { pr, canEdit } = usePullContext();
  const me = useCurrentUser();
  const readOnly = useReadOnly();
  const owner = repo.owner.login;
  const name = repo.name;
  const add = useAddComment(owner, name, pr.number);
  const edit = useEditPull(owner, name, pr.number);
  const [text, setText] = useState('');
  if (!me) {
    return (
      <Panel pad className={s.card}>
        <Link to="/user/login" search={{ redirect_to: window.location.pathname }}>
          Sign in
        </Link>{' '}
        to join this conversation.
      </Panel>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(text, { onSuccess: () => setText('') });
  };
  const toggle = () => {
    const next = pr.state === 'open' ? 'closed' : 'open';
    const send = () => edit.mutate({ state: next });
    // "Close with comment": the comment first, so it sits above the close on the timeline
    if (text.trim()) add.mutate(text, { onSuccess: () => (setText(''), send()) });
    else send();
  };
  return (
    <Panel pad className={s.card}>
      <form onSubmit={onSubmit} aria-label="Add a comment" data-testid="comment-form">
        <MarkdownBox id="new-comment" label="Comment" value={text} onChange={setText} context={`${owner}/${name}`} placeholder="Leave a comment" rows={5} testId="comment-input" />
        <FormError error={add.error ?? edit.error} />
        <div className={s.formActions}>
          {canEdit && !pr.merged && (
            <Button busy={edit.isPending} disabled={readOnly} onClick={toggle} data-testid="close-reopen">
              {pr.state === 'open' ? (text.trim() ? 'Close with comment' : 'Close pull request') : 'Reopen pull request'}
            </Button>
          )}
          <Button type="submit" variant="primary" busy={add.isPending} disabled={!text.trim() || readOnly} data-testid="comment-submit">
            Comment
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function Sidebar({ reviews }: { reviews: Review[] }) {
  const { pr } = usePullContext();
  const latest = new Map<number, Review>();
  for (const r of reviews) if (r.user && r.state !== 'PENDING') latest.set(r.user.id, r);
  const requested = pr.requested_reviewers.filter((u) => !latest.has(u.id));
  return (
    <aside className={s.sidebar} aria-label="Details">
      <section>
        <h3>Reviewers</h3>
        {latest.size === 0 && requested.length === 0 ? (
          <div className="faint">No reviews yet</div>
        ) : (
          <ul data-testid="reviewers">
            {[...latest.values()].map((r) => (
              <li key={r.id}>
                <UserName user={r.user} avatar={18} />
                <span className={cx(s.verdict, r.state === 'APPROVED' ? s.toneOk : r.state === 'REQUEST_CHANGES' ? s.toneDanger : '')} title={REVIEW_VERB[r.state]}>
                  {r.state === 'APPROVED' ? '✓ approved' : r.state === 'REQUEST_CHANGES' ? '± changes' : 'commented'}
                </span>
              </li>
            ))}
            {requested.map((u) => (
              <li key={u.id}>
                <UserName user={u} avatar={18} />
                <span className={s.verdict}>requested</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h3>Assignees</h3>
        {pr.assignees.length === 0 ? (
          <div className="faint">No one</div>
        ) : (
          <ul>
            {pr.assignees.map((u) => (
              <li key={u.id}>
                <UserName user={u} avatar={18} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
