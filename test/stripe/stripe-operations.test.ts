/**
 * The same operations, through the same pipeline, on the ledger and on the Stripe connector agree. One demo
 * business is copied into the offline Stripe fake (same ids) and mirrored; each scenario then runs once against
 * the ledger and once against Stripe — propose, confirm or approve, execute — and what each billing system holds
 * afterwards is compared field by field. Where Stripe cannot agree by design the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingConnector } from '../../src/connectors/connector.ts';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { StripeConnector } from '../../src/connectors/stripe/stripe-connector.ts';
import { backfillStripe } from '../../src/connectors/stripe/stripe-sync.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import type { Invoice, Subscription } from '../../src/domain/billing.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { approveRequest, confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { FINANCE, type LeashFixture, OWNER, openLeashFixture, SUPPORT_LEAD } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';
import { accessSource, fakeAccess } from '../support/stripe-access.ts';
import { type StripeFake, startStripeFake } from '../support/stripe-fake/index.ts';

type Side = 'ledger' | 'stripe';
const SIDES: Side[] = ['ledger', 'stripe'];
const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null));

describe(`the same operations on the ledger and on Stripe agree (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let fake: StripeFake;
  const connectors = {} as Record<Side, BillingConnector>;
  const contexts = {} as Record<Side, { owner: OperationContext; finance: OperationContext; lead: OperationContext }>;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    // The history ends now and the fake's clock stays there, as the ledger's does: prorations compare exactly.
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    await generateDemo(fixture.store, { orgId: fixture.orgId, customers: 20, months: 5, seed: 'agree', endAt: end });
    const ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    // Cards that always pay (Stripe's 4242, which the ledger's simulation honours too): a payment taken during a
    // scenario succeeds on both sides, instead of the ledger's seeded random declines against a fake that pays.
    for (const customer of await ledger.findCustomers({ limit: 1000 }))
      if (customer.paymentMethod && !customer.deletedAt)
        await ledger.updateCustomer(
          { customerId: customer.id, paymentMethod: { ...customer.paymentMethod, last4: '4242', expYear: 2035 } },
          { idempotencyKey: `agree_card_${customer.id}` },
        );
    // Open invoices to act on (the demo's are mostly settled by now), made before the copy so both sides have them.
    const payers = (await ledger.findCustomers({ limit: 100 })).filter((c) => !c.deletedAt).slice(0, 4);
    for (const [index, customer] of payers.entries()) {
      const key = (step: string) => `agree_open_${index}_${step}`;
      const draft = await ledger.createInvoice(
        { customerId: customer.id, lines: [{ description: 'Consulting day', amount: 80_000 + index * 1_000 }] },
        { idempotencyKey: key('create') },
      );
      await ledger.finalizeInvoice({ invoiceId: draft.id }, { idempotencyKey: key('finalize') });
    }
    fake = await startStripeFake({ now: end });
    await fake.seedFromLedger(ledger);
    await backfillStripe(fixture.store.db, fixture.orgId, fakeAccess(fake));
    const open: Record<Side, OperationContext['connector']> = {
      ledger: (executor) => new LedgerConnector(executor, fixture.orgId),
      stripe: (executor) => new StripeConnector(executor, fixture.orgId, accessSource(fakeAccess(fake))),
    };
    for (const side of SIDES) {
      connectors[side] = open[side](fixture.store.db);
      const context = (email: string) => fixture.context(email, { profile: 'caps', connector: open[side] });
      contexts[side] = {
        owner: await context(OWNER),
        finance: await context(FINANCE),
        lead: await context(SUPPORT_LEAD),
      };
    }
  }, 180_000);
  afterAll(async () => {
    await fake?.close();
    await fixture?.close();
  });

  /** Proposes as the owner; confirms a PASS, or has a second member approve a WARN. Returns the result. */
  async function act(side: Side, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { owner, finance, lead } = contexts[side];
    const proposal = await proposeOperation(owner, operation, {
      reason: 'agreement test',
      case_id: 'T-agree',
      ...input,
    });
    expect(proposal.decision.outcome, `${side} ${operation}: ${JSON.stringify(proposal.decision.reasons)}`).not.toBe(
      'block',
    );
    const outcome =
      proposal.status === 'awaiting_confirmation'
        ? await confirmProposal(owner, proposal.id, { confirmText: 'CONFIRM' })
        : await approveRequest(
            proposal.approval?.groups?.includes('finance') ? finance : lead,
            proposal.approval?.id ?? '',
            {
              reason: 'ok',
              confirmText: 'CONFIRM',
            },
          );
    expect(outcome.status, `${side} ${operation}: ${JSON.stringify(outcome)}`).toBe('succeeded');
    return plain(outcome.result);
  }

  /** Runs `scenario` on both sides and returns the two snapshots. */
  async function onBoth<T>(
    scenario: (side: Side, connector: BillingConnector) => Promise<T>,
  ): Promise<Record<Side, T>> {
    const out = {} as Record<Side, T>;
    for (const side of SIDES) out[side] = plain(await scenario(side, connectors[side]));
    return out;
  }

  const ledgerReads = () => connectors.ledger;
  async function liveSubscriptions(): Promise<Subscription[]> {
    return (await ledgerReads().listSubscriptions({ live: true, limit: 500 })).filter(
      (subscription) => !subscription.cancelAtPeriodEnd && subscription.items.length === 1 && !subscription.couponId,
    );
  }
  async function openInvoices(): Promise<Invoice[]> {
    return ledgerReads().listInvoices({ status: 'open', limit: 500 });
  }
  const taken = new Set<string>();
  function take<T extends { id: string }>(rows: T[], what: string, where: (row: T) => boolean = () => true): T {
    const row = rows.find((candidate) => !taken.has(candidate.id) && where(candidate));
    if (!row) throw new Error(`the demo has no ${what} left for this scenario`);
    taken.add(row.id);
    return row;
  }

  it('refund_charge: the same refund, and the charge shows it', async () => {
    const charges = await ledgerReads().listCharges({ status: 'succeeded', limit: 500 });
    const charge = take(
      charges,
      'card charge',
      (c) => c.method === 'card' && c.amountRefunded === 0 && c.amount > 1_000,
    );
    const result = await onBoth(async (side, connector) => {
      const refund = await act(side, 'refund_charge', { charge_id: charge.id, amount: 700, currency: charge.currency });
      const after = await connector.getCharge(charge.id);
      return {
        amount: refund.amount,
        currency: refund.currency,
        chargeId: refund.chargeId,
        refunded: after?.amountRefunded,
      };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe.refunded).toBe(700);
  });

  it('credit_customer: the same balance change and balance', async () => {
    const customers = await ledgerReads().findCustomers({ limit: 100 });
    const customer = take(customers, 'customer', (c) => c.balance === 0);
    const result = await onBoth(async (side, connector) => {
      const credit = await act(side, 'credit_customer', {
        customer_id: customer.id,
        amount: 2_500,
        currency: customer.currency,
      });
      return {
        amount: credit.amount,
        currency: credit.currency,
        balance: (await connector.getCustomer(customer.id))?.balance,
      };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe.balance).toBe(-2_500);
  });

  it('create_credit_note: the same note, and the open invoice asks for less', async () => {
    const invoice = take(await openInvoices(), 'open invoice', (i) => i.amountRemaining > 1_000);
    const result = await onBoth(async (side, connector) => {
      const note = await act(side, 'create_credit_note', { invoice_id: invoice.id, amount: 300 });
      const after = await connector.getInvoice(invoice.id);
      return {
        amount: note.amount,
        invoiceId: note.invoiceId,
        amountDue: after?.amountDue,
        remaining: after?.amountRemaining,
      };
    });
    expect(result.stripe).toEqual(result.ledger);
  });

  it('void_invoice: void on both', async () => {
    const invoice = take(await openInvoices(), 'open invoice');
    const result = await onBoth(async (side, connector) => {
      await act(side, 'void_invoice', { invoice_id: invoice.id });
      const after = await connector.getInvoice(invoice.id);
      return { status: after?.status, remaining: after?.amountRemaining };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe.status).toBe('void');
  });

  it('record_payment of the whole remainder: paid on both', async () => {
    const invoice = take(await openInvoices(), 'open invoice');
    const result = await onBoth(async (side, connector) => {
      await act(side, 'record_payment', {
        invoice_id: invoice.id,
        amount: invoice.amountRemaining,
        reference: 'wire 42',
      });
      const after = await connector.getInvoice(invoice.id);
      return { status: after?.status, paid: after?.amountPaid, remaining: after?.amountRemaining };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe.status).toBe('paid');
  });

  it('cancel_subscription at period end, and now: the same state', async () => {
    const [atEnd, now] = [
      take(await liveSubscriptions(), 'subscription'),
      take(await liveSubscriptions(), 'subscription'),
    ];
    const result = await onBoth(async (side, connector) => {
      await act(side, 'cancel_subscription', { subscription_id: atEnd.id, at_period_end: true });
      await act(side, 'cancel_subscription', { subscription_id: now.id, at_period_end: false });
      const [a, b] = [await connector.getSubscription(atEnd.id), await connector.getSubscription(now.id)];
      return {
        atEnd: { status: a?.status, cancelAtPeriodEnd: a?.cancelAtPeriodEnd, periodEnd: a?.currentPeriodEnd },
        now: { status: b?.status, ended: Boolean(b?.endedAt) },
      };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe.now.status).toBe('canceled');
  });

  it('apply_coupon and remove_coupon: the same discount on and off', async () => {
    const subscription = take(await liveSubscriptions(), 'subscription');
    const coupon = (await ledgerReads().listCoupons()).find(
      (c) => c.valid && c.countries.length === 0 && (c.percentOffBps !== null || c.currency === subscription.currency),
    );
    if (!coupon) throw new Error('the demo has no usable coupon');
    const result = await onBoth(async (side, connector) => {
      await act(side, 'apply_coupon', { subscription_id: subscription.id, coupon_id: coupon.id });
      const applied = (await connector.getSubscription(subscription.id))?.couponId;
      await act(side, 'remove_coupon', { subscription_id: subscription.id });
      const removed = (await connector.getSubscription(subscription.id))?.couponId;
      return { applied, removed };
    });
    expect(result.stripe).toEqual(result.ledger);
    expect(result.stripe).toEqual({ applied: coupon.id, removed: null });
  });

  it('change_plan with proration: the same price and the same proration lines, to the cent', async () => {
    const subscriptions = await liveSubscriptions();
    const prices = await ledgerReads().listPrices();
    let target: { subscriptionId: string; priceId: string } | undefined;
    const carded = new Set(
      (await ledgerReads().findCustomers({ limit: 1000 })).filter((c) => c.paymentMethod).map((c) => c.id),
    );
    for (const subscription of subscriptions.filter(
      (s) => s.status === 'active' && !taken.has(s.id) && carded.has(s.customerId),
    )) {
      const current = prices.find((p) => p.id === subscription.items[0]?.priceId);
      const other = prices.find(
        (p) =>
          current &&
          p.id !== current.id &&
          p.active &&
          p.currency === current.currency &&
          p.interval === current.interval &&
          p.scheme === current.scheme &&
          p.usageMetric === null &&
          p.unitAmount > current.unitAmount,
      );
      if (other) {
        target = { subscriptionId: subscription.id, priceId: other.id };
        taken.add(subscription.id);
        break;
      }
    }
    if (!target) throw new Error('the demo has no upgrade to try');
    const result = await onBoth(async (side, connector) => {
      const changed = (await act(side, 'change_plan', {
        subscription_id: target.subscriptionId,
        price_id: target.priceId,
      })) as { invoice?: { lines?: { amount: number; proration: boolean }[] } };
      const after = await connector.getSubscription(target.subscriptionId);
      return {
        priceId: after?.items[0]?.priceId,
        status: after?.status,
        proration: (changed.invoice?.lines ?? []).filter((line) => line.proration).map((line) => line.amount),
      };
    });
    expect(result.stripe.priceId).toBe(target.priceId);
    expect(result.stripe.priceId).toBe(result.ledger.priceId);
    expect(result.stripe.status).toBe(result.ledger.status);
    expect(result.stripe.proration).toEqual(result.ledger.proration);
    expect(result.stripe.proration.length).toBeGreaterThan(0);
  });

  it('update_customer and create_customer: the same customer', async () => {
    const customer = take(await ledgerReads().findCustomers({ limit: 100 }), 'customer');
    const result = await onBoth(async (side, connector) => {
      await act(side, 'update_customer', {
        customer_id: customer.id,
        email: `billing+${side}@agree.test`,
        name: 'Agreed Name',
      });
      const updated = await connector.getCustomer(customer.id);
      const created = await act(side, 'create_customer', {
        name: 'New Agreement GmbH',
        email: `new-${side}@agree.test`,
        country: 'DE',
        currency: 'eur',
      });
      const fresh = await connector.getCustomer(String(created.id));
      return {
        updated: { name: updated?.name, email: updated?.email.replace(side, 'x'), country: updated?.country },
        created: {
          name: fresh?.name,
          email: fresh?.email.replace(side, 'x'),
          country: fresh?.country,
          currency: fresh?.currency,
          balance: fresh?.balance,
        },
      };
    });
    expect(result.stripe).toEqual(result.ledger);
  });

  it('create_product, create_price and create_coupon: the same catalogue entries', async () => {
    const result = await onBoth(async (side, connector) => {
      const product = await act(side, 'create_product', {
        name: `Scale ${side}`,
        description: 'For teams that outgrew Pro',
        limits: { seats: 50, projects: null },
        overage: 'Seats over the limit bill at $10 each',
      });
      const price = await act(side, 'create_price', {
        product_id: product.id,
        currency: 'usd',
        interval: 'month',
        scheme: 'per_unit',
        unit_amount: 4_900,
        trial_days: 14,
      });
      const coupon = await act(side, 'create_coupon', {
        code: `AGREE${side.toUpperCase()}`,
        name: 'Agreement 15%',
        percent_off: 15,
        duration: 'repeating',
        duration_in_months: 3,
      });
      const p = await connector.getProduct(String(product.id));
      const pr = await connector.getPrice(String(price.id));
      const c = await connector.getCoupon(String(coupon.id));
      return {
        product: {
          name: p?.name.replace(side, 'x'),
          description: p?.description,
          limits: p?.limits,
          overage: p?.overage,
        },
        price: {
          currency: pr?.currency,
          interval: pr?.interval,
          scheme: pr?.scheme,
          unitAmount: pr?.unitAmount,
          trialDays: pr?.trialDays,
        },
        coupon: {
          code: c?.code.replace(side.toUpperCase(), 'X'),
          percentOffBps: c?.percentOffBps,
          duration: c?.duration,
          months: c?.durationInMonths,
        },
      };
    });
    expect(result.stripe).toEqual(result.ledger);
  });

  it('create_invoice, sent: the same lines, totals and state (a customer without tax)', async () => {
    const customer = take(
      await ledgerReads().findCustomers({ limit: 100 }),
      'untaxed customer',
      (c) => c.taxRateBps === 0 && !c.deletedAt,
    );
    const result = await onBoth(async (side, connector) => {
      const invoice = await act(side, 'create_invoice', {
        customer_id: customer.id,
        lines: [
          { description: 'Onboarding workshop', amount: 45_000 },
          { description: 'Extra seats', amount: 1_500, quantity: 4 },
        ],
        days_until_due: 14,
        memo: 'As agreed on the call',
      });
      const after = await connector.getInvoice(String(invoice.id));
      return {
        status: after?.status,
        subtotal: after?.subtotal,
        total: after?.total,
        due: after?.amountDue,
        memo: after?.memo,
        sent: Boolean(after?.sentAt),
        lines: after?.lines.map((line) => line.amount * (side === 'ledger' ? 1 : 1)).reduce((a, b) => a + b, 0),
      };
    });
    expect(result.stripe).toEqual(result.ledger);
  });
});
