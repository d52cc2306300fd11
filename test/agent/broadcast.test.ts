/**
 * Notifications in chat (issue 20): "…and notify them" on a plan migration makes the built-in planner propose
 * bulk_migrate_plan with `notify: true`, and the customers' notification comes alongside as its own card: one
 * messaging.broadcast approval showing the count, the template and a sample. Without the words, no notification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePlanner } from '../../src/agent/planners.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { LedgerConnector } from '../../src/connectors/ledger/ledger-connector.ts';
import { type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

let keys = 0;
const key = () => ({ idempotencyKey: `chat_broadcast_${++keys}` });
const card = { brand: 'visa' as const, last4: '4242', expMonth: 12, expYear: 2035, country: 'US' };

describe(`notify in chat (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
    const ledger = new LedgerConnector(fixture.store.db, fixture.orgId);
    const prices = [];
    for (const [name, unitAmount] of [
      ['Basic', 2_900],
      ['Pro', 7_900],
    ] as const) {
      const product = await ledger.createProduct({ name }, key());
      prices.push(
        await ledger.createPrice(
          { productId: product.id, currency: 'usd', interval: 'month', scheme: 'flat', unitAmount },
          key(),
        ),
      );
    }
    for (const name of ['Wayne Enterprises', 'Stark Industries', 'Wonka Industries']) {
      const customer = await ledger.createCustomer(
        {
          name,
          email: `${name.split(' ')[0]?.toLowerCase()}@chat.test`,
          country: 'US',
          currency: 'usd',
          paymentMethod: card,
        },
        key(),
      );
      await ledger.createSubscription({ customerId: customer.id, items: [{ priceId: prices[0]?.id ?? '' }] }, key());
    }
  });
  afterAll(async () => fixture?.close());

  const turnOf = async (text: string) =>
    runAgentTurn({
      context: { ...(await fixture.context(MANAGER)), channel: 'agent' },
      planner: await choosePlanner('builtin'),
      text,
    });

  it.each([
    'migrate everyone on Basic monthly to Pro monthly and notify them',
    'Move all customers on the Basic plan to the Pro plan and send notification emails',
    'upgrade everyone on Basic to Pro, and let them know',
  ])('"%s" proposes the migration with notify and the broadcast alongside', async (text) => {
    const turn = await turnOf(text);
    const migration = turn.calls.find((found) => found.operation === 'bulk_migrate_plan');
    expect(migration?.input, turn.reply).toMatchObject({ notify: true });
    expect(migration?.proposal?.preview.summary).toMatch(/and notify 3 customers \(approval needed\)/);
    const broadcast = turn.calls.find((found) => found.operation === 'notify_customers');
    expect(broadcast?.outcome, turn.reply).toBe('warn');
    expect(broadcast?.proposal?.preview.details).toMatchObject({ count: 3 });
    // The conversation's card shows the count, the template and the sample messages.
    expect(turn.reply).toContain('recipients: — → 3 customers');
    expect(turn.reply).toContain('template: — → Hello {{customer_name}}');
    expect(turn.reply).toMatch(/message 1 of 3 \(to \w+ Industries|message 1 of 3 \(to Wayne/);
    expect(await fixture.store.db.selectFrom('messages').select('id').execute()).toHaveLength(0);
  });

  it('without the words, no notification is proposed', async () => {
    const turn = await turnOf('migrate everyone on Basic to Pro');
    const migration = turn.calls.find((found) => found.operation === 'bulk_migrate_plan');
    expect(migration?.input, turn.reply).not.toHaveProperty('notify');
    expect(turn.calls.some((found) => found.operation === 'notify_customers')).toBe(false);
  });
});
