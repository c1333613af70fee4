// The wiki, in Gitea's URL shapes: /wiki (Home), /wiki/<page> (?action=_edit edits it),
// /wiki/_new, /wiki/_pages, /wiki/_search?q=, /wiki/<page>/_history and
// /wiki/<page>/_compare?to=&from= (a diff between two revisions).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

const actionSearch = (s: Record<string, unknown>): { action?: '_edit' } => ({ action: s.action === '_edit' ? '_edit' : undefined });
const sha = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v) ? v : undefined);

export const wikiRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'wiki', validateSearch: actionSearch, component: lazyRouteComponent(() => import('./WikiPageView'), 'WikiHomePage') }),
      createRoute({ getParentRoute: () => repo, path: 'wiki/_new', component: lazyRouteComponent(() => import('./WikiEditor'), 'WikiNewPage') }),
      createRoute({ getParentRoute: () => repo, path: 'wiki/_pages', component: lazyRouteComponent(() => import('./WikiLists'), 'WikiPagesPage') }),
      createRoute({
        getParentRoute: () => repo,
        path: 'wiki/_search',
        validateSearch: (s: Record<string, unknown>): { q?: string } => ({ q: typeof s.q === 'string' ? s.q : undefined }),
        component: lazyRouteComponent(() => import('./WikiLists'), 'WikiSearchPage'),
      }),
      createRoute({ getParentRoute: () => repo, path: 'wiki/$page', validateSearch: actionSearch, component: lazyRouteComponent(() => import('./WikiPageView'), 'WikiNamedPage') }),
      createRoute({ getParentRoute: () => repo, path: 'wiki/$page/_history', component: lazyRouteComponent(() => import('./WikiLists'), 'WikiHistoryPage') }),
      createRoute({
        getParentRoute: () => repo,
        path: 'wiki/$page/_compare',
        validateSearch: (s: Record<string, unknown>): { to?: string; from?: string } => ({ to: sha(s.to), from: sha(s.from) }),
        component: lazyRouteComponent(() => import('./WikiLists'), 'WikiComparePage'),
      }),
    ] as const,
};
