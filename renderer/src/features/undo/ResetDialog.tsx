// "Reset…" on the branches page (repository admins, unprotected branches): move a branch back
// to an earlier commit. The target is typed or picked from the branch's recent commits, the
// branch name is typed again to confirm, and the old tip is kept as a backup the page can
// bring back ("Undo reset").
import { useId, useState, type FormEvent } from 'react';
import { Button, FormError, Hint, Loading, Modal, Notice, RelativeTime } from '../../components/ui';
import { useRecentCommits, useResetBranch } from './api';
import type { ResetResult } from './types';
import s from './Undo.module.css';

const short = (sha: string) => sha.slice(0, 10);
const summary = (message: string) => message.split('\n', 1)[0]!.trim();

export function ResetDialog({ owner, repo, branch, tip, onClose }: { owner: string; repo: string; branch: string; tip: string; onClose: (done?: ResetResult) => void }) {
  const [target, setTarget] = useState('');
  const [typed, setTyped] = useState('');
  const reset = useResetBranch(owner, repo);
  const recent = useRecentCommits(owner, repo, branch, 20);
  const group = useId();
  const sha = target.trim();
  const ready = !!sha && typed === branch;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    reset.mutate({ branch, sha, confirm: typed }, { onSuccess: (r) => onClose(r) });
  };

  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Reset ${branch}`}
      actions={
        <>
          <Button onClick={() => onClose()}>Cancel</Button>
          <Button variant="danger" type="submit" form="reset-branch" busy={reset.isPending} disabled={!ready}>
            Reset branch
          </Button>
        </>
      }
    >
      <form id="reset-branch" onSubmit={submit}>
        <Notice kind="warn">
          <strong>This rewrites the branch's history.</strong> <span className={s.mono}>{branch}</span> will point at the commit you choose; the commits after it disappear from the branch, and clones
          that already have them must be reset too. The current tip <code>{short(tip)}</code> is kept as a backup, and <em>Undo reset</em> on the branches page brings it back.
        </Notice>
        <label htmlFor="reset-target">Reset to commit</label>
        <input id="reset-target" type="text" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="A commit id" maxLength={64} autoComplete="off" spellCheck={false} />
        <Hint>An earlier commit of {branch}: type its id, or pick one of the recent commits.</Hint>
        {recent.isPending ? (
          <Loading label="Loading the recent commits…" />
        ) : recent.isError ? (
          <FormError error={recent.error} />
        ) : (
          <ul className={s.picks} role="radiogroup" aria-label="Recent commits">
            {recent.data
              .filter((c) => c.sha !== tip)
              .map((c) => (
                <li key={c.sha}>
                  <label className={s.pick} data-testid="reset-pick">
                    <input type="radio" name={group} value={c.sha} checked={sha === c.sha} onChange={() => setTarget(c.sha)} aria-label={`${short(c.sha)} ${summary(c.commit.message)}`} />
                    <span className={s.pickSha}>{short(c.sha)}</span>
                    <span className={s.pickMsg} title={summary(c.commit.message)}>
                      {summary(c.commit.message) || '(no message)'}
                    </span>
                    <RelativeTime iso={c.commit.committer.date} />
                  </label>
                </li>
              ))}
          </ul>
        )}
        <label htmlFor="reset-confirm">
          Type <span className={s.mono}>{branch}</span> to confirm
        </label>
        <input id="reset-confirm" type="text" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        <FormError error={reset.error} />
      </form>
    </Modal>
  );
}
