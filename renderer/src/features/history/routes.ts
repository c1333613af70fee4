// A repository's history: commits of a ref, one commit's diff, contributors.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

export const historyRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'commits/$', validateSearch: pageSearch, component: lazyRouteComponent(() => import('./CommitsPage'), 'CommitsPage') }),
      createRoute({
        getParentRoute: () => repo,
        path: 'commit/$sha',
        validateSearch: (s: Record<string, unknown>): { style?: 'split' | 'unified' } => ({ style: s.style === 'split' || s.style === 'unified' ? s.style : undefined }),
        component: lazyRouteComponent(() => import('./CommitPage'), 'CommitPage'),
      }),
      createRoute({ getParentRoute: () => repo, path: 'activity/contributors', component: lazyRouteComponent(() => import('./ContributorsPage'), 'ContributorsPage') }),
    ] as const,
};
