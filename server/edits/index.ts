// The public surface of server/edits: web edits (Gitea's contents API and the editor's extras)
// as a service other features may call — the AI feature previews a change set's diff with it.
export { EditService, BRANCH_CHANGED, BACKUP_PREFIX, EDIT_BODY_LIMIT_BYTES, changeSetBody, decodeOps, type ChangeSetBody, type EditPreview, type EditResult, type ResetBackup } from './service.js';
export { checkEditPath, isDotGitAlias } from './paths.js';

import type { EditService } from './service.js';

declare module '../services.js' {
  interface Services {
    edits: EditService;
  }
}
