/**
 * The embedded ledger as a BillingConnector. Each write runs in one transaction (the operation's, when it has
 * one) under its idempotency key, and locks the rows it changes so concurrent writes cannot overdraw.
 */
import type { Transaction } from 'kysely';
import type {
  BalanceTransaction,
  Charge,
  Coupon,
  CreditNote,
  Customer,
  Invoice,
  Price,
  Product,
  Refund,
  Subscription,
  UsageRecord,
} from '../../domain/billing.ts';
import { badInput, invalidState, LeashError, notFound } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { assertMinorUnits, isCurrency, toCurrency } from '../../domain/money.ts';
import type { Database } from '../../store/schema.ts';
import type * as Connector from '../connector.ts';
import { advanceLedgerClock, setLedgerClock } from './advance-ledger-clock.ts';
import {
  addDays,
  applyCustomerCredit,
  attemptPayment,
  defaultTaxRate,
  invoiceTotals,
  receivePayment,
} from './engine/index.ts';
import { idempotent } from './idempotent-write.ts';
import { type Executor, LedgerReads } from './ledger-reads.ts';
import {
  insertCharges,
  insertCustomer,
  insertInvoice,
  nextInvoiceNumber,
  saveBalance,
  updateInvoice,
} from './ledger-store.ts';
import { previewRenewals } from './renewal-previews.ts';
import { couponToRow, priceToRow, productToRow } from './rows.ts';
import * as subscriptions from './subscription-writes.ts';

const COUNTRY = /^[A-Z]{2}$/;

/** The ledger connector of one org, on one executor. */
export class LedgerConnector extends LedgerReads implements Connector.BillingConnector {
  readonly name = 'ledger' as const;

  constructor(executor: Executor, orgId: string) {
    super(executor, orgId);
  }

  private write<T>(
    operation: string,
    request: unknown,
    options: Connector.WriteOptions,
    effect: (ledger: LedgerConnector) => Promise<T>,
  ): Promise<T> {
    return idempotent(
      this.executor,
      { orgId: this.orgId, key: options.idempotencyKey, operation, request },
      (trx: Transaction<Database>) => effect(new LedgerConnector(trx, this.orgId)),
    );
  }

  private async lockInvoice(invoiceId: string): Promise<Invoice> {
    const locked = await this.executor
      .selectFrom('invoices')
      .select('id')
      .where('orgId', '=', this.orgId)
      .where('id', '=', invoiceId)
      .forUpdate()
      .executeTakeFirst();
    const invoice = locked ? await this.getInvoice(invoiceId) : undefined;
    if (!invoice) throw notFound('invoice', invoiceId);
    return invoice;
  }

  previewPlanChange(input: Connector.ChangePlanInput): Promise<Connector.PlanChangePreview> {
    return subscriptions.previewPlanChange(this, input);
  }

  previewRenewals(list: readonly Subscription[]): Promise<Connector.UpcomingInvoice[]> {
    return previewRenewals(this, list);
  }

  createCustomer(input: Connector.CreateCustomerInput, options: Connector.WriteOptions): Promise<Customer> {
    return this.write('create_customer', input, options, async (ledger) => {
      if (!input.name.trim()) throw badInput('name', 'a customer needs a name');
      if (!COUNTRY.test(input.country)) throw badInput('country', 'a two-letter country code, e.g. US');
      if (!isCurrency(input.currency)) throw badInput('currency', `unsupported currency ${input.currency}`);
      const customer: Customer = {
        id: newId('customer'),
        orgId: ledger.orgId,
        name: input.name.trim(),
        email: input.email.trim().toLowerCase(),
        country: input.country,
        address: input.address ?? { country: input.country },
        metadata: input.metadata ?? {},
        currency: toCurrency(input.currency),
        balance: 0,
        paymentMethod: input.paymentMethod ?? null,
        taxRateBps: defaultTaxRate(input.country),
        createdAt: await ledger.now(),
        deletedAt: null,
      };
      await insertCustomer(ledger.executor, customer);
      return customer;
    });
  }

  updateCustomer(input: Connector.UpdateCustomerInput, options: Connector.WriteOptions): Promise<Customer> {
    return this.write('update_customer', input, options, async (ledger) => {
      const customer = await ledger.getCustomer(input.customerId);
      if (!customer) throw notFound('customer', input.customerId);
      if (input.country !== undefined && !COUNTRY.test(input.country))
        throw badInput('country', 'a two-letter country code');
      const changed: Customer = {
        ...customer,
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.email !== undefined ? { email: input.email.trim().toLowerCase() } : {}),
        ...(input.country !== undefined ? { country: input.country, taxRateBps: defaultTaxRate(input.country) } : {}),
        ...(input.address !== undefined ? { address: input.address } : {}),
        ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
        ...(input.paymentMethod !== undefined ? { paymentMethod: input.paymentMethod } : {}),
      };
      const { id, orgId, ...fields } = changed;
      await ledger.executor
        .updateTable('customers')
        .set({
          ...fields,
          address: JSON.stringify(fields.address),
          metadata: JSON.stringify(fields.metadata),
          paymentMethod: fields.paymentMethod ? JSON.stringify(fields.paymentMethod) : null,
        })
        .where('orgId', '=', orgId)
        .where('id', '=', id)
        .execute();
      return changed;
    });
  }

  createProduct(input: Connector.CreateProductInput, options: Connector.WriteOptions): Promise<Product> {
    return this.write('create_product', input, options, async (ledger) => {
      const product: Product = {
        id: newId('product'),
        orgId: ledger.orgId,
        name: input.name,
        description: input.description ?? '',
        limits: input.limits ?? {},
        overage: input.overage ?? '',
        legacy: input.legacy ?? false,
        active: true,
        createdAt: await ledger.now(),
      };
      await ledger.executor.insertInto('products').values(productToRow(product)).execute();
      return product;
    });
  }

  createPrice(input: Connector.CreatePriceInput, options: Connector.WriteOptions): Promise<Price> {
    return this.write('create_price', input, options, async (ledger) => {
      if (!(await ledger.getProduct(input.productId))) throw notFound('product', input.productId);
      if (input.scheme === 'tiered' && (!input.tiers || input.tiers.length === 0))
        throw badInput('tiers', 'a tiered price needs tiers');
      if (
        input.tiers?.some((tier, index, tiers) =>
          tier.upTo === null ? index !== tiers.length - 1 : index > 0 && tier.upTo <= (tiers[index - 1]?.upTo ?? 0),
        )
      ) {
        throw badInput('tiers', 'tiers must rise, with only the last one unbounded');
      }
      assertMinorUnits(input.unitAmount ?? 0, 'unit_amount');
      const price: Price = {
        id: newId('price'),
        orgId: ledger.orgId,
        productId: input.productId,
        nickname: input.nickname ?? '',
        currency: input.currency,
        interval: input.interval,
        scheme: input.scheme,
        unitAmount: input.unitAmount ?? 0,
        tiers: input.tiers ?? [],
        usageMetric: input.usageMetric ?? null,
        freeAllowance: input.freeAllowance ?? 0,
        trialDays: input.trialDays ?? 0,
        active: true,
        createdAt: await ledger.now(),
      };
      await ledger.executor.insertInto('prices').values(priceToRow(price)).execute();
      return price;
    });
  }

  createCoupon(input: Connector.CreateCouponInput, options: Connector.WriteOptions): Promise<Coupon> {
    return this.write('create_coupon', input, options, async (ledger) => {
      if ((input.percentOffBps === undefined) === (input.amountOff === undefined))
        throw badInput('percent_off', 'give exactly one of percent off or amount off');
      if (input.percentOffBps !== undefined && (input.percentOffBps <= 0 || input.percentOffBps > 10_000))
        throw badInput('percent_off', 'between 0.01% and 100%');
      if (input.amountOff !== undefined && !input.currency)
        throw badInput('currency', 'an amount-off coupon needs a currency');
      if (await ledger.getCoupon(input.code)) throw new LeashError('conflict', `coupon ${input.code} already exists`);
      const coupon: Coupon = {
        id: newId('coupon'),
        orgId: ledger.orgId,
        code: input.code.toUpperCase(),
        name: input.name,
        percentOffBps: input.percentOffBps ?? null,
        amountOff: input.amountOff ?? null,
        currency: input.currency ?? null,
        duration: input.duration,
        durationInMonths: input.duration === 'repeating' ? (input.durationInMonths ?? 1) : null,
        countries: input.countries ?? [],
        maxRedemptions: input.maxRedemptions ?? null,
        timesRedeemed: 0,
        valid: true,
        createdAt: await ledger.now(),
      };
      await ledger.executor.insertInto('coupons').values(couponToRow(coupon)).execute();
      return coupon;
    });
  }

  createSubscription(input: Connector.CreateSubscriptionInput, options: Connector.WriteOptions): Promise<Subscription> {
    return this.write('create_subscription', input, options, (ledger) =>
      subscriptions.createSubscription(ledger, input),
    );
  }

  changePlan(input: Connector.ChangePlanInput, options: Connector.WriteOptions) {
    return this.write('change_plan', input, options, (ledger) => subscriptions.changePlan(ledger, input));
  }

  cancelSubscription(input: Connector.CancelSubscriptionInput, options: Connector.WriteOptions): Promise<Subscription> {
    return this.write('cancel_subscription', input, options, (ledger) =>
      subscriptions.cancelSubscription(ledger, input),
    );
  }

  applyCoupon(
    input: { subscriptionId: string; couponId: string },
    options: Connector.WriteOptions,
  ): Promise<Subscription> {
    return this.write('apply_coupon', input, options, (ledger) => subscriptions.applyCoupon(ledger, input));
  }

  removeCoupon(input: { subscriptionId: string }, options: Connector.WriteOptions): Promise<Subscription> {
    return this.write('remove_coupon', input, options, (ledger) => subscriptions.removeCoupon(ledger, input));
  }

  refundCharge(input: Connector.RefundChargeInput, options: Connector.WriteOptions): Promise<Refund> {
    return this.write('refund_charge', input, options, async (ledger) => {
      // Lock the charge: two concurrent refunds must never exceed it.
      const row = await ledger.executor
        .selectFrom('charges')
        .selectAll()
        .where('orgId', '=', ledger.orgId)
        .where('id', '=', input.chargeId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound('charge', input.chargeId);
      if (row.status !== 'succeeded') throw invalidState(`charge ${row.id} failed; there is nothing to refund`);
      const remaining = row.amount - row.amountRefunded;
      const amount = input.amount ?? remaining;
      assertMinorUnits(amount);
      if (amount <= 0)
        throw badInput(
          'amount',
          remaining === 0 ? `charge ${row.id} is already fully refunded` : 'must be more than zero',
        );
      if (amount > remaining)
        throw invalidState(`refund of ${amount} is above the refundable remainder ${remaining} of charge ${row.id}`, {
          remaining,
        });
      const refund: Refund = {
        id: newId('refund'),
        orgId: ledger.orgId,
        chargeId: row.id,
        amount,
        currency: toCurrency(row.currency),
        reason: input.reason,
        createdAt: await ledger.now(),
      };
      await ledger.executor.insertInto('refunds').values(refund).execute();
      await ledger.executor
        .updateTable('charges')
        .set({ amountRefunded: row.amountRefunded + amount })
        .where('id', '=', row.id)
        .where('orgId', '=', ledger.orgId)
        .execute();
      return refund;
    });
  }

  creditCustomer(input: Connector.CreditCustomerInput, options: Connector.WriteOptions): Promise<BalanceTransaction> {
    return this.write('credit_customer', input, options, async (ledger) => {
      const locked = await ledger.executor
        .selectFrom('customers')
        .selectAll()
        .where('orgId', '=', ledger.orgId)
        .where('id', '=', input.customerId)
        .forUpdate()
        .executeTakeFirst();
      const customer = locked ? await ledger.getCustomer(input.customerId) : undefined;
      if (!customer) throw notFound('customer', input.customerId);
      assertMinorUnits(input.amount);
      if (input.amount <= 0) throw badInput('amount', 'must be more than zero');
      if (input.currency !== customer.currency)
        throw badInput('currency', `${customer.name} is billed in ${customer.currency.toUpperCase()}`);
      const transaction: BalanceTransaction = {
        id: newId('balanceTransaction'),
        orgId: ledger.orgId,
        customerId: customer.id,
        amount: -input.amount,
        currency: customer.currency,
        description: input.description,
        invoiceId: null,
        createdAt: await ledger.now(),
      };
      await saveBalance(ledger.executor, { ...customer, balance: customer.balance - input.amount }, [transaction]);
      return transaction;
    });
  }

  createCreditNote(input: Connector.CreateCreditNoteInput, options: Connector.WriteOptions): Promise<CreditNote> {
    return this.write('create_credit_note', input, options, async (ledger) => {
      const invoice = await ledger.lockInvoice(input.invoiceId);
      assertMinorUnits(input.amount);
      if (input.amount <= 0) throw badInput('amount', 'must be more than zero');
      const credited = (await ledger.listCreditNotes({ invoiceId: invoice.id })).reduce(
        (sum, note) => sum + note.amount,
        0,
      );
      if (input.amount > invoice.total - credited)
        throw invalidState(
          `a credit note cannot exceed what is left of invoice ${invoice.number} (${invoice.total - credited})`,
        );
      const now = await ledger.now();
      if (invoice.status === 'open') {
        const remaining = Math.max(0, invoice.amountRemaining - input.amount);
        await updateInvoice(ledger.executor, {
          ...invoice,
          amountRemaining: remaining,
          amountDue: Math.max(0, invoice.amountDue - input.amount),
          ...(remaining === 0 ? { status: 'paid', paidAt: now, nextPaymentAttempt: null } : {}),
        });
      } else if (invoice.status === 'paid') {
        const customer = await ledger.getCustomer(invoice.customerId);
        if (!customer) throw notFound('customer', invoice.customerId);
        await saveBalance(ledger.executor, { ...customer, balance: customer.balance - input.amount }, [
          {
            id: newId('balanceTransaction'),
            orgId: ledger.orgId,
            customerId: customer.id,
            amount: -input.amount,
            currency: customer.currency,
            description: `Credit note on ${invoice.number}`,
            invoiceId: invoice.id,
            createdAt: now,
          },
        ]);
      } else throw invalidState(`invoice ${invoice.number} is ${invoice.status}`);
      const note: CreditNote = {
        id: newId('creditNote'),
        orgId: ledger.orgId,
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        amount: input.amount,
        currency: invoice.currency,
        reason: input.reason,
        createdAt: now,
      };
      await ledger.executor.insertInto('creditNotes').values(note).execute();
      return note;
    });
  }

  payInvoice(
    input: { invoiceId: string },
    options: Connector.WriteOptions,
  ): Promise<{ invoice: Invoice; charge: Charge | null }> {
    return this.write('pay_invoice', input, options, async (ledger) => {
      const invoice = await ledger.lockInvoice(input.invoiceId);
      if (invoice.status !== 'open')
        throw invalidState(`invoice ${invoice.number} is ${invoice.status}; only open invoices can be paid`);
      const customer = await ledger.getCustomer(invoice.customerId);
      if (!customer) throw notFound('customer', invoice.customerId);
      if (!customer.paymentMethod) throw invalidState(`${customer.name} has no card on file`);
      const payment = attemptPayment({ newId, now: await ledger.now() }, invoice, customer);
      await updateInvoice(ledger.executor, payment.invoice);
      await insertCharges(ledger.executor, payment.charge ? [payment.charge] : []);
      await settleSubscription(ledger, payment.invoice, payment.exhausted);
      return { invoice: payment.invoice, charge: payment.charge };
    });
  }

  recordPayment(
    input: Connector.RecordPaymentInput,
    options: Connector.WriteOptions,
  ): Promise<{ invoice: Invoice; charge: Charge }> {
    return this.write('record_payment', input, options, async (ledger) => {
      const invoice = await ledger.lockInvoice(input.invoiceId);
      if (invoice.status !== 'open')
        throw invalidState(
          `invoice ${invoice.number} is ${invoice.status}; payments are recorded against open invoices`,
        );
      assertMinorUnits(input.amount);
      if (input.amount <= 0 || input.amount > invoice.amountRemaining)
        throw badInput('amount', `between 1 and ${invoice.amountRemaining}`);
      const result = receivePayment({ newId, now: await ledger.now() }, invoice, input.amount, input.reference);
      await updateInvoice(ledger.executor, result.invoice);
      await insertCharges(ledger.executor, [result.charge]);
      await settleSubscription(ledger, result.invoice, false);
      return result;
    });
  }

  voidInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    return this.write('void_invoice', input, options, async (ledger) => {
      const invoice = await ledger.lockInvoice(input.invoiceId);
      if (invoice.status !== 'open' && invoice.status !== 'draft')
        throw invalidState(`invoice ${invoice.number} is ${invoice.status}; only open or draft invoices can be voided`);
      const voided: Invoice = {
        ...invoice,
        status: 'void',
        voidedAt: await ledger.now(),
        amountRemaining: 0,
        nextPaymentAttempt: null,
      };
      await updateInvoice(ledger.executor, voided);
      return voided;
    });
  }

  createInvoice(input: Connector.CreateInvoiceInput, options: Connector.WriteOptions): Promise<Invoice> {
    return this.write('create_invoice', input, options, async (ledger) => {
      const customer = await ledger.getCustomer(input.customerId);
      if (!customer) throw notFound('customer', input.customerId);
      const currency = input.currency ?? customer.currency;
      if (currency !== customer.currency)
        throw badInput('currency', `${customer.name} is billed in ${customer.currency.toUpperCase()}`);
      if (input.lines.length === 0) throw badInput('lines', 'an invoice needs at least one line');
      const now = await ledger.now();
      const id = newId('invoice');
      const lines = input.lines.map((line) => {
        assertMinorUnits(line.amount);
        return {
          id: newId('invoiceLine'),
          invoiceId: id,
          description: line.description,
          amount: line.amount * (line.quantity ?? 1),
          quantity: line.quantity ?? 1,
          priceId: null,
          periodStart: null,
          periodEnd: null,
          proration: false,
        };
      });
      const totals = invoiceTotals(
        lines.reduce((sum, line) => sum + line.amount, 0),
        0,
        customer.taxRateBps,
      );
      const draft: Invoice = {
        id,
        orgId: ledger.orgId,
        number: id,
        customerId: customer.id,
        subscriptionId: null,
        status: 'draft',
        billingReason: 'manual',
        currency: customer.currency,
        lines,
        ...totals,
        creditApplied: 0,
        amountPaid: 0,
        amountDue: totals.total,
        amountRemaining: totals.total,
        periodStart: null,
        periodEnd: null,
        dueDate: addDays(now, input.daysUntilDue ?? 30),
        createdAt: now,
        finalizedAt: null,
        paidAt: null,
        voidedAt: null,
        sentAt: null,
        attemptCount: 0,
        nextPaymentAttempt: null,
        memo: input.memo ?? '',
      };
      await insertInvoice(ledger.executor, draft);
      return draft;
    });
  }

  finalizeInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    return this.write('finalize_invoice', input, options, async (ledger) => {
      const draft = await ledger.lockInvoice(input.invoiceId);
      if (draft.status !== 'draft') throw invalidState(`invoice ${draft.number} is already ${draft.status}`);
      const customer = await ledger.getCustomer(draft.customerId);
      if (!customer) throw notFound('customer', draft.customerId);
      const now = await ledger.now();
      const credit = applyCustomerCredit({ newId, now }, customer, draft.id, draft.total);
      await saveBalance(ledger.executor, credit.customer, credit.balanceTransactions);
      const amountDue = Math.max(0, draft.total - credit.creditApplied);
      const days = Math.round(
        ((draft.dueDate?.getTime() ?? draft.createdAt.getTime()) - draft.createdAt.getTime()) / 86_400_000,
      );
      const open: Invoice = {
        ...draft,
        number: await nextInvoiceNumber(ledger.executor, ledger.orgId),
        status: amountDue === 0 ? 'paid' : 'open',
        creditApplied: credit.creditApplied,
        amountDue,
        amountRemaining: amountDue,
        finalizedAt: now,
        paidAt: amountDue === 0 ? now : null,
        dueDate: addDays(now, days),
      };
      await updateInvoice(ledger.executor, open);
      return open;
    });
  }

  sendInvoice(input: { invoiceId: string }, options: Connector.WriteOptions): Promise<Invoice> {
    return this.write('send_invoice', input, options, async (ledger) => {
      const invoice = await ledger.lockInvoice(input.invoiceId);
      if (invoice.status !== 'open' && invoice.status !== 'paid')
        throw invalidState(`invoice ${invoice.number} is ${invoice.status}; finalize it first`);
      const sent: Invoice = { ...invoice, sentAt: await ledger.now() };
      await updateInvoice(ledger.executor, sent);
      return sent;
    });
  }

  recordUsage(input: Connector.RecordUsageInput, options: Connector.WriteOptions): Promise<UsageRecord> {
    return this.write('record_usage', input, options, async (ledger) => {
      const subscription = await ledger.getSubscription(input.subscriptionId);
      if (!subscription) throw notFound('subscription', input.subscriptionId);
      if (subscription.status === 'canceled') throw invalidState(`subscription ${subscription.id} is canceled`);
      if (!Number.isSafeInteger(input.quantity) || input.quantity < 0)
        throw badInput('quantity', 'a whole number of units');
      const record: UsageRecord = {
        id: newId('usageRecord'),
        orgId: ledger.orgId,
        subscriptionId: subscription.id,
        metric: input.metric,
        quantity: input.quantity,
        timestamp: input.timestamp ?? (await ledger.now()),
      };
      await ledger.executor.insertInto('usageRecords').values(record).execute();
      return record;
    });
  }

  /** Moves the ledger clock forward, running renewals, payments and dunning due on the way. */
  advanceClock(to: Date): Promise<Connector.ClockReport> {
    return advanceLedgerClock(this, to);
  }

  /** Sets the clock of a new org (demo and tests); never moves an existing clock backwards. */
  setClock(at: Date): Promise<void> {
    return setLedgerClock(this.executor, this.orgId, at);
  }
}

/** After a payment: a paid invoice reactivates a past-due subscription; an exhausted one ends it. */
export async function settleSubscription(ledger: LedgerReads, invoice: Invoice, exhausted: boolean): Promise<void> {
  if (!invoice.subscriptionId) return;
  const subscription = await ledger.getSubscription(invoice.subscriptionId);
  if (!subscription) return;
  if (invoice.status === 'paid' && subscription.status === 'past_due') {
    await ledger
      .executorForWrites()
      .updateTable('subscriptions')
      .set({ status: 'active' })
      .where('orgId', '=', ledger.orgId)
      .where('id', '=', subscription.id)
      .execute();
  } else if (exhausted) {
    await subscriptions.giveUpOnSubscription(ledger, subscription.id, await ledger.now());
  } else if (invoice.status === 'open' && subscription.status === 'active') {
    await ledger
      .executorForWrites()
      .updateTable('subscriptions')
      .set({ status: 'past_due' })
      .where('orgId', '=', ledger.orgId)
      .where('id', '=', subscription.id)
      .execute();
  }
}
