// The home page: the signed-in user's dashboard, or the welcome page.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export const homeRoutes = {
  root: (root: RootRoute) => [createRoute({ getParentRoute: () => root, path: '/', component: lazyRouteComponent(() => import('./HomePage'), 'HomePage') })] as const,
};
