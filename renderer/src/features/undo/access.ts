// Who may undo what: reverting and restoring need write access, resetting a branch and undoing
// a reset need repository admin; nobody writes while the server is in maintenance.
import type { Repo } from '../repos/types';
import { useCurrentUser, useReadOnly } from '../session/api';

export interface UndoAccess {
  /** May revert commits and restore paths. */
  write: boolean;
  /** May reset branches and undo resets. */
  admin: boolean;
  /** Why writes are off right now (maintenance), or null. */
  paused: string | null;
}

export function useUndoAccess(repo: Repo): UndoAccess {
  const user = useCurrentUser();
  const readOnly = useReadOnly();
  const signedIn = !!user && !repo.empty;
  return {
    write: signedIn && repo.permissions.push,
    admin: signedIn && repo.permissions.admin,
    paused: readOnly ? 'The server is in maintenance mode; changes are paused.' : null,
  };
}
