/** usage_against_limits: who is near or over a plan limit (API calls, seats…) this period or last. */
import { z } from 'zod';
import { defineRead } from './define-operation.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of usage_against_limits. */
export const usageAgainstLimitsInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    period: z.enum(['current', 'previous']).default('current'),
    /** Only subscriptions at or above this share of a limit (0.8 = 80%). */
    min_share: z.number().min(0).max(100).default(0.8),
    limit: z.number().int().min(1).max(1000).default(50),
  })
  .strict();

/** Usage against plan limits. */
export const usageAgainstLimits = defineRead({
  name: 'usage_against_limits',
  description:
    'Live subscriptions near or over a plan limit (usage this period or the previous one against limits such as api_calls), highest first; org-wide or for one customer.',
  kind: 'data.read',
  input: usageAgainstLimitsInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const rows = await connector.usageAgainstLimits({
      ...(customer ? { customerId: customer.id } : {}),
      previous: input.period === 'previous',
      minShare: input.min_share,
      limit: input.limit,
    });
    const subscriptions = [];
    for (const row of rows) {
      const owner = customer ?? (await connector.getCustomer(row.customerId));
      subscriptions.push({ ...row, customerName: owner?.name ?? row.customerId, share: row.used / row.allowed });
    }
    const over = subscriptions.filter((row) => row.share > 1).length;
    const percent = Math.round(input.min_share * 100);
    return {
      period: input.period,
      /** The customer asked about (null: org-wide), so a suggestion step can look at their other periods. */
      customerId: customer?.id ?? null,
      subscriptions,
      summary:
        subscriptions.length === 0
          ? `No live subscription used ${percent}% or more of a plan limit in the ${input.period} period.`
          : `${subscriptions.length} subscription(s) used ${percent}% or more of a limit in the ${input.period} period; ${over} went over. Highest: ${subscriptions[0]?.customerName}, ${Math.round((subscriptions[0]?.share ?? 0) * 100)}% of ${subscriptions[0]?.limit}.`,
    };
  },
  subjects: (_input, output) => ({ customerId: output.subscriptions[0]?.customerId ?? null }),
});
