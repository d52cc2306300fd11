/**
 * Every write operation's free-text fields that leave Leash (issue 17), read from its validated input: what a
 * billing system stores and shows (a refund's reason goes to Stripe as `leash_reason` metadata, a credit's reason
 * becomes its description, a credit note's its memo, a cancellation's its comment; invoice lines and memos,
 * catalogue names and descriptions are printed on invoices), and reply texts. A reply's text is checked when it
 * is drafted and again, from the stored draft, when it is sent (operations/outbound-scan.ts).
 *
 * Every write is listed, with `[]` when nothing of its text leaves Leash (the `reason` of most writes stays in
 * the audit log): test/policy/exfiltration.test.ts fails when a new write is not, so none is forgotten.
 */
import type { OutboundText } from './outbound-text.ts';

type Input = Record<string, unknown>;
type Fields = (input: Input) => OutboundText[];

const text = (field: string, value: unknown): OutboundText[] =>
  typeof value === 'string' && value.trim() ? [{ field, text: value }] : [];

const reasonAs =
  (field: string): Fields =>
  (input) =>
    text(field, input.reason);

const none: Fields = () => [];

/** The outbound free text of each write operation, by name. */
export const OUTBOUND_FIELDS: Readonly<Record<string, Fields>> = {
  draft_reply: (input) => [...text('the reply subject', input.subject), ...text('the reply body', input.body)],
  // The stored draft's subject and body, read by operations/guard-facts.ts: the input holds only the message id.
  send_reply: none,
  refund_charge: reasonAs('the refund reason'),
  credit_customer: reasonAs('the credit description'),
  create_credit_note: reasonAs('the credit note memo'),
  cancel_subscription: reasonAs('the cancellation comment'),
  record_payment: (input) => text('the payment reference', input.reference),
  create_invoice: (input) => [
    ...text('the invoice memo', input.memo),
    ...(Array.isArray(input.lines) ? input.lines : []).flatMap((line, index) =>
      text(`invoice line ${index + 1}`, (line as Input | null)?.description),
    ),
  ],
  update_customer: (input) => {
    const address = (input.address ?? {}) as Input;
    return (['line1', 'line2', 'city', 'state'] as const).flatMap((part) =>
      text(`the address (${part})`, address[part]),
    );
  },
  create_coupon: (input) => text('the coupon name', input.name),
  create_product: (input) => [
    ...text('the product description', input.description),
    ...text('the overage note', input.overage),
  ],
  create_plan: (input) => [
    ...text('the plan description', input.description),
    ...text('the overage note', input.overage),
  ],
  create_price: (input) => text('the price nickname', input.nickname),
  create_usage_price: none,
  create_regional_discounts: none,
  create_customer: none,
  create_subscription: none,
  change_plan: none,
  apply_coupon: none,
  remove_coupon: none,
  retry_invoice: none,
  void_invoice: none,
  record_usage: none,
  create_ticket: none,
  add_member: none,
  change_member_role: none,
  // Who may use which mode stays inside Leash.
  set_policy_modes: none,
  bulk_apply_coupon: none,
  bulk_migrate_plan: none,
  // Every rendered message is scanned by the operation itself, each against its own customer.
  notify_customers: none,
  bulk_retry_invoices: none,
  // An endpoint's URL and description stay in Leash; what it later receives is Leash's own event records.
  create_webhook_endpoint: none,
  update_webhook_endpoint: none,
  delete_webhook_endpoint: none,
};

/** The outbound free text of one write's input (none for an operation not listed). */
export function outboundTexts(operation: string, input: unknown): OutboundText[] {
  const fields = Object.hasOwn(OUTBOUND_FIELDS, operation) ? OUTBOUND_FIELDS[operation] : undefined;
  if (!fields || !input || typeof input !== 'object') return [];
  return fields(input as Input);
}
