// "Restore this version": a file or folder goes back to how it was at a commit, as one new
// commit on a branch (or on a new branch, for a protected one). Everything else on the branch
// stays; a path that did not exist at the commit is removed.
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Modal, Notice } from '../../components/ui';
import { useBranchNames, useRestorePath } from './api';
import type { RestoreResult } from './types';
import s from './Undo.module.css';

const short = (sha: string) => sha.slice(0, 10);
const baseName = (path: string) => path.split('/').filter(Boolean).pop() ?? path;
/** A branch name made of the path's last part and the commit, for "commit to a new branch". */
const suggestedBranch = (path: string, sha: string) =>
  `restore-${baseName(path)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/, '')
    .slice(0, 40)}-${sha.slice(0, 7)}`;

export function RestoreDialog({
  owner,
  repo,
  path,
  commit,
  defaultBranch,
  onClose,
}: {
  owner: string;
  repo: string;
  /** The file or folder, as a path from the repository's root. */
  path: string;
  /** The commit whose version comes back. */
  commit: string;
  defaultBranch: string;
  onClose: () => void;
}) {
  const [branch, setBranch] = useState(defaultBranch);
  const [useNew, setUseNew] = useState(false);
  const [newBranch, setNewBranch] = useState(() => suggestedBranch(path, commit));
  const [message, setMessage] = useState('');
  const [done, setDone] = useState<RestoreResult | null>(null);
  const restore = useRestorePath(owner, repo);
  const branches = useBranchNames(owner, repo);
  const target = branch.trim();
  const isProtected = branches.data?.find((b) => b.name === target)?.protected ?? false;
  const ready = !!target && (!useNew || !!newBranch.trim());
  const defaultMessage = `Restore ${path} to ${commit.slice(0, 7)}`;
  const onto = useNew ? newBranch.trim() || 'the new branch' : target || 'the branch';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    restore.mutate({ path, commit, branch: target, new_branch: useNew ? newBranch.trim() : undefined, message: message.trim() || defaultMessage }, { onSuccess: setDone });
  };

  if (done) {
    return (
      <Modal open onOpenChange={(o) => !o && onClose()} title="Version restored" actions={<Button onClick={onClose}>Close</Button>}>
        <Notice kind="ok">
          <span data-testid="restore-result">
            <strong className={s.mono}>{path}</strong> is back as it was at <code>{short(commit)}</code>, on <strong className={s.mono}>{done.branch}</strong> in commit{' '}
            <Link className={s.mono} to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: done.commit.sha }} onClick={onClose}>
              {short(done.commit.sha)}
            </Link>
            .
          </span>
        </Notice>
      </Modal>
    );
  }

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title="Restore this version"
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="restore-path" busy={restore.isPending} disabled={!ready}>
            Restore
          </Button>
        </>
      }
    >
      <form id="restore-path" onSubmit={submit}>
        <p className={s.lead} data-testid="restore-summary">
          <strong className={s.mono}>{path}</strong> on <strong className={s.mono}>{onto}</strong> goes back to exactly how it was at commit <code>{short(commit)}</code>, as one new commit. Nothing
          else on the branch changes; if it did not exist at <code>{short(commit)}</code>, it is removed.
        </p>
        <label htmlFor="restore-branch">{useNew ? 'Start from branch' : 'Branch'}</label>
        <input
          id="restore-branch"
          type="text"
          list="restore-branch-list"
          value={branch}
          onChange={(e) => {
            setBranch(e.target.value);
            restore.reset();
          }}
          maxLength={255}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id="restore-branch-list">
          {branches.data?.map((b) => (
            <option key={b.name} value={b.name} />
          ))}
        </datalist>
        {isProtected && !useNew && <Hint>{target} is protected: commit to a new branch and open a pull request instead.</Hint>}
        <label className={s.check}>
          <input type="checkbox" checked={useNew} onChange={(e) => setUseNew(e.target.checked)} />
          Commit to a new branch
        </label>
        {useNew && (
          <>
            <label htmlFor="restore-new-branch" className="visually-hidden">
              New branch name
            </label>
            <input id="restore-new-branch" type="text" value={newBranch} onChange={(e) => setNewBranch(e.target.value)} maxLength={255} autoComplete="off" spellCheck={false} />
          </>
        )}
        <label htmlFor="restore-message">Commit message (optional)</label>
        <textarea id="restore-message" rows={2} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={defaultMessage} maxLength={10_000} />
        <FormError error={restore.error} />
      </form>
    </Modal>
  );
}
