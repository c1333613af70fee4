// Issues: the list (/issues, its filters in the URL as Gitea and GitHub keep them: shareable and
// kept by the back button), opening one (/issues/new), one issue's conversation (/issues/<n>),
// and the repository's labels (/labels) and milestones (/milestones).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';
import type { IssueFilters, IssueSort } from './types';

const SORTS: readonly IssueSort[] = ['newest', 'oldest', 'recentupdate', 'mostcomment'];
const text = (v: unknown, max = 200) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);

/** `?state=closed&labels=bug&q=crash&…` as typed filters (unknown values fall back to the defaults). */
export function issueSearch(s: Record<string, unknown>): IssueFilters {
  const page = Number(s.page);
  return {
    state: s.state === 'closed' || s.state === 'all' ? s.state : undefined,
    labels: text(s.labels),
    milestone: text(s.milestone),
    assignee: text(s.assignee, 64),
    author: text(s.author, 64),
    mentioned: text(s.mentioned, 64),
    q: text(s.q),
    sort: SORTS.includes(s.sort as IssueSort) ? (s.sort as IssueSort) : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
}

export const issuesRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'issues', validateSearch: issueSearch, component: lazyRouteComponent(() => import('./IssuesPage'), 'IssuesPage') }),
      createRoute({ getParentRoute: () => repo, path: 'issues/new', component: lazyRouteComponent(() => import('./NewIssuePage'), 'NewIssuePage') }),
      createRoute({ getParentRoute: () => repo, path: 'issues/$number', component: lazyRouteComponent(() => import('./IssuePage'), 'IssuePage') }),
      createRoute({ getParentRoute: () => repo, path: 'labels', component: lazyRouteComponent(() => import('./LabelsPage'), 'LabelsPage') }),
      createRoute({
        getParentRoute: () => repo,
        path: 'milestones',
        validateSearch: (s: Record<string, unknown>): { state?: 'closed' } => ({ state: s.state === 'closed' ? 'closed' : undefined }),
        component: lazyRouteComponent(() => import('./MilestonesPage'), 'MilestonesPage'),
      }),
    ] as const,
};
