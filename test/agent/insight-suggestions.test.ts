/**
 * Insights that suggest the next step (issue 21), on the default demo (`leash demo`'s defaults, 300 customers):
 * failures, involuntary churn, overdue and usage-vs-limits each carry suggestions whose inputs pass their
 * operation's schema; "do the first one" in chat, and POSTing a suggestion's operation and input over HTTP,
 * each make a proposal that waits for confirmation — nothing executes, the audit log shows a proposal only.
 * The retry suggestion is for the region the failures name: its job lists only that country's invoices.
 * Real store (PGlite, or PostgreSQL with DATABASE_URL), real HTTP on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPlanner } from '../../src/agent/builtin/builtin-planner.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { SUGGESTED_OPERATIONS, type Suggestion } from '../../src/insights/suggest.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { proposeOperation, runRead } from '../../src/operations/run-operation.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { FINANCE, type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { generateStartDemo } from '../support/start-demo.ts';
import { testStoreKind } from '../support/store.ts';

type Answer = { suggestions: Suggestion[] };

describe(`insight suggestions on the default demo (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let context: OperationContext;
  const answers = new Map<string, Answer>();
  const INSIGHTS = ['payment_failure_rates', 'involuntary_churn', 'overdue_summary', 'usage_against_limits'];

  /** Everything billing-shaped that a proposal must not touch. */
  const ledgerState = async () =>
    JSON.stringify(
      await Promise.all([
        fixture.store.db.selectFrom('invoices').select(['id', 'status', 'amountRemaining']).orderBy('id').execute(),
        fixture.store.db.selectFrom('charges').select(['id', 'status']).orderBy('id').execute(),
        fixture.store.db.selectFrom('subscriptionItems').select(['id', 'priceId']).orderBy('id').execute(),
        fixture.store.db.selectFrom('coupons').select(['id']).orderBy('id').execute(),
      ]),
    );

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateStartDemo(fixture.store, fixture.orgId);
    server = await startTestServer(fixture);
    context = await fixture.context(MANAGER, { channel: 'cli' });
    for (const name of INSIGHTS) answers.set(name, (await runRead(context, name, {})) as Answer);
  }, 600_000);
  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  it('failures, churn, overdue and usage against limits each suggest next steps whose inputs pass their schema', () => {
    const expected: Record<string, string[]> = {
      payment_failure_rates: ['bulk_retry_invoices'],
      involuntary_churn: ['draft_reply'],
      overdue_summary: ['retry_invoice', 'draft_reply'],
      usage_against_limits: ['change_plan'],
    };
    for (const name of INSIGHTS) {
      const suggestions = answers.get(name)?.suggestions ?? [];
      expect(suggestions.length, name).toBeGreaterThan(0);
      expect(suggestions.map((entry) => entry.operation)).toEqual(expect.arrayContaining(expected[name] ?? []));
      for (const suggestion of suggestions) {
        expect(suggestion.text.length, name).toBeGreaterThan(10);
        expect(suggestion.why.length, name).toBeGreaterThan(10);
        const schema = SUGGESTED_OPERATIONS[suggestion.operation];
        expect(schema.safeParse(suggestion.input).success, `${name} → ${suggestion.operation}`).toBe(true);
      }
    }
  });

  it('"do the first one" after an insight answer proposes that suggestion in chat; it waits, nothing runs', async () => {
    const before = await ledgerState();
    const asked = await runAgentTurn({ context, planner: builtinPlanner(), text: 'show overdue invoices summary' });
    const insight = asked.calls.find((call) => call.operation === 'overdue_summary' && call.outcome === 'read');
    expect(insight, JSON.stringify(asked.calls.map((call) => call.operation))).toBeDefined();
    const first = (insight?.result as Answer | undefined)?.suggestions[0];
    expect(first).toBeDefined();

    const done = await runAgentTurn({
      context,
      planner: builtinPlanner(),
      text: 'do the first one',
      conversationId: asked.conversationId,
    });
    const proposed = done.calls.find((call) => call.proposal);
    expect(proposed?.operation).toBe(first?.operation);
    expect(proposed?.input).toMatchObject(first ? first.input : {});
    expect(proposed?.proposal?.status).toMatch(/^awaiting_(confirmation|approval)$/);
    expect(done.reply).toContain('waits for confirmation');
    expect(await ledgerState()).toBe(before);

    // "do suggestion 9" when there are fewer proposes nothing.
    const none = await runAgentTurn({
      context,
      planner: builtinPlanner(),
      text: 'do suggestion 9',
      conversationId: asked.conversationId,
    });
    expect(none.calls.some((call) => call.proposal)).toBe(false);
  }, 120_000);

  it('POSTing a suggestion to its operation proposes it over HTTP; it waits for confirmation and the audit shows only the proposal', async () => {
    const before = await ledgerState();
    const { token } = await server.signIn(FINANCE);
    const failures = await server.call<{ result: Answer }>('POST', '/api/operations/payment_failure_rates', {
      token,
      body: {},
    });
    expect(failures.status).toBe(200);
    const suggestion = failures.body.result.suggestions[0];
    if (!suggestion) throw new Error('no suggestion');
    const proposed = await server.call<{ id: string; status: string }>(
      'POST',
      `/api/operations/${suggestion.operation}`,
      { token, body: { ...suggestion.input, case_id: 'T-2101' } },
    );
    expect(proposed.status, JSON.stringify(proposed.body)).toBeLessThan(300);
    expect(proposed.body.status).toMatch(/^awaiting_(confirmation|approval)$/);
    const events = (await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 1000 })).filter(
      (event) => event.operation === suggestion.operation,
    );
    expect(events.map((event) => event.event)).toContain('proposal.created');
    expect(events.some((event) => event.event.startsWith('execution.'))).toBe(false);
    expect(await ledgerState()).toBe(before);
  }, 120_000);

  it('usage against limits: with nothing recorded in the current period yet, it compares the last two complete periods', async () => {
    const answer = answers.get('usage_against_limits') as Answer & { subscriptions: unknown[] };
    // The demo records usage as a period closes, so the current period has none over a limit.
    expect(answer.subscriptions).toEqual([]);
    const connector = context.connector(context.db);
    const overIn = async (periodsBack: number) =>
      new Set(
        (await connector.usageAgainstLimits({ previous: true, periodsBack, minShare: 1, limit: 1000 })).map(
          (row) => row.subscriptionId,
        ),
      );
    const [last, before] = await Promise.all([overIn(1), overIn(2)]);
    for (const suggestion of answer.suggestions) {
      const id = String(suggestion.input.subscription_id);
      expect(last.has(id) && before.has(id), id).toBe(true);
      expect(String(suggestion.input.reason)).toContain('the last two complete periods');
      const subscription = await connector.getSubscription(id);
      const [price, target] = await Promise.all([
        connector.getPrice(subscription?.items[0]?.priceId ?? ''),
        connector.getPrice(String(suggestion.input.price_id)),
      ]);
      // A plan that costs more (its limits fit) in the same currency and interval.
      expect(target?.currency).toBe(price?.currency);
      expect(target?.interval).toBe(price?.interval);
      expect(target?.unitAmount ?? 0).toBeGreaterThan(price?.unitAmount ?? 0);
    }
  });

  it("the retry suggestion is for the region with the most open invoices that failed for a retryable reason, and its job lists only that country's invoices", async () => {
    const failures = answers.get('payment_failure_rates') as Answer & { window: { from: string; until: string } };
    const retry = failures.suggestions.find((entry) => entry.operation === 'bulk_retry_invoices');
    const country = String(retry?.input.country);
    expect(retry?.text).toContain(`customers in ${country}`);
    // Counted here from the tables: open invoices with a retryable failed payment in the window, by country.
    const open = await fixture.store.db
      .selectFrom('charges')
      .innerJoin('invoices', 'invoices.id', 'charges.invoiceId')
      .innerJoin('customers', 'customers.id', 'invoices.customerId')
      .where('charges.status', '=', 'failed')
      .where('charges.failureCode', 'in', ['insufficient_funds', 'processing_error'])
      .where('charges.createdAt', '>=', new Date(failures.window.from))
      .where('charges.createdAt', '<', new Date(failures.window.until))
      .where('invoices.status', '=', 'open')
      .where('invoices.amountRemaining', '>', 0)
      .select(['customers.country', 'invoices.id'])
      .distinct()
      .execute();
    const byCountry = new Map<string, number>();
    for (const row of open) byCountry.set(row.country, (byCountry.get(row.country) ?? 0) + 1);
    expect(byCountry.get(country) ?? 0).toBeGreaterThan(0);
    expect(byCountry.get(country)).toBe(Math.max(...byCountry.values()));

    const countries = new Map(
      (await fixture.store.db.selectFrom('customers').select(['id', 'country']).execute()).map((row) => [
        row.id,
        row.country,
      ]),
    );
    const before = await ledgerState();
    const input: Record<string, unknown> = { ...retry?.input, case_id: 'T-2102' };
    const { country: _country, ...everywhere } = input;
    const [regional, all] = [
      await proposeOperation(context, 'bulk_retry_invoices', input),
      await proposeOperation(context, 'bulk_retry_invoices', everywhere),
    ];
    const countriesOf = (view: typeof regional) => view.preview.customers.map((entry) => countries.get(entry.id));
    // Without the country the same window retries other regions too; with it, only that country's invoices.
    expect(new Set(countriesOf(all)).size).toBeGreaterThan(1);
    expect(countriesOf(regional).length).toBeGreaterThan(0);
    expect(new Set(countriesOf(regional))).toEqual(new Set([country]));
    const targets = (view: typeof regional) => view.preview.targets;
    expect(targets(regional)).toEqual(
      targets(all).filter((_, index) => countries.get(all.preview.changes[index]?.field ?? '') === country),
    );
    // The person is shown the country in the summary; nothing runs.
    expect(regional.preview.summary).toContain(`of customers in ${country}`);
    expect(regional.status, JSON.stringify(regional.decision)).toMatch(/^awaiting_(confirmation|approval)$/);
    expect(await ledgerState()).toBe(before);
  }, 120_000);
});
