import type Stripe from 'stripe';
import {
  type BalanceTransaction,
  type Charge,
  type CreditNote,
  externalPayment,
  type Invoice,
  type Refund,
  type UsageRecord,
} from '../../domain/billing.ts';
import { badInput, invalidState, LeashError, notFound } from '../../domain/errors.ts';
import type * as Connector from '../connector.ts';
import { answeredAt } from './mirror-store.ts';
import type { StripeSession } from './stripe-session.ts';

/** Refunds a charge (the reason in metadata); after a day, first looks for the refund by its key. */
export async function refundCharge(
  session: StripeSession,
  input: Connector.RefundChargeInput,
  options: Connector.WriteOptions,
): Promise<Refund> {
  const key = options.idempotencyKey;
  const refund = await session.write(
    key,
    'refund the charge',
    (stripe, request) =>
      stripe.refunds.create(
        {
          charge: input.chargeId,
          ...(input.amount !== undefined ? { amount: input.amount } : {}),
          metadata: session.metadata(key, input.reason ? { leash_reason: input.reason.slice(0, 500) } : {}),
        },
        request,
      ),
    async (stripe) => {
      const earlier = await stripe.refunds.list({ charge: input.chargeId, limit: 100 });
      return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
    },
  );
  const charge = await session.call('read the refunded charge', (stripe) => stripe.charges.retrieve(input.chargeId));
  await session.mirror('charge', charge);
  await session.mirror('refund', refund);
  const [mirrored] = await session
    .listRefunds({ chargeId: input.chargeId })
    .then((all) => all.filter((row) => row.id === refund.id));
  if (!mirrored) throw new LeashError('internal', `Stripe answered but the mirror has no refund ${refund.id}`);
  return mirrored;
}

/** Credits a customer's balance; after a day, first looks for the balance change by its key. */
export async function creditCustomer(
  session: StripeSession,
  input: Connector.CreditCustomerInput,
  options: Connector.WriteOptions,
): Promise<BalanceTransaction> {
  const key = options.idempotencyKey;
  const transaction = await session.write(
    key,
    'credit the customer',
    (stripe, request) =>
      stripe.customers.createBalanceTransaction(
        input.customerId,
        {
          amount: -input.amount,
          currency: input.currency,
          description: input.description,
          metadata: session.metadata(key),
        },
        request,
      ),
    async (stripe) => {
      const earlier = await stripe.customers.listBalanceTransactions(input.customerId, { limit: 100 });
      return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
    },
  );
  const customer = await session.call('read the customer', (stripe) =>
    stripe.customers.retrieve(input.customerId, { expand: ['invoice_settings.default_payment_method'] }),
  );
  await session.mirror('customer', customer);
  await session.mirror('customer_balance_transaction', transaction);
  const found = (await session.listBalanceTransactions(input.customerId)).find((row) => row.id === transaction.id);
  if (!found)
    throw new LeashError('internal', `Stripe answered but the mirror has no balance change ${transaction.id}`);
  return found;
}

/** Issues a credit note on an invoice; after a day, first looks for it by its key. */
export async function createCreditNote(
  session: StripeSession,
  input: Connector.CreateCreditNoteInput,
  options: Connector.WriteOptions,
): Promise<CreditNote> {
  const key = options.idempotencyKey;
  const note = await session.write(
    key,
    'issue the credit note',
    (stripe, request) =>
      stripe.creditNotes.create(
        { invoice: input.invoiceId, amount: input.amount, memo: input.reason, metadata: session.metadata(key) },
        request,
      ),
    async (stripe) => {
      const earlier = await stripe.creditNotes.list({ invoice: input.invoiceId, limit: 100 });
      return earlier.data.find((candidate) => candidate.metadata?.leash_idempotency_key === key);
    },
  );
  await session.mirror('credit_note', note);
  await session.refreshInvoice(input.invoiceId);
  const found = (await session.listCreditNotes({ invoiceId: input.invoiceId })).find((row) => row.id === note.id);
  if (!found) throw new LeashError('internal', `Stripe answered but the mirror has no credit note ${note.id}`);
  return found;
}

/** Collects an open invoice now; a declined card is an answer (the failed charge), not an error. */
export async function payInvoice(
  session: StripeSession,
  input: { invoiceId: string },
  options: Connector.WriteOptions,
): Promise<{ invoice: Invoice; charge: Charge | null }> {
  const before = await session.getInvoice(input.invoiceId);
  if (!before) throw notFound('invoice', input.invoiceId);
  if (before.status !== 'open') throw invalidState(`invoice ${before.number} is ${before.status}, not open`);
  const started = Math.floor(Date.now() / 1000) - 1;
  try {
    await session.write(options.idempotencyKey, 'collect the invoice', (stripe, request) =>
      stripe.invoices.pay(input.invoiceId, {}, request),
    );
  } catch (error) {
    // A declined card is an answer, not a failure: the attempt and its failed charge are the result.
    if (!(error instanceof LeashError && error.details.stripeCode === 'card_declined')) throw error;
  }
  const invoice = await session.refreshInvoice(input.invoiceId);
  const [charge] = await session.listCharges({
    customerId: invoice.customerId,
    createdFrom: new Date(started * 1000),
    limit: 1,
  });
  return { invoice, charge: charge ?? null };
}

/** Marks an invoice paid out of band (Stripe records whole invoices only; it keeps no charge for it). */
export async function recordPayment(
  session: StripeSession,
  input: Connector.RecordPaymentInput,
  options: Connector.WriteOptions,
): Promise<{ invoice: Invoice; charge: Charge }> {
  const before = await session.getInvoice(input.invoiceId);
  if (!before) throw notFound('invoice', input.invoiceId);
  if (input.amount !== before.amountRemaining)
    throw badInput(
      'amount',
      `Stripe records a payment made outside it for the whole invoice only (${before.amountRemaining} remaining)`,
    );
  await session.write(options.idempotencyKey, 'mark the invoice paid out of band', (stripe, request) =>
    stripe.invoices.pay(input.invoiceId, { paid_out_of_band: true }, request),
  );
  const invoice = await session.refreshInvoice(input.invoiceId);
  // Stripe keeps no charge for money received elsewhere: the payment is described, not stored.
  const charge = externalPayment(invoice, {
    id: `oob_${invoice.id}`,
    amount: input.amount,
    at: invoice.paidAt ?? new Date(),
  });
  return { invoice, charge };
}

/** An action on one invoice (`what` finishes "Stripe refused to …"), then the invoice as Stripe left it. */
async function invoiceAction(
  session: StripeSession,
  invoiceId: string,
  options: Connector.WriteOptions,
  what: string,
  action: (stripe: Stripe, request: Stripe.RequestOptions) => Promise<unknown>,
): Promise<Invoice> {
  await session.write(options.idempotencyKey, what, action);
  return session.refreshInvoice(invoiceId);
}

/** Voids an open invoice. */
export function voidInvoice(
  session: StripeSession,
  input: { invoiceId: string },
  options: Connector.WriteOptions,
): Promise<Invoice> {
  return invoiceAction(session, input.invoiceId, options, 'void the invoice', (stripe, request) =>
    stripe.invoices.voidInvoice(input.invoiceId, {}, request),
  );
}

/** Creates a draft invoice to be paid by transfer, one invoice item per line. */
export async function createInvoice(
  session: StripeSession,
  input: Connector.CreateInvoiceInput,
  options: Connector.WriteOptions,
): Promise<Invoice> {
  const key = options.idempotencyKey;
  const customer = await session.getCustomer(input.customerId);
  if (!customer || customer.deletedAt) throw notFound('customer', input.customerId);
  const invoice = await session.write(key, 'create the invoice', (stripe, request) =>
    stripe.invoices.create(
      {
        customer: input.customerId,
        currency: input.currency ?? customer.currency,
        collection_method: 'send_invoice',
        days_until_due: input.daysUntilDue ?? 30,
        auto_advance: false,
        pending_invoice_items_behavior: 'exclude',
        ...(input.memo ? { description: input.memo } : {}),
        metadata: session.metadata(key),
      },
      request,
    ),
  );
  for (const [index, line] of input.lines.entries()) {
    const quantity = line.quantity ?? 1;
    await session.write(`${key}:line:${index}`, 'add the invoice line', (stripe, request) =>
      stripe.invoiceItems.create(
        {
          customer: input.customerId,
          invoice: invoice.id,
          currency: input.currency ?? customer.currency,
          amount: line.amount * quantity,
          description: quantity === 1 ? line.description : `${line.description} × ${quantity}`,
          metadata: session.metadata(`${key}:line:${index}`),
        },
        request,
      ),
    );
  }
  return session.refreshInvoice(invoice.id);
}

/** Finalizes a draft invoice. */
export function finalizeInvoice(
  session: StripeSession,
  input: { invoiceId: string },
  options: Connector.WriteOptions,
): Promise<Invoice> {
  return invoiceAction(session, input.invoiceId, options, 'finalize the invoice', (stripe, request) =>
    stripe.invoices.finalizeInvoice(input.invoiceId, {}, request),
  );
}

/** Sends an invoice and notes the time in metadata (Stripe keeps none). */
export async function sendInvoice(
  session: StripeSession,
  input: { invoiceId: string },
  options: Connector.WriteOptions,
): Promise<Invoice> {
  const key = options.idempotencyKey;
  const sent = await session.write(key, 'send the invoice', (stripe, request) =>
    stripe.invoices.sendInvoice(input.invoiceId, {}, request),
  );
  // Stripe keeps no sent time; Leash notes its own sends on the invoice.
  await session.write(`${key}:sent`, 'note the invoice as sent', (stripe, request) =>
    stripe.invoices.update(input.invoiceId, { metadata: { leash_sent_at: String(answeredAt(sent)) } }, request),
  );
  return session.refreshInvoice(input.invoiceId);
}

/** Refused: usage on Stripe is reported as meter events by the product itself. */
export async function recordUsage(
  _session: StripeSession,
  _input: Connector.RecordUsageInput,
  _options: Connector.WriteOptions,
): Promise<UsageRecord> {
  throw invalidState('usage on Stripe is reported as meter events by your product, not recorded through Leash');
}
