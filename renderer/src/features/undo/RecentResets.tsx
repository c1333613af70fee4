// The branches page's "Recent resets": each kept old tip (refs/gitssy/backup/<branch>/<time>)
// with who reset the branch and when, and a one-click "Undo reset" for repository admins that
// puts the branch back at the old tip (refused when the branch moved since).
import { Link } from '@tanstack/react-router';
import { Button, FormError, Panel, PanelHeader, RelativeTime } from '../../components/ui';
import { useResets, useUndoReset } from './api';
import type { ResetBackup, UndoResetResult } from './types';
import s from './Undo.module.css';

const short = (sha: string) => sha.slice(0, 10);

export function RecentResets({
  owner,
  repo,
  branch,
  canUndo,
  blocked,
  onUndone,
}: {
  owner: string;
  repo: string;
  /** Only this branch's resets; every branch's without it. */
  branch?: string;
  canUndo: boolean;
  /** Why undoing is off right now (maintenance), or null. */
  blocked: string | null;
  onUndone: (r: UndoResetResult) => void;
}) {
  const q = useResets(owner, repo, branch);
  const undo = useUndoReset(owner, repo);
  if (!q.data || q.data.length === 0) return q.isError ? <FormError error={q.error} /> : null;
  return (
    <Panel aria-label="Recent resets">
      <PanelHeader>
        <strong>Recent resets</strong>
        <span className="muted">{q.data.length}</span>
      </PanelHeader>
      {undo.error != null && (
        <div className={s.hintRow}>
          <FormError error={undo.error} />
        </div>
      )}
      <ul className={s.resets}>
        {q.data.map((b: ResetBackup) => (
          <li key={b.ref} className={s.reset} data-testid="reset-row" data-branch={b.branch}>
            <div className={s.resetMain}>
              <strong>{b.branch}</strong> was at{' '}
              <Link to="/$owner/$repo/commit/$sha" params={{ owner, repo, sha: b.commit }} className={s.mono}>
                {short(b.commit)}
              </Link>{' '}
              before it was reset{b.by ? ` by ${b.by}` : ''} <RelativeTime iso={b.created_at} />
              <span className={s.resetRef}>{b.ref}</span>
            </div>
            {canUndo && (
              <span title={blocked ?? undefined}>
                <Button
                  small
                  disabled={!!blocked || (undo.isPending && undo.variables !== b.ref)}
                  busy={undo.isPending && undo.variables === b.ref}
                  aria-label={`Undo reset of ${b.branch}`}
                  onClick={() => undo.mutate(b.ref, { onSuccess: onUndone })}
                >
                  Undo reset
                </Button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
