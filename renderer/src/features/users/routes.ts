// /$owner: a user's or an organization's page.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

/** `?tab=followers|following` shows those people instead of the repositories (as GitHub's profiles do). */
const userSearch = (search: Record<string, unknown>): ReturnType<typeof pageSearch> & { tab?: 'followers' | 'following' } => ({
  ...pageSearch(search),
  tab: search.tab === 'followers' || search.tab === 'following' ? search.tab : undefined,
});

export const usersRoutes = {
  root: (root: RootRoute) => [createRoute({ getParentRoute: () => root, path: '/$owner', validateSearch: userSearch, component: lazyRouteComponent(() => import('./UserPage'), 'UserPage') })] as const,
};
