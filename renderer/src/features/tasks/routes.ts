// The task board: /<owner>/<repo>/tasks, with ?task=<id> opening that card (the link a
// notification about a card points at).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RepoRoute } from '../../app/route-parents';

export const tasksRoutes = {
  repo: (repo: RepoRoute) =>
    [
      createRoute({
        getParentRoute: () => repo,
        path: 'tasks',
        validateSearch: (s: Record<string, unknown>): { task?: number } => {
          const n = Number(s.task);
          return { task: Number.isSafeInteger(n) && n > 0 ? n : undefined };
        },
        component: lazyRouteComponent(() => import('./BoardPage'), 'BoardPage'),
      }),
    ] as const,
};
