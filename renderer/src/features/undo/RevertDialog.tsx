// "Revert" on a commit page: a new commit on a branch that undoes the commit's changes. On a
// protected branch the server puts the revert on a new branch and opens a pull request instead;
// a revert that does not apply cleanly (409) writes nothing and says so.
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { Button, FormError, Hint, Modal, Notice } from '../../components/ui';
import { useBranchNames, useRevertCommit } from './api';
import type { RevertResult } from './types';
import s from './Undo.module.css';

const short = (sha: string) => sha.slice(0, 10);

export function RevertDialog({
  owner,
  repo,
  sha,
  title,
  merge,
  defaultBranch,
  onClose,
}: {
  owner: string;
  repo: string;
  sha: string;
  /** The commit's summary line. */
  title: string;
  merge: boolean;
  defaultBranch: string;
  onClose: () => void;
}) {
  const [branch, setBranch] = useState(defaultBranch);
  const [message, setMessage] = useState('');
  const [done, setDone] = useState<RevertResult | null>(null);
  const revert = useRevertCommit(owner, repo);
  const branches = useBranchNames(owner, repo);
  const target = branch.trim();
  const isProtected = branches.data?.find((b) => b.name === target)?.protected ?? false;
  const conflict = revert.error instanceof ApiError && revert.error.status === 409 ? revert.error : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    revert.mutate({ commit: sha, branch: target, message: message.trim() || undefined }, { onSuccess: setDone });
  };

  if (done) {
    return (
      <Modal open onOpenChange={(o) => !o && onClose()} title="Commit reverted" actions={<Button onClick={onClose}>Close</Button>}>
        <div data-testid="revert-result">
          {done.pull ? (
            <Notice kind="ok">
              <strong>{target}</strong> is protected, so the revert is on the new branch <strong className={s.mono}>{done.branch}</strong> in pull request{' '}
              <Link to="/$owner/$repo/pulls/$number" params={{ owner, repo, number: String(done.pull.number) }} onClick={onClose}>
                #{done.pull.number}
              </Link>
              , for review.
            </Notice>
          ) : (
            <Notice kind="ok">
              Reverted on <strong className={s.mono}>{done.branch}</strong> in commit{' '}
              <Link className={s.mono} to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: done.commit.sha }} onClick={onClose} data-testid="revert-commit-link">
                {short(done.commit.sha)}
              </Link>
              .
            </Notice>
          )}
        </div>
      </Modal>
    );
  }

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title="Revert this commit"
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="revert-commit" busy={revert.isPending} disabled={!target}>
            Revert
          </Button>
        </>
      }
    >
      <form id="revert-commit" onSubmit={submit}>
        <p className={s.lead}>
          A new commit on the branch undoes the changes of <code>{short(sha)}</code>. The history is not rewritten: <code>{short(sha)}</code> stays in it.
        </p>
        {merge && <Hint>This is a merge commit: the revert undoes what it brought in, compared with its first parent.</Hint>}
        <label htmlFor="revert-branch">Branch</label>
        <input
          id="revert-branch"
          type="text"
          list="revert-branch-list"
          value={branch}
          onChange={(e) => {
            setBranch(e.target.value);
            revert.reset();
          }}
          maxLength={255}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="revert-branch-list">
          {branches.data?.map((b) => (
            <option key={b.name} value={b.name} />
          ))}
        </datalist>
        <Hint>
          {isProtected
            ? `${target} is protected: the revert goes to a new branch revert-${sha.slice(0, 7)} and a pull request is opened.`
            : 'On a protected branch the revert goes to a new branch and a pull request instead.'}
        </Hint>
        <label htmlFor="revert-message">Commit message (optional)</label>
        <textarea id="revert-message" rows={3} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={`Revert "${title}"`} maxLength={10_000} />
        {conflict ? (
          <Notice kind="error">
            <strong>This commit does not apply cleanly to {target}.</strong> Later commits changed the same lines, so nothing was written. Revert it in a clone (<code>git revert {short(sha)}</code>)
            and resolve the conflicts there.
            <div className="faint">{conflict.message}</div>
          </Notice>
        ) : (
          <FormError error={revert.error} />
        )}
      </form>
    </Modal>
  );
}
