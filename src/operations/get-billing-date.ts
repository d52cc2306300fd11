/** get_billing_date: the billing system's "now" (the ledger's simulated clock), for turning "last week" into dates. */
import { z } from 'zod';
import { defineRead } from './define-operation.ts';

/** Input of get_billing_date: nothing. */
export const getBillingDateInput = z.object({}).strict();

/** The billing system's current instant and day (UTC). */
export const getBillingDate = defineRead({
  name: 'get_billing_date',
  description:
    'Today\'s date in the billing system (UTC; the ledger\'s clock, which may differ from the wall clock): use it to turn relative dates like "last week" or "this month" into from/to dates.',
  kind: 'data.read',
  input: getBillingDateInput,
  async run(_context, _input, connector) {
    const now = (await connector.now()).toISOString();
    return { now, today: now.slice(0, 10) };
  },
});
