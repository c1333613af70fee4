// The operator console (/console/*) and the first-run wizard (/setup).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';
import { pageSearch } from '../../lib/route-search';

export const consoleRoutes = {
  root: (root: RootRoute) => {
    const layout = createRoute({ getParentRoute: () => root, path: '/console', component: lazyRouteComponent(() => import('./ConsoleLayout'), 'ConsoleLayout') });
    // each page is its own const: created inside addChildren([...]) it would take its types from
    // the parameter (any route) instead of its options
    const dashboard = createRoute({ getParentRoute: () => layout, path: '/', component: lazyRouteComponent(() => import('./DashboardPage'), 'DashboardPage') });
    const settings = createRoute({ getParentRoute: () => layout, path: 'settings', component: lazyRouteComponent(() => import('./SettingsPage'), 'SettingsPage') });
    const users = createRoute({ getParentRoute: () => layout, path: 'users', validateSearch: pageSearch, component: lazyRouteComponent(() => import('./UsersPage'), 'UsersPage') });
    const backups = createRoute({ getParentRoute: () => layout, path: 'backups', component: lazyRouteComponent(() => import('./BackupsPage'), 'BackupsPage') });
    const logs = createRoute({ getParentRoute: () => layout, path: 'logs', component: lazyRouteComponent(() => import('./LogsPage'), 'LogsPage') });
    const events = createRoute({ getParentRoute: () => layout, path: 'events', component: lazyRouteComponent(() => import('./EventsPage'), 'EventsPage') });
    const ci = createRoute({ getParentRoute: () => layout, path: 'ci', component: lazyRouteComponent(() => import('./CiPage'), 'CiPage') });
    const shells = createRoute({ getParentRoute: () => layout, path: 'shells', component: lazyRouteComponent(() => import('./ShellsPage'), 'ShellsPage') });
    const billing = createRoute({ getParentRoute: () => layout, path: 'billing', component: lazyRouteComponent(() => import('./BillingPage'), 'BillingPage') });
    const reports = createRoute({ getParentRoute: () => layout, path: 'reports', component: lazyRouteComponent(() => import('./ReportsPage'), 'ReportsPage') });
    const setup = createRoute({
      getParentRoute: () => root,
      path: '/setup',
      validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: typeof s.token === 'string' ? s.token : undefined }),
      component: lazyRouteComponent(() => import('./SetupWizard'), 'SetupWizard'),
    });
    return [layout.addChildren([dashboard, settings, users, backups, logs, events, ci, shells, billing, reports]), setup] as const;
  },
};
