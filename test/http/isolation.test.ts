/**
 * Tenant isolation over HTTP: a member of org B tries every endpoint and every operation with org A's ids and
 * gets exactly the response of an id that does not exist (status and body, the id itself aside). Lists show B
 * nothing of A. Underneath, row-level security holds every request to its org (store/org-scope.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addMember, createOrg } from '../../src/auth/members.ts';
import { newId } from '../../src/domain/ids.ts';
import { registry } from '../../src/operations/registry.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, FINANCE, type LeashFixture, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const B_OWNER = 'owner@b-corp.test';
const B_FINANCE = 'finance@b-corp.test';

/** A made-up id of the same kind, which exists nowhere. */
function missingLike(id: string): string {
  return `${id.slice(0, id.indexOf('_'))}_${newId('request').slice(4)}`;
}

function normalise(value: unknown, ids: string[]): string {
  let text = JSON.stringify(value);
  for (const id of ids) text = text.replaceAll(id, '<id>');
  return text.replace(/req_[A-Za-z0-9]+/g, '<request>');
}

describe(`tenant isolation over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  const a: Record<string, string> = {};
  let bOwner: string;
  let bFinance: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    const { org } = await createOrg(fixture.store.db, { name: 'B Corp', ownerEmail: B_OWNER });
    await addMember(fixture.store.db, org.id, { email: B_FINANCE, role: 'billing_manager', groups: ['finance'] });
    const bOwnerKey = await startTestServerKey(server, fixture, org.id, B_OWNER);
    bOwner = bOwnerKey;
    bFinance = await startTestServerKey(server, fixture, org.id, B_FINANCE);

    // Org A's records, made through its own members.
    const { customer, charge } = await fixture.paidCharge(9_000, 'usd', 'Acme Corp');
    a.customer = customer.id;
    a.charge = charge.id;
    a.invoice = charge.invoiceId ?? '';
    const clerk = (await server.signIn(CLERK)).token;
    const proposal = await server.call<{ id: string; approval: { id: string } }>(
      'POST',
      '/api/operations/refund_charge',
      {
        token: clerk,
        body: { charge_id: charge.id, amount: 1_000, reason: 'charged twice', case_id: 'T-1' },
      },
    );
    a.proposal = proposal.body.id;
    a.approval = proposal.body.approval.id;
    const ticket = await server.call<{ ticket: { id: string; number: number } }>('POST', '/api/tickets', {
      token: clerk,
      body: { message: 'I was charged twice this month', customer: customer.id },
    });
    a.ticket = ticket.body.ticket.id;
    const keys = await server.call<{ info: { id: string } }>('POST', '/api/keys', {
      token: (await server.signIn(FINANCE)).token,
      body: { name: 'finance automation' },
    });
    a.key = keys.body.info.id;
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  it('lists show org B nothing of org A (checked before B tries anything)', async () => {
    const everything = JSON.stringify([
      (await server.call('GET', '/api/approvals?status=all', { token: bOwner })).body,
      (await server.call('GET', '/api/audit?limit=1000', { token: bOwner })).body,
      (await server.call('GET', '/api/tickets', { token: bOwner })).body,
      (await server.call('GET', '/api/members', { token: bOwner })).body,
      (await server.call('GET', '/api/keys', { token: bOwner })).body,
      (await server.call('POST', '/api/operations/search_customers', { token: bOwner, body: { query: 'Acme' } })).body,
      (await server.call('POST', '/api/operations/list_invoices', { token: bOwner, body: {} })).body,
    ]);
    for (const id of Object.values(a)) expect(everything).not.toContain(id);
    expect(everything).not.toContain('northwind');
    expect(everything).not.toContain(fixture.orgId);
    const verify = await server.call('GET', '/api/audit/verify', { token: bOwner });
    expect(verify.body).toMatchObject({ ok: true });
  });

  async function sameAsMissing(
    method: string,
    path: (id: string) => string,
    id: string,
    body?: (id: string) => unknown,
  ) {
    const missing = missingLike(id);
    const call = (target: string) =>
      server.call(method, path(target), { token: bOwner, ...(body ? { body: body(target) } : {}) });
    const [theirs, nobodys] = [await call(id), await call(missing)];
    expect(theirs.status, `${method} ${path(id)}`).toBe(nobodys.status);
    expect(normalise(theirs.body, [id]), `${method} ${path(id)}`).toBe(normalise(nobodys.body, [missing]));
    return theirs;
  }

  it('every REST endpoint with an id answers as for a missing id', async () => {
    const notFound = [
      await sameAsMissing('GET', (id) => `/api/proposals/${id}`, a.proposal ?? ''),
      await sameAsMissing(
        'POST',
        (id) => `/api/proposals/${id}/confirm`,
        a.proposal ?? '',
        () => ({}),
      ),
      await sameAsMissing('GET', (id) => `/api/approvals/${id}`, a.approval ?? ''),
      await sameAsMissing(
        'POST',
        (id) => `/api/approvals/${id}/approve`,
        a.approval ?? '',
        () => ({
          reason: 'looks fine',
          confirm_text: 'CONFIRM',
        }),
      ),
      await sameAsMissing(
        'POST',
        (id) => `/api/approvals/${id}/reject`,
        a.approval ?? '',
        () => ({ reason: 'no way' }),
      ),
      await sameAsMissing('GET', (id) => `/api/tickets/${id}`, a.ticket ?? ''),
      await sameAsMissing('DELETE', (id) => `/api/keys/${id}`, a.key ?? ''),
    ];
    for (const response of notFound) expect(response.status).toBe(404);
    // B's finance approver cannot approve A's request either.
    const approve = await server.call('POST', `/api/approvals/${a.approval}/approve`, {
      token: bFinance,
      body: { reason: 'looks fine', confirm_text: 'CONFIRM' },
    });
    expect(approve.status).toBe(404);
    expect((await fixture.connector.getCharge(a.charge ?? ''))?.amountRefunded).toBe(0);
  });

  it('every operation given org A ids answers as for missing ids', async () => {
    const idFor: Record<string, string | undefined> = {
      customer_id: a.customer,
      customer: a.customer,
      invoice_id: a.invoice,
      invoice: a.invoice,
      charge_id: a.charge,
      ticket: a.ticket,
    };
    const fillers: Record<string, unknown> = {
      reason: 'checking',
      case_id: 'T-1',
      amount: 100,
      currency: 'usd',
      body: 'Hello',
      subject: 'Billing',
      message: 'Hello',
    };
    let tried = 0;
    for (const operation of registry.values()) {
      const schema = z.toJSONSchema(operation.input, { io: 'input' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      const properties = Object.keys(schema.properties ?? {});
      const idFields = properties.filter((name) => idFor[name] !== undefined);
      if (idFields.length === 0) continue;
      const required = schema.required ?? [];
      if (required.some((name) => idFor[name] === undefined && !(name in fillers))) continue;
      // One id field at a time (get_invoice takes invoice_id or customer, not both).
      for (const field of idFields) {
        const input = (id: string) => ({
          ...Object.fromEntries(required.filter((name) => name in fillers).map((name) => [name, fillers[name]])),
          ...Object.fromEntries(
            required.filter((name) => idFor[name] !== undefined && name !== field).map((name) => [name, idFor[name]]),
          ),
          [field]: id,
        });
        await sameAsMissing('POST', () => `/api/operations/${operation.name}`, idFor[field] ?? '', input);
        tried += 1;
      }
    }
    expect(tried).toBeGreaterThan(20);
  });
});

async function startTestServerKey(
  _server: TestServer,
  fixture: LeashFixture,
  orgId: string,
  email: string,
): Promise<string> {
  const { createApiKey } = await import('../../src/auth/api-keys.ts');
  const { findMemberByEmail } = await import('../../src/auth/members.ts');
  const member = await findMemberByEmail(fixture.store.db, orgId, email);
  if (!member) throw new Error(`no member ${email}`);
  return (await createApiKey(fixture.store.db, member, 'isolation test')).key;
}
