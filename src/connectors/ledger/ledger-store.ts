/** Persisting engine results: one place that writes invoices, charges, customers and subscriptions. */
import { sql } from 'kysely';
import type { BalanceTransaction, Charge, Customer, Invoice, Subscription } from '../../domain/billing.ts';
import type { Executor } from './ledger-reads.ts';
import { customerToRow, invoiceLineRows, invoiceToRow, subscriptionItemRows, subscriptionToRow } from './rows.ts';

/** The next invoice number of an org (INV-000001, …), atomically. */
export async function nextInvoiceNumber(executor: Executor, orgId: string): Promise<string> {
  const row = await executor
    .insertInto('ledgerSequences')
    .values({ orgId, name: 'invoice', value: 1 })
    .onConflict((conflict) =>
      conflict.columns(['orgId', 'name']).doUpdateSet({ value: sql`ledger_sequences.value + 1` }),
    )
    .returning('value')
    .executeTakeFirstOrThrow();
  return `INV-${String(row.value).padStart(6, '0')}`;
}

/** Inserts a new invoice with its lines. */
export async function insertInvoice(executor: Executor, invoice: Invoice): Promise<void> {
  await executor.insertInto('invoices').values(invoiceToRow(invoice)).execute();
  const lines = invoiceLineRows(invoice);
  if (lines.length > 0) await executor.insertInto('invoiceLines').values(lines).execute();
}

/** Updates an invoice's state and amounts (its lines never change once issued). */
export async function updateInvoice(executor: Executor, invoice: Invoice): Promise<void> {
  const { id, orgId, lines: _lines, ...fields } = invoice;
  await executor.updateTable('invoices').set(fields).where('orgId', '=', orgId).where('id', '=', id).execute();
}

/** Inserts charges. */
export async function insertCharges(executor: Executor, charges: Charge[]): Promise<void> {
  if (charges.length > 0) await executor.insertInto('charges').values(charges).execute();
}

/** Saves a customer's balance with the transactions that explain it. */
export async function saveBalance(
  executor: Executor,
  customer: Customer,
  transactions: BalanceTransaction[],
): Promise<void> {
  if (transactions.length === 0) return;
  await executor
    .updateTable('customers')
    .set({ balance: customer.balance })
    .where('orgId', '=', customer.orgId)
    .where('id', '=', customer.id)
    .execute();
  await executor.insertInto('balanceTransactions').values(transactions).execute();
}

/** Inserts a customer. */
export async function insertCustomer(executor: Executor, customer: Customer): Promise<void> {
  await executor.insertInto('customers').values(customerToRow(customer)).execute();
}

/** Inserts a subscription with its items. */
export async function insertSubscription(executor: Executor, subscription: Subscription): Promise<void> {
  await executor.insertInto('subscriptions').values(subscriptionToRow(subscription)).execute();
  await executor.insertInto('subscriptionItems').values(subscriptionItemRows(subscription)).execute();
}

/** Updates a subscription and, when given, replaces its items. */
export async function updateSubscription(
  executor: Executor,
  subscription: Subscription,
  replaceItems = false,
): Promise<void> {
  const { id, orgId, ...fields } = subscriptionToRow(subscription);
  await executor.updateTable('subscriptions').set(fields).where('orgId', '=', orgId).where('id', '=', id).execute();
  if (!replaceItems) return;
  await executor.deleteFrom('subscriptionItems').where('orgId', '=', orgId).where('subscriptionId', '=', id).execute();
  await executor.insertInto('subscriptionItems').values(subscriptionItemRows(subscription)).execute();
}
