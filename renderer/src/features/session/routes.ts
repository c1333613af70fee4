// Sign in (with a same-site redirect_to) and register.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export const sessionRoutes = {
  root: (root: RootRoute) =>
    [
      createRoute({
        getParentRoute: () => root,
        path: '/user/login',
        validateSearch: (s: Record<string, unknown>): { redirect_to?: string } => ({
          redirect_to: typeof s.redirect_to === 'string' && s.redirect_to.startsWith('/') && !s.redirect_to.startsWith('//') ? s.redirect_to : undefined,
        }),
        component: lazyRouteComponent(() => import('./SignInPage'), 'SignInPage'),
      }),
      createRoute({ getParentRoute: () => root, path: '/user/sign_up', component: lazyRouteComponent(() => import('./RegisterPage'), 'RegisterPage') }),
    ] as const,
};
