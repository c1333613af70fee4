// /$owner: a user's or an organization's page.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

export const usersRoutes = {
  root: (root: RootRoute) => [createRoute({ getParentRoute: () => root, path: '/$owner', validateSearch: pageSearch, component: lazyRouteComponent(() => import('./UserPage'), 'UserPage') })] as const,
};
