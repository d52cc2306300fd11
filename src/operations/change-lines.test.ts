/**
 * Every write operation's card names the new value of every argument it changes (issue 17): the text a person
 * confirms (the summary and one `field: before → after` line per change) holds the new email, the amount, the
 * plan, the date, the body. A new write operation without a row here fails the first test. Arguments that
 * only pick the target (ids, filters) or steer the run (rate) are listed per operation and not checked.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { addMember } from '../auth/members.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer, Price, Subscription } from '../domain/billing.ts';
import { changeLines, describeProposalChanges, showValue } from '../domain/change-lines.ts';
import { formatMoney, isCurrency, money } from '../domain/money.ts';
import { MONEY_LABELS } from '../domain/money-label.ts';
import { createEndpoint } from '../webhooks/endpoints.ts';
import { isRead } from './define-operation.ts';
import { registry } from './registry.ts';
import { confirmProposal, proposeOperation } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `lines_${++keys}` });
const context = { reason: 'card test', case_id: 'T-CARD' };

/** Arguments that pick what is acted on (or how fast), not a value that changes. */
const NOT_CHANGES = new Set([
  'charge_id',
  'invoice_id',
  'customer_id',
  'subscription_id',
  'message_id',
  'customer',
  'product',
  'product_id',
  'ticket',
  'rate_per_second',
  'from',
  'to',
  'from_price_id',
  'proposal_id',
]);

/** The ways a new value may be written: as given, in digits with separators, or as money in minor units. */
function spellings(key: string, value: unknown, currency: string): string[] {
  // A currency shows as its code or in how the amounts are written ($15.00, €25.00).
  if (key === 'currency' && typeof value === 'string' && isCurrency(value))
    return [value, value.toUpperCase(), formatMoney(money(0, value)).replace(/[\d.,\s]/g, '')];
  if (typeof value === 'number') {
    const forms = [String(value), value.toLocaleString('en-US')];
    if (/amount/.test(key) && isCurrency(currency)) forms.push(formatMoney(money(value, currency)));
    if (/percent/.test(key)) forms.push(`${value}%`);
    return forms;
  }
  return [showValue(value)];
}

/** Leaf values of an argument (an object's fields, a list's items), with the key they sit under. */
function leaves(key: string, value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(key, item));
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([inner, item]) => leaves(inner, item));
  return typeof value === 'boolean' || value === null ? [] : [[key, value]];
}

describe(`every write's card names each new value (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let basic: Price;
  let pro: Price;
  let counter = 0;

  const customer = async (country = 'US'): Promise<Customer> => {
    counter += 1;
    return ledger.createCustomer(
      {
        name: `Card ${counter}`,
        email: `c${counter}@card.test`,
        country,
        currency: 'usd',
        paymentMethod: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2035, country: 'US' },
      },
      key(),
    );
  };
  const subscribed = async (price = basic, country = 'US'): Promise<Subscription> =>
    ledger.createSubscription({ customerId: (await customer(country)).id, items: [{ priceId: price.id }] }, key());
  const openInvoice = async () => {
    const draft = await ledger.createInvoice(
      { customerId: (await customer()).id, lines: [{ description: 'Setup', amount: 5_000 }] },
      key(),
    );
    return ledger.finalizeInvoice({ invoiceId: draft.id }, key());
  };
  const paidInvoice = async () => (await ledger.payInvoice({ invoiceId: (await openInvoice()).id }, key())).invoice;

  const writes: Record<string, () => Promise<Record<string, unknown>>> = {
    refund_charge: async () => ({ invoice_id: (await paidInvoice()).id, amount: 1_250 }),
    credit_customer: async () => ({ customer_id: (await customer()).id, amount: 1_500, currency: 'usd' }),
    change_plan: async () => ({ subscription_id: (await subscribed()).id, price_id: pro.id, quantity: 3 }),
    cancel_subscription: async () => ({ subscription_id: (await subscribed()).id, at_period_end: true }),
    apply_coupon: async () => ({ subscription_id: (await subscribed()).id, coupon_id: 'CARD10' }),
    retry_invoice: async () => ({ invoice_id: (await openInvoice()).id }),
    remove_coupon: async () => {
      const subscription = await subscribed();
      await ledger.applyCoupon({ subscriptionId: subscription.id, couponId: 'CARD10' }, key());
      return { subscription_id: subscription.id };
    },
    void_invoice: async () => ({ invoice_id: (await openInvoice()).id }),
    create_invoice: async () => ({
      customer_id: (await customer()).id,
      lines: [{ description: 'Onboarding workshop', amount: 9_900 }],
      days_until_due: 14,
      memo: 'Thanks for the workshop',
    }),
    record_payment: async () => ({ invoice_id: (await openInvoice()).id, amount: 5_000, reference: 'wire 42' }),
    create_credit_note: async () => ({ invoice_id: (await paidInvoice()).id, amount: 500 }),
    update_customer: async () => ({
      customer_id: (await customer()).id,
      name: 'Card Renamed',
      email: 'evil@outside.test',
      country: 'DE',
      address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115' },
    }),
    create_ticket: async () => ({ customer: (await customer()).id, message: 'Why was I charged?', class: 'invoice' }),
    draft_reply: async () => ({ customer: (await customer()).id, subject: 'Your invoice', body: 'It is paid now.' }),
    send_reply: async () => {
      const owner = await fixture.context(OWNER, { profile: 'caps' });
      const draft = await proposeOperation(owner, 'draft_reply', {
        customer: (await customer()).id,
        body: 'Your invoice is paid.',
        ...context,
      });
      return { message_id: ((await confirmProposal(owner, draft.id)).result as { messageId: string }).messageId };
    },
    create_customer: async () => ({ name: 'Newco', email: 'billing@newco.test', country: 'DE', currency: 'eur' }),
    create_subscription: async () => ({
      customer_id: (await customer()).id,
      price_id: basic.id,
      quantity: 2,
      trial_days: 14,
    }),
    record_usage: async () => ({ subscription_id: (await subscribed()).id, metric: 'api_calls', quantity: 1_500 }),
    create_product: async () => ({ name: `Add-on ${++counter}`, limits: { projects: 3 } }),
    create_price: async () => ({
      product_id: basic.productId,
      currency: 'eur',
      interval: 'month',
      scheme: 'flat',
      unit_amount: 2_500,
    }),
    create_coupon: async () => ({ code: `CX${++counter}`, name: 'Spring', percent_off: 15, duration: 'once' }),
    create_plan: async () => ({ name: `Plan ${++counter}`, currency: 'usd', monthly_amount: 1_000 }),
    create_usage_price: async () => ({
      product: basic.productId,
      metric: `events_${++counter}`,
      currency: 'usd',
      tiers: [{ up_to: null, unit_amount: 1 }],
    }),
    create_regional_discounts: async () => ({
      discounts: [{ country: 'IN', percent_off: 40 }],
      code_prefix: `R${++counter}`,
    }),
    bulk_apply_coupon: async () => {
      const country = `X${String.fromCharCode(65 + (++counter % 26))}`;
      await subscribed(basic, country);
      return { coupon: 'CARD10', country };
    },
    bulk_retry_invoices: async () => {
      // A card that declines: its renewal invoice stays open with a failed payment, in a country of its own.
      const country = `R${String.fromCharCode(65 + (++counter % 26))}`;
      const declining = await ledger.createCustomer(
        {
          name: `Card ${counter}`,
          email: `c${counter}@card.test`,
          country,
          currency: 'usd',
          paymentMethod: { brand: 'visa', last4: '0002', expMonth: 12, expYear: 2035, country: 'US' },
        },
        key(),
      );
      await ledger.createSubscription({ customerId: declining.id, items: [{ priceId: basic.id }] }, key());
      return { country };
    },
    bulk_migrate_plan: async () => {
      await subscribed(basic);
      return {
        from_price_id: basic.id,
        to_price_id: pro.id,
        notify: true,
        template: 'Hello {{customer_name}}, you move to {{new_plan}} at {{new_price}} {{effective_date}}.',
      };
    },
    notify_customers: async () => {
      const country = `N${String.fromCharCode(65 + (++counter % 26))}`;
      await subscribed(basic, country);
      const bulk = await proposeOperation(await fixture.context(OWNER, { profile: 'caps' }), 'bulk_apply_coupon', {
        coupon: 'CARD10',
        country,
        ...context,
      });
      return { proposal_id: bulk.id, template: 'Hello {{customer_name}}, {{coupon}} saves you {{saving}}.' };
    },
    create_webhook_endpoint: async () => ({
      url: `https://hooks.example.com/billing/${++counter}`,
      events: ['subscription.created', 'invoice.paid'],
      description: 'onboarding',
    }),
    update_webhook_endpoint: async () => ({
      endpoint_id: (await webhookEndpoint()).id,
      url: `https://hooks.example.com/moved/${++counter}`,
      events: ['invoice.payment_failed'],
      description: 'dunning',
      disabled: true,
    }),
    delete_webhook_endpoint: async () => ({ endpoint_id: (await webhookEndpoint()).id }),
    set_policy_modes: async () => ({
      // Roles or members given make the settings custom: the card says so.
      preset: 'custom',
      roles: { billing_clerk: ['insight', 'act'] },
      members: { [CLERK]: ['insight'] },
      credit_limit: { amount: 4_000, currency: 'usd' },
    }),
    add_member: async () => ({ email: `member-${++counter}@northwind.test`, role: 'billing_clerk' }),
    change_member_role: async () => {
      const email = `promote-${++counter}@northwind.test`;
      await addMember(fixture.store.db, fixture.orgId, { email, role: 'billing_clerk', groups: [] });
      return { email, role: 'billing_manager', groups: ['finance'] };
    },
  };

  /** An endpoint to change or delete, written directly (its secret sealed under a throwaway key). */
  const webhookEndpoint = async () =>
    (
      await createEndpoint(
        fixture.store.db,
        fixture.orgId,
        { url: `https://hooks.example.com/old/${++counter}`, events: ['subscription.created'], description: 'old' },
        `lines_endpoint_${counter}`,
        randomBytes(32),
      )
    ).endpoint;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    const product = await ledger.createProduct({ name: 'Card Basic' }, key());
    basic = await ledger.createPrice(
      { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 2_900 },
      key(),
    );
    const proProduct = await ledger.createProduct({ name: 'Card Pro' }, key());
    pro = await ledger.createPrice(
      { productId: proProduct.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 7_900 },
      key(),
    );
    await ledger.createCoupon({ code: 'CARD10', name: 'Card', percentOffBps: 1_000, duration: 'forever' }, key());
  });
  afterAll(async () => fixture.close());

  it('every write operation has a row here', () => {
    const names = [...registry.values()].filter((operation) => !isRead(operation)).map((operation) => operation.name);
    expect(names.sort()).toEqual(Object.keys(writes).sort());
  });

  for (const name of Object.keys(writes)) {
    it(`${name}: the card shows every new value`, async () => {
      const input = await (writes[name] as () => Promise<Record<string, unknown>>)();
      const owner = await fixture.context(OWNER, { profile: 'caps' });
      const proposal = await proposeOperation(owner, name, { ...input, ...context });
      const text = describeProposalChanges(proposal.preview);
      expect(changeLines(proposal.preview)).toHaveLength(proposal.preview.changes.length);
      if (proposal.preview.money)
        expect(
          Object.hasOwn(MONEY_LABELS, name),
          `${name}'s preview carries money but money-label.ts has no label for it (the card would say "Amount")`,
        ).toBe(true);
      const currency = String(input.currency ?? proposal.preview.money?.currency ?? 'usd');
      for (const [argument, value] of Object.entries(input)) {
        if (NOT_CHANGES.has(argument)) continue;
        for (const [leaf, item] of leaves(argument, value)) {
          const forms = spellings(leaf, item, currency);
          expect(
            forms.some((form) => text.includes(form)),
            `${name}.${argument} (${leaf} = ${JSON.stringify(item)}) is not on the card:\n${text}`,
          ).toBe(true);
        }
      }
    });
  }
});
