// Editing in the browser, in Gitea's URL shapes: /_new/<branch>/<dir> (a new file),
// /_edit/<branch>/<path> (a file in the editor) and /_upload/<branch>/<dir> (files and folders
// dropped in). The server splits the branch from the path, as for /src/branch/…. Moves and
// deletes are dialogs on the code pages; every one of them commits through CommitDialog.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

export const editRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: '_new/$', component: lazyRouteComponent(() => import('./EditorPage'), 'NewFilePage') }),
      createRoute({ getParentRoute: () => repo, path: '_edit/$', component: lazyRouteComponent(() => import('./EditorPage'), 'EditFilePage') }),
      createRoute({ getParentRoute: () => repo, path: '_upload/$', component: lazyRouteComponent(() => import('./UploadPage'), 'UploadPage') }),
    ] as const,
};
