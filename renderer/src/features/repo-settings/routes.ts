// A repository's settings: options, rename, delete; collaborators.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

export const repoSettingsRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'settings', component: lazyRouteComponent(() => import('./RepoSettingsPage'), 'RepoSettingsPage') }),
      createRoute({ getParentRoute: () => repo, path: 'settings/collaboration', component: lazyRouteComponent(() => import('./CollaboratorsPage'), 'CollaboratorsPage') }),
    ] as const,
};
