/**
 * Writes the demo's rows in large multi-row inserts, in foreign-key order, inside transactions. Mutable rows
 * (customers, subscriptions) are inserted once and brought to their final state with one set-based update.
 */
import { type Kysely, sql } from 'kysely';
import {
  customerToRow,
  invoiceLineRows,
  invoiceToRow,
  subscriptionItemRows,
  subscriptionToRow,
} from '../connectors/ledger/rows.ts';
import type {
  BalanceTransaction,
  Charge,
  Customer,
  Invoice,
  Refund,
  Subscription,
  UsageRecord,
} from '../domain/billing.ts';
import type { Database } from '../store/schema.ts';

const CHUNK = 500;

type Table = keyof Database;

/** Buffers demo rows and writes them in bulk. */
export class DemoWriter {
  private readonly queues = new Map<Table, Record<string, unknown>[]>();
  private readonly invoiceUpdates = new Map<string, Invoice>();
  rowsWritten = 0;

  constructor(private readonly db: Kysely<Database>) {}

  private queue(table: Table, rows: Record<string, unknown>[]): void {
    const list = this.queues.get(table) ?? [];
    for (const row of rows) list.push(row);
    this.queues.set(table, list);
  }

  addCustomer(customer: Customer): void {
    this.queue('customers', [customerToRow(customer)]);
  }
  addSubscription(subscription: Subscription): void {
    this.queue('subscriptions', [subscriptionToRow(subscription)]);
    this.queue('subscriptionItems', subscriptionItemRows(subscription));
  }
  addInvoice(invoice: Invoice): void {
    this.queue('invoices', [invoiceToRow(invoice)]);
    this.queue('invoiceLines', invoiceLineRows(invoice));
  }
  /** Queues the new state of an invoice already queued or written (payments, dunning). */
  updateInvoice(invoice: Invoice): void {
    this.invoiceUpdates.set(invoice.id, invoice);
  }
  addCharge(charge: Charge): void {
    this.queue('charges', [{ ...charge }]);
  }
  addRefund(refund: Refund): void {
    this.queue('refunds', [{ ...refund }]);
  }
  addBalanceTransactions(transactions: BalanceTransaction[]): void {
    this.queue(
      'balanceTransactions',
      transactions.map((transaction) => ({ ...transaction })),
    );
  }
  addUsage(record: UsageRecord): void {
    this.queue('usageRecords', [{ ...record }]);
  }
  addRows(table: Table, rows: Record<string, unknown>[]): void {
    this.queue(table, rows);
  }

  /** Writes everything queued, parents before children. */
  async flush(): Promise<void> {
    const order: Table[] = [
      'products',
      'prices',
      'coupons',
      'customers',
      'subscriptions',
      'subscriptionItems',
      'invoices',
      'invoiceLines',
      'charges',
      'refunds',
      'balanceTransactions',
      'usageRecords',
    ];
    await this.db.transaction().execute(async (trx) => {
      for (const table of order) {
        const rows = this.queues.get(table) ?? [];
        for (let start = 0; start < rows.length; start += CHUNK) {
          await trx
            .insertInto(table)
            .values(rows.slice(start, start + CHUNK) as never)
            .execute();
        }
        this.rowsWritten += rows.length;
        this.queues.set(table, []);
      }
      const updates = [...this.invoiceUpdates.values()].map(
        (invoice) =>
          sql`(${invoice.id}, ${invoice.status}, ${invoice.amountPaid}::bigint, ${invoice.amountDue}::bigint, ${invoice.amountRemaining}::bigint, ${invoice.paidAt}::timestamptz, ${invoice.attemptCount}::int, ${invoice.nextPaymentAttempt}::timestamptz, ${invoice.memo}::text)`,
      );
      this.invoiceUpdates.clear();
      for (let start = 0; start < updates.length; start += CHUNK) {
        await sql`update invoices i set status = v.status, amount_paid = v.paid, amount_due = v.due, amount_remaining = v.remaining, paid_at = v.paid_at,
            attempt_count = v.attempts, next_payment_attempt = v.next_attempt, memo = v.memo
          from (values ${sql.join(updates.slice(start, start + CHUNK))}) as v(id, status, paid, due, remaining, paid_at, attempts, next_attempt, memo)
          where i.id = v.id`.execute(trx);
      }
    });
  }

  /** Brings customers (balance, card) and subscriptions (status, periods, coupon) to their final state. */
  async finalize(customers: Iterable<Customer>, subscriptions: Iterable<Subscription>): Promise<void> {
    const customerRows = [...customers].map(
      (customer) =>
        sql`(${customer.id}, ${customer.balance}::bigint, ${customer.paymentMethod ? JSON.stringify(customer.paymentMethod) : null}::jsonb)`,
    );
    const subscriptionRows = [...subscriptions].map(
      (subscription) =>
        sql`(${subscription.id}, ${subscription.status}, ${subscription.currentPeriodStart}::timestamptz, ${subscription.currentPeriodEnd}::timestamptz, ${subscription.billingAnchor}::timestamptz, ${subscription.cancelAtPeriodEnd}::boolean, ${subscription.canceledAt}::timestamptz, ${subscription.endedAt}::timestamptz, ${subscription.cancellationReason}::text, ${subscription.couponId}::text, ${subscription.discountEnd}::timestamptz, ${subscription.items[0]?.priceId ?? null}::text)`,
    );
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < customerRows.length; start += CHUNK) {
        await sql`update customers c set balance = v.balance, payment_method = v.payment_method
          from (values ${sql.join(customerRows.slice(start, start + CHUNK))}) as v(id, balance, payment_method) where c.id = v.id`.execute(
          trx,
        );
      }
      for (let start = 0; start < subscriptionRows.length; start += CHUNK) {
        await sql`update subscriptions s set status = v.status, current_period_start = v.ps, current_period_end = v.pe, billing_anchor = v.anchor,
            cancel_at_period_end = v.cape, canceled_at = v.canceled_at, ended_at = v.ended_at, cancellation_reason = v.reason, coupon_id = v.coupon_id, discount_end = v.discount_end
          from (values ${sql.join(subscriptionRows.slice(start, start + CHUNK))}) as v(id, status, ps, pe, anchor, cape, canceled_at, ended_at, reason, coupon_id, discount_end, price_id)
          where s.id = v.id`.execute(trx);
        await sql`update subscription_items i set price_id = v.price_id
          from (values ${sql.join(subscriptionRows.slice(start, start + CHUNK))}) as v(id, status, ps, pe, anchor, cape, canceled_at, ended_at, reason, coupon_id, discount_end, price_id)
          where i.subscription_id = v.id and i.position = 0`.execute(trx);
      }
    });
  }
}
