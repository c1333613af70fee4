// /user/settings/appearance: theme, background, cursor and font.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { UserSettingsRoute } from '../../app/route-parents';

export const appearanceRoutes = {
  userSettings: (settings: UserSettingsRoute) =>
    [createRoute({ getParentRoute: () => settings, path: '/appearance', component: lazyRouteComponent(() => import('./AppearancePage'), 'AppearancePage') })] as const,
};
