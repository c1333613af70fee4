// A repository's security view: /<owner>/<repo>/security?state=&page= (its secret-scanning
// findings, the rescan and the private-key setting). Repository administrators only: the server
// answers 404 to everyone else, and the tab is shown to administrators only.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';
import { FINDING_STATES, type FindingState } from './types';

export interface SecuritySearch {
  state?: FindingState;
  page?: number;
}

export const securitySearch = (search: Record<string, unknown>): SecuritySearch => {
  const page = Number(search.page);
  return {
    state: (FINDING_STATES as readonly unknown[]).includes(search.state) && search.state !== 'open' ? (search.state as FindingState) : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
};

export const securityRoutes = {
  repo: (repo: RepoRoute) =>
    [createRoute({ getParentRoute: () => repo, path: 'security', validateSearch: securitySearch, component: lazyRouteComponent(() => import('./SecurityPage'), 'SecurityPage') })] as const,
};
