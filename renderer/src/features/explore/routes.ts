// /explore/repos: search and sort the repositories the viewer may see.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

export const exploreRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({
        getParentRoute: () => root,
        path: '/explore/repos',
        validateSearch: pageSearch,
        component: lazyRouteComponent(() => import('./ExplorePage'), 'ExplorePage'),
      }),
    ] as const,
};
