// The merge box under the conversation: where the reviews stand, whether the head merges cleanly
// (still checking / can merge / conflicts, with the files / why not), the merge style, the
// message, "delete the branch after merging", and the Merge button. The merge is sent with the
// head the page shows, so a push that lands meanwhile makes it fail (409) instead of merging
// what nobody saw; the server's refusal is shown as it words it.
import { useState } from 'react';
import { Button, FormError, Hint, Panel, Spinner, cx } from '../../components/ui';
import { summary } from '../history/bits';
import { useRepoContext } from '../repo/RepoLayout';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useDeleteBranch } from '../branches/api';
import { useBranchExists, useMergePull, usePullCommits, useReviews } from './api';
import { BranchLabel } from './bits';
import { usePullContext } from './PullLayout';
import type { MergeStyle, PullRequest, Review } from './types';
import s from './Pulls.module.css';

const STYLES: Array<{ value: MergeStyle; label: string; button: string; hint: string }> = [
  { value: 'merge', label: 'Create a merge commit', button: 'Merge pull request', hint: 'All commits of the head are added to the base with a merge commit.' },
  { value: 'squash', label: 'Squash and merge', button: 'Squash and merge', hint: 'The commits are combined into one commit on the base.' },
  { value: 'rebase', label: 'Rebase and merge', button: 'Rebase and merge', hint: 'The commits are replayed one by one on top of the base; no merge commit.' },
  { value: 'fast-forward-only', label: 'Fast-forward only', button: 'Fast-forward merge', hint: 'The base moves to the head, only if the head already contains the base.' },
];

/** Each reviewer's latest verdict that still counts (approvals on an older head are stale). */
function verdicts(reviews: Review[]): { approved: Review[]; changes: Review[] } {
  const latest = new Map<number, Review>();
  for (const r of reviews) {
    if (!r.user || r.dismissed || (r.state !== 'APPROVED' && r.state !== 'REQUEST_CHANGES')) continue;
    latest.set(r.user.id, r);
  }
  const all = [...latest.values()];
  return { approved: all.filter((r) => r.state === 'APPROVED' && !r.stale), changes: all.filter((r) => r.state === 'REQUEST_CHANGES') };
}

function defaultMessage(style: MergeStyle, pr: PullRequest, commitSubjects: string[]): string {
  if (style === 'merge') return `Merge pull request '${pr.title}' (#${pr.number}) from ${pr.head.label} into ${pr.base.ref}`;
  if (style === 'squash') return `${pr.title} (#${pr.number})${commitSubjects.length > 1 ? `\n\n${commitSubjects.map((m) => `* ${m}`).join('\n')}` : ''}`;
  return '';
}

export function MergeBox() {
  const repo = useRepoContext();
  const { pr, canWrite } = usePullContext();
  const me = useCurrentUser();
  const readOnly = useReadOnly();
  const owner = repo.owner.login;
  const name = repo.name;
  const merge = useMergePull(owner, name, pr.number);
  const reviews = useReviews(owner, name, pr.number);
  const commits = usePullCommits(owner, name, pr.number);
  const [style, setStyle] = useState<MergeStyle>('merge');
  const [message, setMessage] = useState<string | null>(null);
  const [deleteBranch, setDeleteBranch] = useState(false);
  const subjects = (commits.data?.items ?? []).map((c) => summary(c.commit.message));
  const shownMessage = message ?? defaultMessage(style, pr, subjects);
  const sameRepo = pr.head.repo_id === pr.base.repo_id && pr.head.repo !== null;
  const canDeleteBranch = sameRepo && pr.head.ref !== repo.default_branch;
  const { approved, changes } = verdicts(reviews.data ?? []);
  const st = pr.mergeable_state;
  const takesMessage = style === 'merge' || style === 'squash';

  const why = !me
    ? 'Sign in with write access to merge.'
    : readOnly
      ? 'The server is in maintenance mode; merging is paused.'
      : !canWrite
        ? 'Only people who may write to this repository can merge it.'
        : pr.draft
          ? 'This pull request is a draft: mark it ready for review first.'
          : st === 'conflict'
            ? 'Resolve the conflicts first.'
            : st === 'empty' || st === 'unsupported' || st === 'error'
              ? pr.mergeable_message || 'It cannot be merged.'
              : null;

  return (
    <Panel className={s.mergeBox} data-testid="merge-box" data-mergeable={st}>
      {(approved.length > 0 || changes.length > 0) && (
        <div className={cx(s.mergeRow, changes.length ? s.mergeWarn : s.mergeOk)} data-testid="review-summary">
          <span className={s.mergeIcon} aria-hidden>
            {changes.length ? '!' : '✓'}
          </span>
          <div>
            {approved.length > 0 && (
              <div>
                Approved by <strong>{approved.map((r) => r.user!.login).join(', ')}</strong>
              </div>
            )}
            {changes.length > 0 && (
              <div>
                Changes requested by <strong>{changes.map((r) => r.user!.login).join(', ')}</strong>
              </div>
            )}
          </div>
        </div>
      )}
      <div className={cx(s.mergeRow, st === 'mergeable' ? s.mergeOk : st === 'checking' ? '' : s.mergeWarn)} data-testid="mergeable-state">
        <span className={s.mergeIcon} aria-hidden>
          {st === 'checking' ? <Spinner /> : st === 'mergeable' ? '✓' : '!'}
        </span>
        <div>
          {st === 'checking' ? (
            <strong>Checking whether it can be merged…</strong>
          ) : st === 'mergeable' ? (
            <>
              <strong>This branch has no conflicts with the base branch.</strong>
              <div className="muted">It can be merged automatically.</div>
            </>
          ) : st === 'conflict' ? (
            <>
              <strong>This branch has conflicts that must be resolved.</strong>
              <div className="muted">{pr.mergeable_message}</div>
              <ul className={s.conflicts} data-testid="conflicted-files">
                {pr.conflicted_files.map((f) => (
                  <li key={f}>
                    <code>{f}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <>
              <strong>It can't be merged{st === 'unsupported' ? ' here' : ''}.</strong>
              <div className="muted">{pr.mergeable_message || 'The server could not tell why.'}</div>
            </>
          )}
        </div>
      </div>
      <div className={s.mergeForm}>
        <div className={s.formRow}>
          <div>
            <label htmlFor="merge-style">Merge style</label>
            <select id="merge-style" value={style} onChange={(e) => setStyle(e.target.value as MergeStyle)} data-testid="merge-style">
              {STYLES.map((x) => (
                <option key={x.value} value={x.value}>
                  {x.label}
                </option>
              ))}
            </select>
            <Hint>{STYLES.find((x) => x.value === style)!.hint}</Hint>
          </div>
        </div>
        {takesMessage ? (
          <>
            <label htmlFor="merge-message">{style === 'squash' ? 'Commit message' : 'Merge commit message'}</label>
            <textarea id="merge-message" rows={4} value={shownMessage} onChange={(e) => setMessage(e.target.value)} data-testid="merge-message" />
            {message !== null && (
              <button type="button" className="linkish" onClick={() => setMessage(null)}>
                Use the default message
              </button>
            )}
          </>
        ) : (
          <Hint>The commits keep their own messages.</Hint>
        )}
        {canDeleteBranch && (
          <label className={s.check}>
            <input type="checkbox" checked={deleteBranch} onChange={(e) => setDeleteBranch(e.target.checked)} data-testid="delete-branch" />
            <span>
              Delete the branch <BranchLabel>{pr.head.ref}</BranchLabel> after merging
            </span>
          </label>
        )}
        <FormError error={merge.error} />
        <div className={s.mergeActions}>
          {why && (
            <span className="muted" data-testid="merge-blocked">
              {why}
            </span>
          )}
          <Button
            variant="primary"
            busy={merge.isPending}
            disabled={!!why}
            title={why ?? undefined}
            onClick={() =>
              merge.mutate({
                Do: style,
                merge_message_field: takesMessage ? shownMessage : undefined,
                delete_branch_after_merge: canDeleteBranch && deleteBranch,
                head_commit_id: pr.head.sha,
              })
            }
            data-testid="merge-button"
          >
            {STYLES.find((x) => x.value === style)!.button}
          </Button>
        </div>
      </div>
    </Panel>
  );
}

/** Instead of the merge box once merged or closed: what happened, and whether the head branch is still there. */
export function MergedNote() {
  const repo = useRepoContext();
  const { pr, canWrite } = usePullContext();
  const sameRepo = pr.head.repo_id === pr.base.repo_id && pr.head.repo !== null;
  const exists = useBranchExists(repo.owner.login, repo.name, pr.head.ref, sameRepo);
  const del = useDeleteBranch(repo.owner.login, repo.name);
  const branchLine =
    sameRepo && exists.data === false ? (
      <div className="muted" data-testid="branch-deleted">
        The branch <BranchLabel>{pr.head.ref}</BranchLabel> has been deleted.
      </div>
    ) : sameRepo && exists.data === true && pr.head.ref !== repo.default_branch ? (
      <div className={s.noteRow}>
        <span className="muted">
          The branch <BranchLabel>{pr.head.ref}</BranchLabel> is still there.
        </span>
        {canWrite && (
          <Button small busy={del.isPending} onClick={() => del.mutate(pr.head.ref)}>
            Delete branch
          </Button>
        )}
        <FormError error={del.error} />
      </div>
    ) : null;
  return (
    <Panel pad className={s.mergeBox} data-testid="merged-box">
      {pr.merged ? (
        <div className={cx(s.mergeRow, s.mergeDone)} data-testid="merged-note">
          <span className={s.mergeIcon} aria-hidden>
            ✓
          </span>
          <div>
            <strong>Pull request merged</strong> into <BranchLabel>{pr.base.ref}</BranchLabel>
            {pr.merge_commit_sha && (
              <>
                {' '}
                as <code>{pr.merge_commit_sha.slice(0, 10)}</code>
              </>
            )}
            .{branchLine}
          </div>
        </div>
      ) : (
        <div className={s.mergeRow}>
          <span className={s.mergeIcon} aria-hidden>
            ×
          </span>
          <div>
            <strong>This pull request is closed without merging.</strong>
            {branchLine}
          </div>
        </div>
      )}
    </Panel>
  );
}
