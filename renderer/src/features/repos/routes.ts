// /repo/create: a new repository (?owner= preselects an organization).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export const reposRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({
        getParentRoute: () => root,
        path: '/repo/create',
        validateSearch: (s: Record<string, unknown>): { owner?: string } => ({ owner: typeof s.owner === 'string' && s.owner ? s.owner : undefined }),
        component: lazyRouteComponent(() => import('./NewRepoPage'), 'NewRepoPage'),
      }),
    ] as const,
};
