/**
 * The audit listing's filters over HTTP, against a real server on loopback: a customer by any part of a name or
 * email (ledger customers and the Stripe mirror's), a member by id or email, kind, amount (major units, each row
 * in its own currency) and currency; rows carry the customer's name and the amount; the kinds endpoint lists
 * what the log holds; bad filter values are a 400 naming the field, and nothing is recorded.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/append-audit-event.ts';
import { listAuditEvents } from '../../src/audit/list-audit-events.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

interface Entry {
  seq: number;
  event: string;
  customerId: string | null;
  customerName: string | null;
  actorEmail: string | null;
  amount: { amount: number; currency: string } | null;
}
type Answer = { events: Entry[] };
type ErrorBody = { error: { code: string; message: string; field?: string } };

describe(`audit filters over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let owner: string;
  const customers: Record<string, string> = {};
  const serverErrors: string[] = [];

  const list = async (query: string) => {
    const answer = await server.call<Answer>('GET', `/api/audit?${query}`, { token: owner });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.events;
  };
  const customersOf = (events: Entry[]) => [...new Set(events.map((event) => event.customerName))].sort();

  /** A paid charge for a new customer and a proposed refund of part of it. */
  async function refund(name: string, currency: 'usd' | 'eur' | 'jpy', paid: number, amount: number, token: string) {
    const { customer, charge } = await fixture.paidCharge(paid, currency, name);
    customers[name] = customer.id;
    const proposed = await server.call('POST', '/api/operations/refund_charge', {
      token,
      body: { charge_id: charge.id, amount, reason: 'charged twice', case_id: 'T-9' },
    });
    expect(proposed.status).toBe(201);
  }

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture, {
      logger: pino({ level: 'error' }, { write: (line: string) => serverErrors.push(line) }),
    });
    owner = (await server.signIn(OWNER)).token;
    const clerk = (await server.signIn(CLERK)).token;
    const finance = (await server.signIn(FINANCE)).token;
    await refund('Acme Corp', 'usd', 8_000, 2_000, clerk); // $20.00
    await refund('Globex GmbH', 'eur', 5_000, 1_500, finance); // €15.00
    await refund('Tanaka KK', 'jpy', 50_000, 3_000, clerk); // ¥3,000
  });

  afterAll(async () => {
    await server?.close();
    await fixture?.close();
  });

  it('finds a customer by any part of the name or email, any case; rows carry the name and the amount', async () => {
    const byName = await list('customer=acme');
    expect(byName.length).toBeGreaterThan(0);
    expect(customersOf(byName)).toEqual(['Acme Corp']);
    const proposal = byName.find((event) => event.event === 'proposal.created');
    expect(proposal).toMatchObject({ customerId: customers['Acme Corp'], amount: { amount: 2_000, currency: 'usd' } });
    expect(byName.find((event) => event.event === 'decision.made')?.amount).toEqual({ amount: 2_000, currency: 'usd' });

    const email = (await fixture.connector.getCustomer(customers['Tanaka KK'] as string))?.email as string;
    expect(customersOf(await list(`customer=${encodeURIComponent(email.toUpperCase())}`))).toEqual(['Tanaka KK']);
    expect(customersOf(await list(`customer=${customers['Globex GmbH']}`))).toEqual(['Globex GmbH']);
    expect(await list('customer=Nobody%20Here')).toEqual([]);
    // LIKE wildcards are taken literally: "%" and "_" match names that hold them, not every name.
    expect(await list('customer=%25')).toEqual([]);
    expect(await list('customer=_')).toEqual([]);
  });

  it('finds customers of the Stripe mirror by name too', async () => {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(fixture.store.db);
    const mirror = `${rows[0]?.schema}_stripe`;
    await sql`insert into ${sql.table(`${mirror}.customers`)} (id, org_id, name, email, country, address, metadata, currency, created_at)
      values ('cus_StripeMirror1', ${fixture.orgId}, 'Initech Mirror', 'ap@initech.test', 'US', '{}', '{}', 'usd', now())`.execute(
      fixture.store.db,
    );
    await appendAuditEvent(fixture.store.db, {
      orgId: fixture.orgId,
      event: 'data.read',
      channel: 'http',
      operation: 'get_customer',
      customerId: 'cus_StripeMirror1',
    });
    const found = await list('customer=initech');
    expect(found.map((event) => [event.customerId, event.customerName, event.amount])).toEqual([
      ['cus_StripeMirror1', 'Initech Mirror', null],
    ]);
  });

  it('filters by amount in major units, each row in its own currency, and by currency', async () => {
    const proposals = (query: string) => list(`event=proposal.created&${query}`).then(customersOf);
    expect(await proposals('amount_min=20')).toEqual(['Acme Corp', 'Tanaka KK']);
    expect(await proposals('amount_min=15&amount_max=20')).toEqual(['Acme Corp', 'Globex GmbH']);
    expect(await proposals('amount_max=100')).toEqual(['Acme Corp', 'Globex GmbH']);
    expect(await proposals('amount_min=20.01')).toEqual(['Tanaka KK']);
    expect(await proposals('currency=JPY')).toEqual(['Tanaka KK']);
    expect(await proposals('currency=eur&amount_min=15')).toEqual(['Globex GmbH']);
    // Events without money (a sign-in, a read) never match an amount filter.
    expect((await list('amount_min=0')).every((event) => event.amount !== null)).toBe(true);
  });

  it('filters by member id or email', async () => {
    const byEmail = await list(`member=${encodeURIComponent(FINANCE.toUpperCase())}`);
    expect(byEmail.length).toBeGreaterThan(0);
    expect(new Set(byEmail.map((event) => event.actorEmail))).toEqual(new Set([FINANCE]));
    const clerk = await fixture.member(CLERK);
    const byId = await list(`member=${clerk.id}&event=proposal.created`);
    expect(customersOf(byId)).toEqual(['Acme Corp', 'Tanaka KK']);
  });

  it('lists the kinds present in the log, input.refused included once there is one', async () => {
    const before = await server.call<{ kinds: string[] }>('GET', '/api/audit/kinds', { token: owner });
    expect(before.status).toBe(200);
    expect(before.body.kinds).toEqual(expect.arrayContaining(['proposal.created', 'decision.made']));
    expect(before.body.kinds).not.toContain('reply.sent');
    expect(before.body.kinds).not.toContain('input.refused');
    // A NUL in a query is refused and audited as input.refused.
    expect((await server.call('GET', '/api/audit?customer=a%00', { token: owner })).status).toBe(400);
    const after = await server.call<{ kinds: string[] }>('GET', '/api/audit/kinds', { token: owner });
    expect(after.body.kinds).toContain('input.refused');
    expect(customersOf(await list('event=input.refused'))).toEqual([null]);
    expect((await server.call('GET', '/api/audit/kinds')).status).toBe(401);
  });

  it.each([
    ['amount_min=abc', 'amount_min', /major units/],
    ['amount_min=-5', 'amount_min', /major units/],
    ['amount_max=1e3', 'amount_max', /major units/],
    ['amount_min=50&amount_max=20', 'amount_max', /below amount_min/],
    ['currency=dollars', 'currency', /use one of usd/],
    ['event=refund.made', 'event', /not a kind of audit event/],
    ['outcome=maybe', 'outcome', /pass, warn or block/],
    ['from=2026-05-01&to=2026-04-01', 'to', /before from/],
    [`customer=${'x'.repeat(201)}`, 'customer', /./],
  ])('refuses %s with a 400 naming %s, and records nothing', async (query, field, message) => {
    const count = async () => (await listAuditEvents(fixture.store.db, fixture.orgId, { limit: 10_000 })).length;
    const before = await count();
    const answer = await server.call<ErrorBody>('GET', `/api/audit?${query}`, { token: owner });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'bad_input', field });
    expect(answer.body.error.message).toMatch(message);
    expect(answer.body.error.message).not.toMatch(/select|numeric|syntax|zod|ZodError/i);
    expect(await count()).toBe(before);
    expect(serverErrors).toEqual([]);
  });
});
