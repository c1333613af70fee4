// The user's own settings pages inside the /user/settings layout: profile, account, security
// (two-factor sign-in), tokens, keys; and, outside the layout, the password change an
// administrator's reset asks for.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute, UserSettingsRoute } from '../../app/route-parents';

export const settingsRoutes = {
  root: (root: RootRoute) =>
    [createRoute({ getParentRoute: () => root, path: '/user/change_password', component: lazyRouteComponent(() => import('./ChangeRequiredPasswordPage'), 'ChangeRequiredPasswordPage') })] as const,
  userSettings: (settings: UserSettingsRoute) =>
    [
      createRoute({ getParentRoute: () => settings, path: '/', component: lazyRouteComponent(() => import('./ProfilePage'), 'ProfilePage') }),
      createRoute({ getParentRoute: () => settings, path: '/account', component: lazyRouteComponent(() => import('./AccountPage'), 'AccountPage') }),
      createRoute({ getParentRoute: () => settings, path: '/security', component: lazyRouteComponent(() => import('./SecurityPage'), 'SecurityPage') }),
      createRoute({ getParentRoute: () => settings, path: '/applications', component: lazyRouteComponent(() => import('./TokensPage'), 'TokensPage') }),
      createRoute({ getParentRoute: () => settings, path: '/keys', component: lazyRouteComponent(() => import('./KeysPage'), 'KeysPage') }),
    ] as const,
};
