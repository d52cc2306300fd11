/**
 * view_customer: everything the dashboard's customer page shows, in one read and so one audit row per page view:
 * contact and card, plans with limits, the subscription timeline, a page of invoices and of payments (sorted and
 * paged like list_invoices and payment_history), tickets, and the flags support looks for first — duplicate
 * subscriptions and suspected double charges. It runs the same reads the agent uses; only the audit is shared.
 */
import { z } from 'zod';
import { CHARGE_SORT_COLUMNS, INVOICE_SORT_COLUMNS } from '../connectors/connector.ts';
import { defineRead } from './define-operation.ts';
import { explainPlan } from './explain-plan.ts';
import { listInvoices, listInvoicesInput } from './list-invoices.ts';
import { sortField } from './list-sort.ts';
import { listTickets, listTicketsInput } from './list-tickets.ts';
import { paymentHistory, paymentHistoryInput } from './payment-history.ts';
import { resolveCustomer } from './resolve-customer.ts';
import { subscriptionHistory } from './subscription-history.ts';

/** Two charges this close together, same amount and currency, are flagged as a possible double charge. */
const DOUBLE_CHARGE_HOURS = 72;

/** Input of view_customer. */
export const viewCustomerInput = z
  .object({
    customer_id: z.string().min(1).max(200),
    page_size: z.number().int().min(5).max(100).default(25),
    invoice_offset: z.number().int().min(0).max(10_000_000).default(0),
    invoice_sort: sortField(INVOICE_SORT_COLUMNS),
    payment_offset: z.number().int().min(0).max(10_000_000).default(0),
    payment_sort: sortField(CHARGE_SORT_COLUMNS),
  })
  .strict();

/** The flags of one customer: live subscriptions that bill twice for a product, and charge pairs that look doubled. */
async function customerFlags(connector: Parameters<typeof explainPlan.run>[2], customerId: string, since: Date) {
  const now = await connector.now();
  const [duplicates, doubles] = await Promise.all([
    connector.findDuplicateSubscriptions({ customerId, limit: 50 }),
    connector.findDoubleCharges({
      customerId,
      from: since,
      until: new Date(now.getTime() + 86_400_000),
      withinHours: DOUBLE_CHARGE_HOURS,
      limit: 50,
    }),
  ]);
  return {
    duplicateSubscriptions: duplicates.map((group) => ({
      productId: group.productId,
      subscriptionIds: group.subscriptions.map((subscription) => subscription.id),
    })),
    doubleCharges: doubles.map(({ first, second }) => ({
      chargeIds: [first.id, second.id],
      amount: second.amount,
      currency: second.currency,
      refundable: second.amount - second.amountRefunded,
    })),
  };
}

/** One customer's page. */
export const viewCustomer = defineRead({
  name: 'view_customer',
  description:
    "One customer's page in one read: contact, plans and limits, subscription timeline, a page of invoices and of payments (page_size, invoice_offset/invoice_sort, payment_offset/payment_sort, with counts), tickets, duplicate subscriptions and suspected double charges.",
  kind: 'data.read',
  input: viewCustomerInput,
  async run(context, input, connector) {
    const customer = await resolveCustomer(connector, input.customer_id);
    const reference = { customer: customer.id };
    const [plan, history, invoices, payments, tickets, flags] = await Promise.all([
      explainPlan.run(context, reference, connector),
      subscriptionHistory.run(context, { ...reference, limit: 100 }, connector),
      listInvoices.run(
        context,
        listInvoicesInput.parse({
          ...reference,
          limit: input.page_size,
          offset: input.invoice_offset,
          ...(input.invoice_sort ? { sort: input.invoice_sort } : {}),
        }),
        connector,
      ),
      paymentHistory.run(
        context,
        paymentHistoryInput.parse({
          ...reference,
          limit: input.page_size,
          offset: input.payment_offset,
          ...(input.payment_sort ? { sort: input.payment_sort } : {}),
        }),
        connector,
      ),
      listTickets.run(context, listTicketsInput.parse({ ...reference, limit: 20 }), connector),
      customerFlags(connector, customer.id, customer.createdAt),
    ]);
    return {
      customer,
      plan: { plans: plan.plans, summary: plan.summary },
      history: { events: history.events, summary: history.summary },
      invoices: { invoices: invoices.invoices, count: invoices.count },
      payments: { payments: payments.payments, count: payments.count },
      tickets: tickets.tickets,
      ...flags,
    };
  },
  subjects: (_input, output) => ({ customerId: output.customer.id }),
});
