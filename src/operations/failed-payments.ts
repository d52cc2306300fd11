/** failed_payments: failed card payments in a window, with reasons ("7 failed payments totalling $1,245: …"). */
import { z } from 'zod';
import type { FailureCode } from '../domain/billing.ts';
import { type Currency, formatMoney, money } from '../domain/money.ts';
import { defineRead } from './define-operation.ts';
import { describeWindow, resolveWindow, windowFields } from './period.ts';
import { resolveCustomer } from './resolve-customer.ts';

/** Input of failed_payments. */
export const failedPaymentsInput = z
  .object({
    customer: z.string().min(1).max(200).optional(),
    ...windowFields,
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** How people say each failure reason, singular and plural. */
const REASONS: Record<FailureCode, [string, string]> = {
  expired_card: ['expired card', 'expired cards'],
  insufficient_funds: ['insufficient funds', 'insufficient funds'],
  card_declined: ['card declined', 'cards declined'],
  fraudulent: ['fraud block', 'fraud blocks'],
  processing_error: ['processing error', 'processing errors'],
};

/** "4 expired cards, 2 insufficient funds, 1 fraud block". */
export function describeReasons(reasons: Partial<Record<FailureCode, number>>): string {
  return Object.entries(reasons)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0) || a[0].localeCompare(b[0]))
    .map(([code, count]) => {
      const words = REASONS[code as FailureCode] ?? [code, code];
      return `${count} ${count === 1 ? words[0] : words[1]}`;
    })
    .join(', ');
}

/** Failed payments in a window. */
export const failedPayments = defineRead({
  name: 'failed_payments',
  description:
    'Failed card payments in a window (default: the last 7 days), org-wide or for one customer: each attempt with its reason, totals per currency and a one-line summary by reason.',
  kind: 'data.read',
  input: failedPaymentsInput,
  async run(_context, input, connector) {
    const customer = input.customer ? await resolveCustomer(connector, input.customer) : undefined;
    const now = await connector.now();
    const window =
      input.from || input.to
        ? resolveWindow(input, now, 1)
        : { from: new Date(now.getTime() - 7 * 86_400_000), until: new Date(now.getTime() + 1) };
    const charges = await connector.listCharges({
      status: 'failed',
      createdFrom: window.from,
      createdTo: window.until,
      ...(customer ? { customerId: customer.id } : {}),
      limit: 10_000,
    });
    const reasons: Partial<Record<FailureCode, number>> = {};
    const totals = new Map<Currency, number>();
    for (const charge of charges) {
      const code = charge.failureCode ?? 'card_declined';
      reasons[code] = (reasons[code] ?? 0) + 1;
      totals.set(charge.currency, (totals.get(charge.currency) ?? 0) + charge.amount);
    }
    const names = new Map<string, string>();
    const failures = [];
    for (const charge of charges.slice(0, input.limit)) {
      if (!names.has(charge.customerId))
        names.set(charge.customerId, (await connector.getCustomer(charge.customerId))?.name ?? charge.customerId);
      failures.push({ ...charge, customerName: names.get(charge.customerId) ?? charge.customerId });
    }
    const amounts = [...totals.entries()].map(([currency, amount]) => formatMoney(money(amount, currency)));
    const summary =
      charges.length === 0
        ? `No failed payments in ${describeWindow(window)}.`
        : `${charges.length} failed payment${charges.length === 1 ? '' : 's'} totalling ${amounts.join(' + ')}: ${describeReasons(reasons)}.`;
    return {
      window: { ...window, label: describeWindow(window) },
      count: charges.length,
      totals: [...totals.entries()].map(([currency, amount]) => ({ currency, amount })),
      reasons,
      failures,
      summary,
    };
  },
  subjects: (_input, output) => ({ customerId: output.failures[0]?.customerId ?? null }),
});
