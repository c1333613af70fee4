// A repository's code: its home (README and tree) and /src/<ref>/<path>.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

export const codeRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: '/', component: lazyRouteComponent(() => import('./RepoHomePage'), 'RepoHomePage') }),
      createRoute({ getParentRoute: () => repo, path: 'src/$', component: lazyRouteComponent(() => import('./SourcePage'), 'SourcePage') }),
    ] as const,
};
