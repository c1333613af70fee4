// Client routes, in Gitea's URL shapes so links people share between forges keep working:
// /<owner>/<repo>, /<owner>/<repo>/src/branch/<b>/<path>, /commits/branch/<b>, /commit/<sha>,
// /branches, /settings. Pages load lazily: the first paint ships only the shell.
//
// Each feature declares its routes in its own routes.ts; this file is the list of features,
// mounted under the root, the user settings layout and the repository layout (the server's
// module list works the same way). Adding a feature's pages touches only that list.
import { createRouter, type AnyRoute } from '@tanstack/react-router';
import { appearanceRoutes } from '../features/appearance/routes';
import { billingRoutes } from '../features/billing/routes';
import { branchesRoutes } from '../features/branches/routes';
import { ciRoutes } from '../features/ci/routes';
import { codeRoutes } from '../features/code/routes';
import { editRoutes } from '../features/edit/routes';
import { consoleRoutes } from '../features/console/routes';
import { exploreRoutes } from '../features/explore/routes';
import { historyRoutes } from '../features/history/routes';
import { homeRoutes } from '../features/home/routes';
import { issuesRoutes } from '../features/issues/routes';
import { messagesRoutes } from '../features/messages/routes';
import { notificationsRoutes } from '../features/notifications/routes';
import { pullsRoutes } from '../features/pulls/routes';
import { repoSettingsRoutes } from '../features/repo-settings/routes';
import { reposRoutes } from '../features/repos/routes';
import { securityRoutes } from '../features/security/routes';
import { sessionRoutes } from '../features/session/routes';
import { settingsRoutes } from '../features/settings/routes';
import { shellsRoutes } from '../features/shells/routes';
import { tasksRoutes } from '../features/tasks/routes';
import { usersRoutes } from '../features/users/routes';
import { webhooksRoutes } from '../features/webhooks/routes';
import { wikiRoutes } from '../features/wiki/routes';
import { repoRoute, rootRoute, userSettingsRoute, type FeatureRoutes } from './route-parents';

/** Every feature with pages. */
const FEATURES = [
  homeRoutes,
  exploreRoutes,
  sessionRoutes,
  reposRoutes,
  settingsRoutes,
  appearanceRoutes,
  notificationsRoutes,
  messagesRoutes,
  shellsRoutes,
  billingRoutes,
  consoleRoutes,
  usersRoutes,
  codeRoutes,
  editRoutes,
  historyRoutes,
  branchesRoutes,
  issuesRoutes,
  pullsRoutes,
  ciRoutes,
  tasksRoutes,
  wikiRoutes,
  repoSettingsRoutes,
  webhooksRoutes,
  securityRoutes,
] as const satisfies readonly FeatureRoutes[];

type Slot = keyof FeatureRoutes;
type Parent<S extends Slot> = Parameters<NonNullable<FeatureRoutes[S]>>[0];
/** The routes the features give one slot, as one tuple type (so the tree stays fully typed). */
type Mounted<M extends readonly unknown[], S extends Slot> = M extends readonly [infer Head, ...infer Tail]
  ? [...(Head extends { [K in S]: (parent: never) => infer R extends readonly AnyRoute[] } ? R : []), ...Mounted<Tail, S>]
  : [];

function mount<S extends Slot>(slot: S, parent: Parent<S>): Mounted<typeof FEATURES, S> {
  const routes: AnyRoute[] = [];
  for (const feature of FEATURES as readonly FeatureRoutes[]) {
    const build = feature[slot] as ((p: Parent<S>) => readonly AnyRoute[]) | undefined;
    if (build) routes.push(...build(parent));
  }
  return routes as unknown as Mounted<typeof FEATURES, S>;
}

const routeTree = rootRoute.addChildren([...mount('root', rootRoute), userSettingsRoute.addChildren(mount('userSettings', userSettingsRoute)), repoRoute.addChildren(mount('repo', repoRoute))]);

export const router = createRouter({
  routeTree,
  context: { queryClient: undefined! },
  defaultPreload: 'intent',
  defaultPreloadStaleTime: 0,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
