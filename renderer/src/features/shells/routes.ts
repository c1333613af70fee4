// Dev shells, the viewer's own: /-/shells (the list) and /-/shells/<id> (one shell's terminal).
// `-` is no account's name, so these never meet a /<owner>/<repo> page. The console's page is in
// features/console; the start dialog hangs off a repository's code page.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export const shellsRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({ getParentRoute: () => root, path: '/-/shells', component: lazyRouteComponent(() => import('./ShellsPage'), 'ShellsPage') }),
      createRoute({ getParentRoute: () => root, path: '/-/shells/$id', component: lazyRouteComponent(() => import('./ShellPage'), 'ShellPage') }),
    ] as const,
};
