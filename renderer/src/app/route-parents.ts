// The routes other routes hang under: the root (the Shell around every page), the user
// settings layout (/user/settings/*) and the repository layout (/$owner/$repo/*). Features
// take these as the parent of the routes they build (their routes.ts), and router.tsx mounts
// what each feature returns. Nothing here imports a feature's code but the lazy layouts.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, lazyRouteComponent, type AnyRoute } from '@tanstack/react-router';
import { NotFoundPage } from './NotFoundPage';
import { Shell } from './Shell';

export interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Shell, notFoundComponent: NotFoundPage });

export const userSettingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/user/settings',
  component: lazyRouteComponent(() => import('../features/settings/UserSettingsLayout'), 'UserSettingsLayout'),
});

export const repoRoute = createRoute({ getParentRoute: () => rootRoute, path: '/$owner/$repo', component: lazyRouteComponent(() => import('../features/repo/RepoLayout'), 'RepoLayout') });

export type RootRoute = typeof rootRoute;
export type UserSettingsRoute = typeof userSettingsRoute;
export type RepoRoute = typeof repoRoute;

/**
 * What a feature adds to the route tree, by parent: pages under the root, pages in the user
 * settings layout, pages in the repository layout. Each returns its routes `as const` so the
 * tree keeps their paths, params and search types; router.tsx checks a feature against this
 * type (a `satisfies` in the feature itself would type its routes as any route).
 */
export interface FeatureRoutes {
  root?: (parent: RootRoute) => readonly AnyRoute[];
  userSettings?: (parent: UserSettingsRoute) => readonly AnyRoute[];
  repo?: (parent: RepoRoute) => readonly AnyRoute[];
}
