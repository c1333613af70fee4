// A repository's CI: /<owner>/<repo>/ci (its jobs, filtered by branch and state) and
// /<owner>/<repo>/ci/<id> (one job with its live log), and /<owner>/<repo>/settings/ci (its image
// and secrets, among the repository's settings). The console's page is in features/console.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';
import { JOB_STATES, type JobState } from './types';

export interface JobsSearch {
  branch?: string;
  state?: JobState;
  page?: number;
}

export const jobsSearch = (search: Record<string, unknown>): JobsSearch => {
  const page = Number(search.page);
  return {
    branch: typeof search.branch === 'string' && search.branch ? search.branch.slice(0, 255) : undefined,
    state: (JOB_STATES as readonly unknown[]).includes(search.state) ? (search.state as JobState) : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
};

export const ciRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({ getParentRoute: () => repo, path: 'ci', validateSearch: jobsSearch, component: lazyRouteComponent(() => import('./CiJobsPage'), 'CiJobsPage') }),
      createRoute({ getParentRoute: () => repo, path: 'ci/$id', component: lazyRouteComponent(() => import('./CiJobPage'), 'CiJobPage') }),
      createRoute({ getParentRoute: () => repo, path: 'settings/ci', component: lazyRouteComponent(() => import('./CiSettingsPage'), 'CiSettingsPage') }),
    ] as const,
};
