// /notifications: the viewer's notification threads; /user/settings/notifications: which mail you.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute, UserSettingsRoute } from '../../app/route-parents';

export const notificationsRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({
        getParentRoute: () => root,
        path: '/notifications',
        validateSearch: (s: Record<string, unknown>): { all?: boolean; page?: number } => {
          const page = Number(s.page);
          return { all: s.all === true || s.all === 'true' ? true : undefined, page: Number.isInteger(page) && page > 1 ? page : undefined };
        },
        component: lazyRouteComponent(() => import('./NotificationsPage'), 'NotificationsPage'),
      }),
    ] as const,
  userSettings: (settings: UserSettingsRoute) =>
    [createRoute({ getParentRoute: () => settings, path: '/notifications', component: lazyRouteComponent(() => import('./NotificationSettingsPage'), 'NotificationSettingsPage') })] as const,
};
