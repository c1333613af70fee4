// Billing, the viewer's own: /-/billing (credits, plans to buy, history). Stripe Checkout comes
// back to ?checkout=done or ?checkout=cancelled. The console's page is in features/console.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import type { RootRoute } from '../../app/route-parents';

export interface BillingSearch {
  checkout?: 'done' | 'cancelled';
  page?: number;
}

export const billingSearch = (search: Record<string, unknown>): BillingSearch => {
  const page = Number(search.page);
  return {
    checkout: search.checkout === 'done' || search.checkout === 'cancelled' ? search.checkout : undefined,
    page: Number.isInteger(page) && page > 1 ? page : undefined,
  };
};

export const billingRoutes = {
  root: (root: RootRoute) =>
    [createRoute({ getParentRoute: () => root, path: '/-/billing', validateSearch: billingSearch, component: lazyRouteComponent(() => import('./BillingPage'), 'BillingPage') })] as const,
};
