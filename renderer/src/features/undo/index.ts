export { RevertDialog } from './RevertDialog';
export { RestoreDialog } from './RestoreDialog';
export { ResetDialog } from './ResetDialog';
export { RecentResets } from './RecentResets';
export { useUndoAccess, type UndoAccess } from './access';
