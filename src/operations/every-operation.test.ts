/**
 * Every operation in the registry, through the pipeline, three ways:
 *   PASS  — writes: the owner under the caps profile proposes, confirms, and it executes; reads: a read-only
 *           member reads.
 *   WARN  — writes: under a rules file that holds every kind for finance, the same proposal waits for approval
 *           and nothing changes; reads are never held (they still pass, by design).
 *   BLOCK — writes: a read-only member is refused; reads: a Cedar policy that forbids that one operation.
 * A new operation without a row here fails the first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, type LeashFixture, OWNER, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { gateWith, gateWithRules } from '../../test/support/policy.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { addMember } from '../auth/members.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import type { Customer, Price, Subscription } from '../domain/billing.ts';
import { isLeashError } from '../domain/errors.ts';
import { ACTION_KINDS } from '../policy/action-kinds.ts';
import type { Gate } from '../policy/decide.ts';
import { createEndpoint } from '../webhooks/endpoints.ts';
import { isRead } from './define-operation.ts';
import { registry } from './registry.ts';
import { approveRequest, confirmProposal, proposeOperation, runRead } from './run-operation.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `every_${++keys}` });
const card = (last4 = '4242') => ({ brand: 'visa' as const, last4, expMonth: 12, expYear: 2035, country: 'US' });
const context = { reason: 'matrix test', case_id: 'T-MATRIX' };

describe(`every operation passes, warns and blocks (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let ledger: LedgerConnector;
  let basic: Price;
  let pro: Price;
  let holdEverything: Gate;
  let counter = 0;

  const customer = async (country = 'US', last4 = '4242'): Promise<Customer> => {
    counter += 1;
    return ledger.createCustomer(
      {
        name: `Matrix ${counter}`,
        email: `m${counter}@matrix.test`,
        country,
        currency: 'usd',
        paymentMethod: card(last4),
      },
      key(),
    );
  };
  const subscribed = async (country = 'US', price = basic, last4 = '4242'): Promise<Subscription> =>
    ledger.createSubscription(
      { customerId: (await customer(country, last4)).id, items: [{ priceId: price.id }] },
      key(),
    );
  const openInvoice = async () => {
    const owner = await customer();
    const draft = await ledger.createInvoice(
      { customerId: owner.id, lines: [{ description: 'Setup', amount: 5_000 }] },
      key(),
    );
    return ledger.finalizeInvoice({ invoiceId: draft.id }, key());
  };
  const paidInvoice = async () => {
    const invoice = await openInvoice();
    return (await ledger.payInvoice({ invoiceId: invoice.id }, key())).invoice;
  };
  const draftMessage = async () => {
    const owner = await fixture.context(OWNER, { profile: 'caps' });
    const proposal = await proposeOperation(owner, 'draft_reply', {
      customer: (await customer()).id,
      body: 'Your invoice is paid.',
      ...context,
    });
    return ((await confirmProposal(owner, proposal.id)).result as { messageId: string }).messageId;
  };

  /** A fresh, valid input for each write; called once per case, so a PASS that executes changes nothing else. */
  const writes: Record<string, () => Promise<Record<string, unknown>>> = {
    refund_charge: async () => ({ invoice_id: (await paidInvoice()).id, amount: 1_000 }),
    credit_customer: async () => ({ customer_id: (await customer()).id, amount: 1_500, currency: 'usd' }),
    change_plan: async () => ({ subscription_id: (await subscribed()).id, price_id: pro.id }),
    cancel_subscription: async () => ({ subscription_id: (await subscribed()).id, at_period_end: true }),
    apply_coupon: async () => ({ subscription_id: (await subscribed()).id, coupon_id: 'MATRIX10' }),
    retry_invoice: async () => ({ invoice_id: (await openInvoice()).id }),
    remove_coupon: async () => {
      const subscription = await subscribed();
      await ledger.applyCoupon({ subscriptionId: subscription.id, couponId: 'MATRIX10' }, key());
      return { subscription_id: subscription.id };
    },
    void_invoice: async () => ({ invoice_id: (await openInvoice()).id }),
    create_invoice: async () => ({
      customer_id: (await customer()).id,
      lines: [{ description: 'Onboarding', amount: 9_900 }],
    }),
    record_payment: async () => ({ invoice_id: (await openInvoice()).id, amount: 5_000, reference: 'wire 42' }),
    create_credit_note: async () => ({ invoice_id: (await paidInvoice()).id, amount: 500 }),
    // An address change: a change of email always needs a support lead (test/policy/exfiltration.test.ts).
    update_customer: async () => ({
      customer_id: (await customer()).id,
      address: { line1: `${++counter} Main Street` },
    }),
    create_ticket: async () => ({ customer: (await customer()).id, message: 'Why was I charged?', class: 'invoice' }),
    draft_reply: async () => ({ customer: (await customer()).id, body: 'Your invoice is paid.' }),
    send_reply: async () => ({ message_id: await draftMessage() }),
    create_customer: async () => ({
      name: `New ${++counter}`,
      email: `n${counter}@matrix.test`,
      country: 'DE',
      currency: 'eur',
    }),
    create_subscription: async () => ({ customer_id: (await customer()).id, price_id: basic.id }),
    record_usage: async () => ({ subscription_id: (await subscribed()).id, metric: 'api_calls', quantity: 500 }),
    create_product: async () => ({ name: `Add-on ${++counter}`, limits: { projects: 3 } }),
    create_price: async () => ({
      product_id: basic.productId,
      currency: 'eur',
      interval: 'month',
      scheme: 'flat',
      unit_amount: 2_500,
    }),
    create_coupon: async () => ({ code: `MX${++counter}`, name: 'Matrix', percent_off: 10, duration: 'once' }),
    create_plan: async () => ({
      name: `Plan ${++counter}`,
      currency: 'usd',
      monthly_amount: 1_000,
      annual_discount_percent: 10,
    }),
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
      await subscribed(country);
      await subscribed(country);
      return { coupon: 'MATRIX10', country };
    },
    bulk_retry_invoices: async () => {
      await subscribed('US', basic, '0002');
      return {};
    },
    bulk_migrate_plan: async () => {
      const product = await ledger.createProduct({ name: `Legacy ${++counter}` }, key());
      const legacy = await ledger.createPrice(
        { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 900 },
        key(),
      );
      await subscribed('US', legacy);
      return { from_price_id: legacy.id, to_price_id: pro.id };
    },
    add_member: async () => ({ email: `new-member-${++counter}@northwind.test`, role: 'billing_clerk' }),
    change_member_role: async () => {
      const email = `promote-${++counter}@northwind.test`;
      await addMember(fixture.store.db, fixture.orgId, { email, role: 'billing_clerk', groups: [] });
      return { email, role: 'billing_manager' };
    },
    set_policy_modes: async () => ({ preset: 'full' }),
    create_webhook_endpoint: async () => ({
      url: `https://hooks${++counter}.example.com/billing`,
      events: ['invoice.paid'],
    }),
    update_webhook_endpoint: async () => ({ endpoint_id: await webhookEndpoint(), description: 'renamed' }),
    delete_webhook_endpoint: async () => ({ endpoint_id: await webhookEndpoint() }),
    notify_customers: async () => {
      const country = `N${String.fromCharCode(65 + (++counter % 26))}`;
      await subscribed(country);
      const bulk = await proposeOperation(await fixture.context(OWNER, { profile: 'caps' }), 'bulk_apply_coupon', {
        coupon: 'MATRIX10',
        country,
        ...context,
      });
      return { proposal_id: bulk.id };
    },
  };
  /** Writes every profile holds for a second person: their PASS leg is an approval by finance instead. */
  const alwaysApproved = new Set(['notify_customers']);
  const webhookEndpoint = async () =>
    (
      await createEndpoint(
        fixture.store.db,
        fixture.orgId,
        { url: 'https://hooks.example.com/billing', events: ['invoice.paid'] },
        key().idempotencyKey,
      )
    ).endpoint.id;

  const reads: Record<string, () => Promise<Record<string, unknown>>> = {
    get_customer: async () => ({ customer_id: (await customer()).id }),
    search_customers: async () => ({ query: 'Matrix' }),
    view_customer: async () => ({ customer_id: (await customer()).id, invoice_sort: 'total_desc' }),
    resolve_mentions: async () => ({ text: 'Is Matrix on the Pro plan?' }),
    get_invoice: async () => ({ invoice_id: (await paidInvoice()).id }),
    list_invoices: async () => ({ from: '2026-01', to: '2026-05-01', min_amount: 0, currency: 'usd' }),
    list_subscriptions: async () => ({ customer: (await subscribed()).customerId }),
    upcoming_invoices: async () => ({ customer: (await subscribed()).customerId }),
    list_plans: async () => ({ include_inactive: true }),
    get_billing_date: async () => ({}),
    explain_plan: async () => ({ customer: (await subscribed()).customerId }),
    subscription_history: async () => ({ customer: (await subscribed()).customerId }),
    payment_history: async () => ({ customer: (await paidInvoice()).customerId }),
    failed_payments: async () => ({}),
    usage_against_limits: async () => ({ period: 'previous', min_share: 0 }),
    find_duplicate_subscriptions: async () => ({}),
    find_double_charges: async () => ({}),
    mrr_movements: async () => ({}),
    payment_failure_rates: async () => ({}),
    top_expansion: async () => ({}),
    involuntary_churn: async () => ({}),
    overdue_summary: async () => ({}),
    simulate_pricing: async () => ({ plan: 'Matrix Basic', change: { kind: 'price', amount: 3_500, currency: 'usd' } }),
    list_tickets: async () => ({}),
    list_activity: async () => ({ event: 'data.read' }),
    check_reply: async () => ({ text: 'I have refunded the $10 charge.', customer: (await customer()).id }),
    get_ticket: async () => {
      const owner = await fixture.context(OWNER, { profile: 'caps' });
      const proposal = await proposeOperation(owner, 'create_ticket', {
        ...(await writes.create_ticket?.()),
        ...context,
      });
      return { ticket: ((await confirmProposal(owner, proposal.id)).result as { number: string }).number };
    },
  };

  beforeAll(async () => {
    fixture = await openLeashFixture();
    ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    await ledger.setClock(new Date('2026-05-01T00:00:00Z'));
    const product = await ledger.createProduct({ name: 'Matrix Basic', limits: { seats: 3 } }, key());
    basic = await ledger.createPrice(
      { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 2_900 },
      key(),
    );
    const proProduct = await ledger.createProduct({ name: 'Matrix Pro' }, key());
    pro = await ledger.createPrice(
      { productId: proProduct.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount: 7_900 },
      key(),
    );
    await ledger.createCoupon({ code: 'MATRIX10', name: 'Matrix', percentOffBps: 1_000, duration: 'forever' }, key());
    holdEverything = await gateWithRules((rules) => {
      const profiles = rules.profiles as Record<string, { approvals: unknown[] }>;
      profiles['short-leash']?.approvals.push({
        id: 'test.hold_everything',
        kinds: ACTION_KINDS.filter((kind) => kind !== 'data.read' && kind !== 'data.export'),
        groups: ['finance'],
        roles: ['owner'],
        why: 'this test holds every write',
      });
    });
  });
  afterAll(async () => fixture.close());

  it('every registered operation has a row here', () => {
    const names = [...registry.values()].map((operation) => operation.name).sort();
    expect(names).toEqual([...Object.keys(writes), ...Object.keys(reads)].sort());
    for (const operation of registry.values())
      expect(isRead(operation) ? reads : writes).toHaveProperty(operation.name);
  });

  describe('writes', () => {
    for (const name of Object.keys(writes)) {
      it(`${name}: PASS executes, WARN waits, BLOCK refuses`, async () => {
        const build = writes[name] as () => Promise<Record<string, unknown>>;
        const owner = await fixture.context(OWNER, { profile: 'caps' });
        const passed = await proposeOperation(owner, name, { ...(await build()), ...context });
        expect(passed.decision.outcome, passed.decision.reasons.map((reason) => reason.message).join('; ')).toBe(
          alwaysApproved.has(name) ? 'warn' : 'pass',
        );
        const executed = alwaysApproved.has(name)
          ? await approveRequest(await fixture.context(FINANCE), passed.approval?.id ?? '', {
              reason: 'ok',
              confirmText: 'CONFIRM',
            })
          : await confirmProposal(owner, passed.id, { confirmText: 'CONFIRM' });
        expect(executed.status, JSON.stringify(executed.reasons)).toBe('succeeded');

        const held = await fixture.context(OWNER, { profile: 'short-leash', gate: holdEverything });
        const warned = await proposeOperation(held, name, { ...(await build()), ...context });
        expect(warned.decision.outcome).toBe('warn');
        expect(warned.status).toBe('awaiting_approval');
        expect(warned.approval?.groups).toContain('finance');

        const reader = await fixture.context(READER);
        const blocked = await proposeOperation(reader, name, { ...(await build()), ...context });
        expect(blocked.decision.outcome).toBe('block');
        expect(blocked.status).toBe('blocked');
        expect(blocked.approval).toBeNull();
      });
    }
  });

  describe('reads', () => {
    for (const name of Object.keys(reads)) {
      it(`${name}: PASS for a read-only member (never held for approval), BLOCK by policy`, async () => {
        const build = reads[name] as () => Promise<Record<string, unknown>>;
        await expect(runRead(await fixture.context(READER), name, await build())).resolves.toBeTruthy();
        const held = await fixture.context(READER, { gate: holdEverything });
        await expect(runRead(held, name, await build())).resolves.toBeTruthy();
        const forbidding = await gateWith(
          `@id("test.forbid_${name}")\nforbid (principal, action, resource) when { context.operation == "${name}" };\n`,
        );
        const refused = await runRead(await fixture.context(READER, { gate: forbidding }), name, await build()).catch(
          (error: unknown) => error,
        );
        expect(isLeashError(refused, 'blocked')).toBe(true);
      });
    }
  });
});
