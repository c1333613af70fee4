// Client routes, in Gitea's URL shapes so links people share between forges keep working:
// /<owner>/<repo>, /<owner>/<repo>/src/branch/<b>/<path>, /commits/branch/<b>, /commit/<sha>,
// /branches, /settings. Pages load lazily: the first paint ships only the shell.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { Shell } from './Shell';
import { NotFoundPage } from './NotFoundPage';

export interface RouterContext {
  queryClient: QueryClient;
}

/** `?page=2&q=x&sort=…` as typed search params (bad values fall back to defaults). */
export const pageSearch = (search: Record<string, unknown>): { page?: number; q?: string; sort?: string } => {
  const page = Number(search.page);
  return {
    page: Number.isInteger(page) && page > 1 ? page : undefined,
    q: typeof search.q === 'string' && search.q ? search.q : undefined,
    sort: typeof search.sort === 'string' && search.sort ? search.sort : undefined,
  };
};

const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Shell, notFoundComponent: NotFoundPage });

const home = createRoute({ getParentRoute: () => rootRoute, path: '/', component: lazyRouteComponent(() => import('../features/home/HomePage'), 'HomePage') });
const explore = createRoute({
  getParentRoute: () => rootRoute,
  path: '/explore/repos',
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import('../features/explore/ExplorePage'), 'ExplorePage'),
});
const signIn = createRoute({
  getParentRoute: () => rootRoute,
  path: '/user/login',
  validateSearch: (s: Record<string, unknown>): { redirect_to?: string } => ({
    redirect_to: typeof s.redirect_to === 'string' && s.redirect_to.startsWith('/') && !s.redirect_to.startsWith('//') ? s.redirect_to : undefined,
  }),
  component: lazyRouteComponent(() => import('../features/session/SignInPage'), 'SignInPage'),
});
const signUp = createRoute({ getParentRoute: () => rootRoute, path: '/user/sign_up', component: lazyRouteComponent(() => import('../features/session/RegisterPage'), 'RegisterPage') });
const newRepo = createRoute({
  getParentRoute: () => rootRoute,
  path: '/repo/create',
  validateSearch: (s: Record<string, unknown>): { owner?: string } => ({ owner: typeof s.owner === 'string' && s.owner ? s.owner : undefined }),
  component: lazyRouteComponent(() => import('../features/repos/NewRepoPage'), 'NewRepoPage'),
});

const userSettings = createRoute({
  getParentRoute: () => rootRoute,
  path: '/user/settings',
  component: lazyRouteComponent(() => import('../features/settings/UserSettingsLayout'), 'UserSettingsLayout'),
});
const userSettingsProfile = createRoute({ getParentRoute: () => userSettings, path: '/', component: lazyRouteComponent(() => import('../features/settings/ProfilePage'), 'ProfilePage') });
const userSettingsAccount = createRoute({ getParentRoute: () => userSettings, path: '/account', component: lazyRouteComponent(() => import('../features/settings/AccountPage'), 'AccountPage') });
const userSettingsTokens = createRoute({ getParentRoute: () => userSettings, path: '/applications', component: lazyRouteComponent(() => import('../features/settings/TokensPage'), 'TokensPage') });
const userSettingsKeys = createRoute({ getParentRoute: () => userSettings, path: '/keys', component: lazyRouteComponent(() => import('../features/settings/KeysPage'), 'KeysPage') });
const userSettingsAppearance = createRoute({
  getParentRoute: () => userSettings,
  path: '/appearance',
  component: lazyRouteComponent(() => import('../features/appearance/AppearancePage'), 'AppearancePage'),
});

const consoleRoute = createRoute({ getParentRoute: () => rootRoute, path: '/console', component: lazyRouteComponent(() => import('../features/console/ConsoleLayout'), 'ConsoleLayout') });
const consoleIndex = createRoute({ getParentRoute: () => consoleRoute, path: '/', component: lazyRouteComponent(() => import('../features/console/DashboardPage'), 'DashboardPage') });
const consoleSettings = createRoute({ getParentRoute: () => consoleRoute, path: 'settings', component: lazyRouteComponent(() => import('../features/console/SettingsPage'), 'SettingsPage') });
const consoleUsers = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'users',
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import('../features/console/UsersPage'), 'UsersPage'),
});
const consoleBackups = createRoute({ getParentRoute: () => consoleRoute, path: 'backups', component: lazyRouteComponent(() => import('../features/console/BackupsPage'), 'BackupsPage') });
const consoleLogs = createRoute({ getParentRoute: () => consoleRoute, path: 'logs', component: lazyRouteComponent(() => import('../features/console/LogsPage'), 'LogsPage') });
const setup = createRoute({
  getParentRoute: () => rootRoute,
  path: '/setup',
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: typeof s.token === 'string' ? s.token : undefined }),
  component: lazyRouteComponent(() => import('../features/console/SetupWizard'), 'SetupWizard'),
});

const owner = createRoute({ getParentRoute: () => rootRoute, path: '/$owner', validateSearch: pageSearch, component: lazyRouteComponent(() => import('../features/users/UserPage'), 'UserPage') });

export const repoRoute = createRoute({ getParentRoute: () => rootRoute, path: '/$owner/$repo', component: lazyRouteComponent(() => import('../features/repo/RepoLayout'), 'RepoLayout') });
const repoHome = createRoute({ getParentRoute: () => repoRoute, path: '/', component: lazyRouteComponent(() => import('../features/code/RepoHomePage'), 'RepoHomePage') });
const repoSrc = createRoute({ getParentRoute: () => repoRoute, path: 'src/$', component: lazyRouteComponent(() => import('../features/code/SourcePage'), 'SourcePage') });
const repoCommits = createRoute({
  getParentRoute: () => repoRoute,
  path: 'commits/$',
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import('../features/history/CommitsPage'), 'CommitsPage'),
});
const repoCommit = createRoute({
  getParentRoute: () => repoRoute,
  path: 'commit/$sha',
  validateSearch: (s: Record<string, unknown>): { style?: 'split' | 'unified' } => ({ style: s.style === 'split' || s.style === 'unified' ? s.style : undefined }),
  component: lazyRouteComponent(() => import('../features/history/CommitPage'), 'CommitPage'),
});
const repoBranches = createRoute({
  getParentRoute: () => repoRoute,
  path: 'branches',
  validateSearch: pageSearch,
  component: lazyRouteComponent(() => import('../features/branches/BranchesPage'), 'BranchesPage'),
});
const repoTags = createRoute({ getParentRoute: () => repoRoute, path: 'tags', validateSearch: pageSearch, component: lazyRouteComponent(() => import('../features/branches/TagsPage'), 'TagsPage') });
const repoContributors = createRoute({
  getParentRoute: () => repoRoute,
  path: 'activity/contributors',
  component: lazyRouteComponent(() => import('../features/history/ContributorsPage'), 'ContributorsPage'),
});
const repoSettings = createRoute({ getParentRoute: () => repoRoute, path: 'settings', component: lazyRouteComponent(() => import('../features/repo-settings/RepoSettingsPage'), 'RepoSettingsPage') });
const repoCollaborators = createRoute({
  getParentRoute: () => repoRoute,
  path: 'settings/collaboration',
  component: lazyRouteComponent(() => import('../features/repo-settings/CollaboratorsPage'), 'CollaboratorsPage'),
});

const routeTree = rootRoute.addChildren([
  home,
  explore,
  signIn,
  signUp,
  newRepo,
  userSettings.addChildren([userSettingsProfile, userSettingsAccount, userSettingsTokens, userSettingsKeys, userSettingsAppearance]),
  consoleRoute.addChildren([consoleIndex, consoleSettings, consoleUsers, consoleBackups, consoleLogs]),
  setup,
  owner,
  repoRoute.addChildren([repoHome, repoSrc, repoCommits, repoCommit, repoBranches, repoTags, repoContributors, repoSettings, repoCollaborators]),
]);

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
