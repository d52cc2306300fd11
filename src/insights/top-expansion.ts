/** top_expansion: the customers whose MRR grew most in a period, with the plans they are on now. */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import { defineRead } from '../operations/define-operation.ts';
import { type Chart, currencyField, describeWindow, resolveWindow, show, windowFields } from '../operations/period.ts';
import { mainCurrency } from './mrr-movements.ts';

/** Input of top_expansion. */
export const topExpansionInput = z
  .object({ ...windowFields, currency: currencyField, limit: z.number().int().min(1).max(100).default(10) })
  .strict();

/** A customer's live plans by product name and price nickname. */
export async function livePlans(connector: BillingConnector, customerId: string): Promise<string[]> {
  const plans: string[] = [];
  for (const subscription of await connector.listSubscriptions({ customerId, limit: 20 })) {
    if (subscription.status === 'canceled') continue;
    for (const item of subscription.items) {
      const price = await connector.getPrice(item.priceId);
      const product = price ? await connector.getProduct(price.productId) : undefined;
      plans.push(price?.nickname || (product ? `${product.name} (${price?.interval ?? 'one-off'})` : item.priceId));
    }
  }
  return plans;
}

/** Top customers by expansion MRR. */
export const topExpansion = defineRead({
  name: 'top_expansion',
  description:
    'The customers whose MRR grew most (upgrades, more seats) in a period, with their current plans (default: the last 3 months).',
  kind: 'data.read',
  input: topExpansionInput,
  async run(_context, input, connector) {
    const window = resolveWindow(input, await connector.now(), 3);
    const currency = await mainCurrency(connector, input.currency);
    const rows = await connector.expansionByCustomer({ currency, ...window, limit: input.limit });
    const customers = [];
    for (const row of rows) {
      const customer = await connector.getCustomer(row.customerId);
      customers.push({
        ...row,
        name: customer?.name ?? row.customerId,
        country: customer?.country ?? '',
        plans: await livePlans(connector, row.customerId),
      });
    }
    const total = customers.reduce((sum, customer) => sum + customer.expansion, 0);
    const top = customers[0];
    const chart: Chart = {
      kind: 'bar',
      x: customers.map((customer) => customer.name),
      series: [{ name: 'expansion', values: customers.map((customer) => customer.expansion) }],
      unit: 'minor units',
    };
    return {
      currency,
      window: { from: window.from, until: window.until, label: describeWindow(window) },
      customers,
      explanation: top
        ? `${top.name} expanded most, adding ${show(top.expansion, currency)} MRR (now on ${
            top.plans.join(', ') || 'no live plan'
          }). The top ${customers.length} together added ${show(total, currency)} MRR in ${describeWindow(window)}.`
        : `No customer billed in ${currency.toUpperCase()} expanded in ${describeWindow(window)}. Upgrades and added seats would show here.`,
      chart,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customers[0]?.customerId ?? null }),
});
