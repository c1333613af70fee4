// A repository's webhooks, among its settings: /settings/hooks (the list), /settings/hooks/new
// and /settings/hooks/<id> (edit, test, the delivery log), as Gitea has them.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

export const webhooksRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'settings/hooks', component: lazyRouteComponent(() => import('./WebhooksPage'), 'WebhooksPage') }),
      createRoute({ getParentRoute: () => repo, path: 'settings/hooks/new', component: lazyRouteComponent(() => import('./WebhookPage'), 'NewWebhookPage') }),
      createRoute({ getParentRoute: () => repo, path: 'settings/hooks/$id', component: lazyRouteComponent(() => import('./WebhookPage'), 'WebhookPage') }),
    ] as const,
};
