/**
 * What a restricted key may do, found with cheap calls before Leash stores it: a list call per read permission,
 * and for writes a request on an id that does not exist (Stripe checks the permission first: without it the answer
 * is a 403 naming the missing `rak_*` permission; with it, a 404 and nothing changes).
 */
import Stripe from 'stripe';
import { LeashError } from '../../domain/errors.ts';
import type { PERMISSIONS_NEEDED } from './restricted-key.ts';

/** A permission Leash needs, and how to test it. */
interface Check {
  need: (typeof PERMISSIONS_NEEDED)[number];
  probe(stripe: Stripe): Promise<unknown>;
}

const PROBE_ID = 'leash_permission_probe';

/** The permissions Leash needs, in the words of Stripe's restricted-key screen. */
export const REQUIRED_PERMISSIONS: readonly Check[] = [
  { need: 'Charges: read', probe: (stripe) => stripe.charges.list({ limit: 1 }) },
  { need: 'Customers: read', probe: (stripe) => stripe.customers.list({ limit: 1 }) },
  { need: 'Customers: write', probe: (stripe) => stripe.customers.update(`cus_${PROBE_ID}`, {}) },
  { need: 'Subscriptions: read', probe: (stripe) => stripe.subscriptions.list({ limit: 1 }) },
  { need: 'Subscriptions: write', probe: (stripe) => stripe.subscriptions.update(`sub_${PROBE_ID}`, {}) },
  { need: 'Invoices: read', probe: (stripe) => stripe.invoices.list({ limit: 1 }) },
  { need: 'Invoices: write', probe: (stripe) => stripe.invoices.update(`in_${PROBE_ID}`, {}) },
  { need: 'Refunds: write', probe: (stripe) => stripe.refunds.create({ charge: `ch_${PROBE_ID}` }) },
  { need: 'PaymentMethods: read', probe: (stripe) => stripe.paymentMethods.list({ limit: 1, type: 'card' }) },
];

/** What the probe found. */
export interface PermissionReport {
  granted: string[];
  missing: { need: string; stripePermission: string | null }[];
}

/** The `rak_*` permission a 403 names, if it names one. */
export function missingPermissionOf(message: string): string | null {
  return /'(rak_[a-z0-9_]+)'/.exec(message)?.[1] ?? /\b(rak_[a-z0-9_]+)\b/.exec(message)?.[1] ?? null;
}

/** Runs every check; a rejected key or an unreachable Stripe stops with a clear error. */
export async function probePermissions(stripe: Stripe): Promise<PermissionReport> {
  const report: PermissionReport = { granted: [], missing: [] };
  for (const check of REQUIRED_PERMISSIONS) {
    try {
      await check.probe(stripe);
      report.granted.push(check.need);
    } catch (error) {
      if (error instanceof Stripe.errors.StripePermissionError) {
        report.missing.push({ need: check.need, stripePermission: missingPermissionOf(error.message) });
      } else if (error instanceof Stripe.errors.StripeAuthenticationError) {
        throw new LeashError('bad_input', 'Stripe rejected the key: it was revoked, expired, or mistyped', {
          field: 'key',
        });
      } else if (
        error instanceof Stripe.errors.StripeConnectionError ||
        error instanceof Stripe.errors.StripeAPIError
      ) {
        throw new LeashError(
          'unavailable',
          `Stripe could not be reached to check the key (${error.message}); nothing was stored`,
        );
      } else if (error instanceof Stripe.errors.StripeRateLimitError) {
        throw new LeashError('unavailable', 'Stripe is rate-limiting this account; try connecting again in a minute');
      } else if (error instanceof Stripe.errors.StripeError) {
        // 404 on the probe id, 400 on its parameters: the permission itself was granted.
        report.granted.push(check.need);
      } else throw error;
    }
  }
  return report;
}
