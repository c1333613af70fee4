// A repository's branches and tags.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

export const branchesRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'branches', validateSearch: pageSearch, component: lazyRouteComponent(() => import('./BranchesPage'), 'BranchesPage') }),
      createRoute({ getParentRoute: () => repo, path: 'tags', validateSearch: pageSearch, component: lazyRouteComponent(() => import('./TagsPage'), 'TagsPage') }),
    ] as const,
};
