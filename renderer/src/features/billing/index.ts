// The public surface of billing for other pages: whether it is on (the header's menu), and what
// the operator console shows and edits.
export { useBillingEnabled, useAdminPlans, useSavePlan, useAdminBalances, useAdjustCredits, useRefreshBilling, isBillingOff } from './api';
export { credits, formatMoney, minorDigits, toMajor, toMinor } from './money';
export type { Plan, PlanInput, PlanKind, UserBalance } from './types';
