/**
 * What a proposal's money is, in words, for the line that shows it on a card: a refund is "refunded to the
 * customer", a coupon on many subscriptions is the "monthly revenue given away", a plan change's negative amount
 * due is a credit. Every write whose preview carries money has its own label here (a test proposes every write
 * and checks); "Amount" is only the fallback for one that has none.
 */

/** A preview's money as a card shows it: what it is, and the amount (never negative: the label says which way). */
export interface MoneyLine {
  label: string;
  amount: number;
  currency: string;
}

type Label = string | ((amount: number) => string);

/** The label of each write's preview money. */
export const MONEY_LABELS: Readonly<Record<string, Label>> = {
  refund_charge: 'Refunded to the customer',
  credit_customer: "Added to the customer's credit balance",
  create_credit_note: 'Credited on the invoice',
  retry_invoice: 'To collect now (left to pay)',
  void_invoice: 'No longer owed once voided',
  create_invoice: 'Invoice subtotal',
  record_payment: 'Payment recorded',
  create_subscription: 'Billed each period (before trial and coupon)',
  change_plan: (amount) => (amount < 0 ? 'Credited to the customer for the change' : 'Due now for the change'),
  bulk_apply_coupon: 'Monthly revenue given away',
  bulk_retry_invoices: 'To collect, at most',
};

/** A preview's money with its label ("Monthly revenue given away (USD)"), or null when it has none. */
export function moneyLine(
  operation: string,
  money: { amount: number; currency: string } | null | undefined,
): MoneyLine | null {
  if (!money) return null;
  const label = MONEY_LABELS[operation] ?? 'Amount';
  const words = typeof label === 'function' ? label(money.amount) : label;
  return {
    label: `${words} (${money.currency.toUpperCase()})`,
    amount: Math.abs(money.amount),
    currency: money.currency,
  };
}
