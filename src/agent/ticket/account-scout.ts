/**
 * Account Scout: gathers the facts that matter for a ticket's class, each with the ids it comes from. Every
 * look-up goes through `runRead`, so it is gated and lands in the audit log like any other read.
 */
import type { Charge, Customer, Invoice, Subscription } from '../../domain/billing.ts';
import { personDate } from '../../domain/person-time.ts';
import type { TicketClass } from '../../domain/tickets.ts';
import type { OperationContext } from '../../operations/define-operation.ts';
import type { DoubleCharge } from '../../operations/find-double-charges.ts';
import type { DuplicateGroup } from '../../operations/find-duplicate-subscriptions.ts';
import { show } from '../../operations/period.ts';
import { runRead } from '../../operations/run-operation.ts';

/** A fact and the records it rests on. */
export interface TicketFact {
  label: string;
  value: string;
  sources: string[];
}

/** What the scout found. */
export interface ScoutReport {
  customer: Customer;
  subscriptions: Subscription[];
  invoices: Invoice[];
  charges: Charge[];
  doubleCharges: DoubleCharge[];
  duplicateSubscriptions: DuplicateGroup[];
  planSummary: string | null;
  historySummary: string | null;
  failedSummary: string | null;
  facts: TicketFact[];
}

/** One customer's whole history is small: customer-scoped look-ups cover all of it. */
const ALL_HISTORY = '2000-01';

/** The one date format of replies and cards: "3 Nov 2026". */
const day = (date: Date | string) => personDate(date);

function invoiceFact(invoice: Invoice): TicketFact {
  const due = invoice.status === 'open' && invoice.dueDate ? `, due ${day(invoice.dueDate)}` : '';
  return {
    label: `Invoice ${invoice.number}`,
    value: `${show(invoice.total, invoice.currency)}, ${invoice.status}${due} (issued ${day(invoice.createdAt)}${
      invoice.tax ? `, tax ${show(invoice.tax, invoice.currency)}` : ''
    })`,
    sources: [invoice.id],
  };
}

/** Reads what a ticket of `ticketClass` about `customerRef` needs. */
export async function scoutAccount(
  context: OperationContext,
  ticketClass: TicketClass,
  customerRef: string,
): Promise<ScoutReport> {
  const read = <T>(name: string, input: Record<string, unknown>) => runRead(context, name, input) as Promise<T>;
  const found = await read<{
    customer: Customer;
    subscriptions: Subscription[];
    invoices: Invoice[];
    charges: Charge[];
  }>('get_customer', { customer_id: customerRef });
  const { customer } = found;
  const report: ScoutReport = {
    ...found,
    doubleCharges: [],
    duplicateSubscriptions: [],
    planSummary: null,
    historySummary: null,
    failedSummary: null,
    facts: [
      {
        label: 'Customer',
        value: `${customer.name} <${customer.email}>, ${customer.country}, billed in ${customer.currency.toUpperCase()}`,
        sources: [customer.id],
      },
    ],
  };
  const money = ['invoice', 'refund', 'payment_failure', 'other'].includes(ticketClass);
  if (money) {
    const { doubleCharges } = await read<{ doubleCharges: DoubleCharge[] }>('find_double_charges', {
      customer: customer.id,
      from: ALL_HISTORY,
    });
    report.doubleCharges = doubleCharges;
    for (const double of doubleCharges)
      report.facts.push({
        label: 'Possible double charge',
        value: double.summary,
        sources: [
          ...new Set(double.charges.flatMap((charge) => [charge.id, ...(charge.invoiceId ? [charge.invoiceId] : [])])),
        ],
      });
  }
  if (money || ticketClass === 'cancellation' || ticketClass === 'plan') {
    const { groups } = await read<{ groups: DuplicateGroup[] }>('find_duplicate_subscriptions', {
      customer: customer.id,
    });
    report.duplicateSubscriptions = groups;
    for (const group of groups)
      report.facts.push({
        label: 'Duplicate subscriptions',
        value: group.summary,
        sources: group.subscriptions.map((evidence) => evidence.subscriptionId),
      });
  }
  if (['invoice', 'refund', 'tax', 'payment_failure', 'other'].includes(ticketClass))
    for (const invoice of found.invoices.slice(0, 3)) report.facts.push(invoiceFact(invoice));
  if (['plan', 'usage', 'cancellation'].includes(ticketClass)) {
    const plan = await read<{ summary: string; plans: { subscriptionId: string }[] }>('explain_plan', {
      customer: customer.id,
    });
    report.planSummary = plan.summary;
    report.facts.push({
      label: 'Plan and limits',
      value: plan.summary,
      sources: plan.plans.map((item) => item.subscriptionId),
    });
  }
  if (ticketClass === 'cancellation') {
    const history = await read<{ summary: string }>('subscription_history', { customer: customer.id, limit: 50 });
    report.historySummary = history.summary;
    report.facts.push({ label: 'History', value: history.summary, sources: [customer.id] });
  }
  if (ticketClass === 'payment_failure') {
    const failed = await read<{ summary: string; failures: Charge[] }>('failed_payments', {
      customer: customer.id,
      from: ALL_HISTORY,
    });
    report.failedSummary = failed.summary;
    report.facts.push({
      label: 'Failed payments',
      value: failed.summary,
      sources: failed.failures.slice(0, 10).map((charge) => charge.id),
    });
  }
  return report;
}
