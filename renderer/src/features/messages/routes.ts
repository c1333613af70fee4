// /messages: your conversations; /messages/$id: one of them.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export const messagesRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({ getParentRoute: () => root, path: '/messages', component: lazyRouteComponent(() => import('./MessagesPage'), 'MessagesPage') }),
      createRoute({ getParentRoute: () => root, path: '/messages/$id', component: lazyRouteComponent(() => import('./MessagesPage'), 'MessagesPage') }),
    ] as const,
};
