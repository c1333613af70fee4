// Pull requests: the list (/pulls), comparing branches and opening one (/compare/<base>...<head>),
// and one pull request's tabs (/pulls/<n>: conversation, /pulls/<n>/commits, /pulls/<n>/files).
// The tabs are sibling routes, each framed by PullLayout (nested routes here would cost the route
// tree its search-param types); the frame's data is cached, so switching tabs fetches nothing.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

const styleSearch = (s: Record<string, unknown>): { style?: 'split' | 'unified' } => ({ style: s.style === 'split' || s.style === 'unified' ? s.style : undefined });

export const pullsRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({
        getParentRoute: () => repo,
        path: 'pulls',
        validateSearch: (s: Record<string, unknown>): { state?: 'closed'; page?: number } => {
          const page = Number(s.page);
          return { state: s.state === 'closed' ? 'closed' : undefined, page: Number.isInteger(page) && page > 1 ? page : undefined };
        },
        component: lazyRouteComponent(() => import('./PullsPage'), 'PullsPage'),
      }),
      createRoute({ getParentRoute: () => repo, path: 'compare/$', validateSearch: styleSearch, component: lazyRouteComponent(() => import('./ComparePage'), 'ComparePage') }),
      createRoute({ getParentRoute: () => repo, path: 'pulls/$number', component: lazyRouteComponent(() => import('./ConversationTab'), 'ConversationPage') }),
      createRoute({ getParentRoute: () => repo, path: 'pulls/$number/commits', component: lazyRouteComponent(() => import('./CommitsTab'), 'CommitsPage') }),
      createRoute({
        getParentRoute: () => repo,
        path: 'pulls/$number/files',
        validateSearch: styleSearch,
        // a big diff takes a while: ask for it now, alongside the page's code (not on a hover)
        loader: ({ context, params, preload }) => {
          if (!preload) void import('./api').then((api) => api.prefetchPullFiles(context.queryClient, params.owner, params.repo, Number(params.number)));
        },
        component: lazyRouteComponent(() => import('./FilesTab'), 'FilesPage'),
      }),
    ] as const,
};
