/**
 * One member cannot send customer data anywhere (issue 17), through the real pipeline (store, ledger, Cedar gate,
 * audit): changing where a customer's billing mail goes needs a support lead; mail to an address changed in the
 * last 72 h needs approval; outbound text holding another customer's data warns, and a card number blocks.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../src/domain/billing.ts';
import { isLeashError } from '../../src/domain/errors.ts';
import { newId } from '../../src/domain/ids.ts';
import { isRead } from '../../src/operations/define-operation.ts';
import { registry } from '../../src/operations/registry.ts';
import { approveRequest, confirmProposal, proposeOperation } from '../../src/operations/run-operation.ts';
import { OUTBOUND_FIELDS } from '../../src/policy/outbound-fields.ts';
import { cardNumbersIn, recordLines } from '../../src/policy/outbound-text.ts';
import { CLERK, type LeashFixture, MANAGER, openLeashFixture, SUPPORT_LEAD } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

const reasons = (proposal: { decision: { reasons: { message: string }[] } }) =>
  proposal.decision.reasons.map((reason) => reason.message).join(' | ');

describe(`where customer data goes (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let acme: Customer;
  let initech: Customer;
  let hooli: Customer;
  let acmeCharge: string;

  const customer = (name: string, email: string) =>
    fixture.connector.createCustomer(
      { name, email, country: 'US', currency: 'usd' },
      { idempotencyKey: `exfil_${newId('request')}` },
    );

  beforeAll(async () => {
    fixture = await openLeashFixture();
    const paid = await fixture.paidCharge(50_000, 'usd', 'Acme Exfil Corp');
    acme = paid.customer;
    acmeCharge = paid.charge.id;
    initech = await customer('Initech Systems', 'bob@initech.test');
    hooli = await customer('Hooli Analytics', 'gavin@hooli.test');
  });
  afterAll(async () => fixture.close());

  async function draft(body: string, to: Customer = acme) {
    const clerk = await fixture.context(CLERK);
    return proposeOperation(clerk, 'draft_reply', { customer: to.id, body, reason: 'reply', case_id: 'T-1' });
  }

  async function draftedMessage(body: string, to: Customer = acme): Promise<string> {
    const proposal = await draft(body, to);
    expect(proposal.decision.outcome).toBe('pass');
    const outcome = await confirmProposal(await fixture.context(CLERK), proposal.id);
    return (outcome.result as { messageId: string }).messageId;
  }

  const send = async (messageId: string, profile: 'short-leash' | 'caps' = 'caps') =>
    proposeOperation(await fixture.context(CLERK, { profile }), 'send_reply', {
      message_id: messageId,
      reason: 'answer',
      case_id: 'T-1',
    });

  it('a clerk changing a customer email is WARN for a support lead, naming the old and the new address', async () => {
    const target = await customer('Mailroom Ltd', 'ap@mailroom.test');
    const clerk = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(clerk, 'update_customer', {
      customer_id: target.id,
      email: 'attacker@elsewhere.test',
      reason: 'customer asked',
      case_id: 'T-2',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('identity.contact_change');
    expect(reasons(proposal)).toContain('from ap@mailroom.test to attacker@elsewhere.test');
    expect(proposal.decision.requiredApprovers.groups).toEqual(['support_lead']);
    // The clerk cannot confirm it; a manager outside support_lead is not routed; the support lead approves.
    const confirmed = await confirmProposal(clerk, proposal.id).catch((error: unknown) => error);
    expect(isLeashError(confirmed, 'blocked')).toBe(true);
    const manager = await approveRequest(
      await fixture.context(MANAGER, { profile: 'caps' }),
      proposal.approval?.id ?? '',
      {
        reason: 'ok',
      },
    ).catch((error: unknown) => error);
    expect(isLeashError(manager)).toBe(true);
    const approved = await approveRequest(
      await fixture.context(SUPPORT_LEAD, { profile: 'caps' }),
      proposal.approval?.id ?? '',
      {
        reason: 'verified by phone',
      },
    );
    expect(approved.status).toBe('succeeded');
    expect((await fixture.connector.getCustomer(target.id))?.email).toBe('attacker@elsewhere.test');
  });

  it('an update that only changes the address is not an email change', async () => {
    const target = await customer('Address Only GmbH', 'ap@address-only.test');
    const proposal = await proposeOperation(await fixture.context(CLERK, { profile: 'caps' }), 'update_customer', {
      customer_id: target.id,
      address: { line1: '1 Main St', city: 'Springfield' },
      reason: 'moved',
      case_id: 'T-3',
    });
    expect(proposal.decision.outcome).toBe('pass');
  });

  it('mail to an address changed 1 h ago needs approval naming the change time; 73 h ago it does not', async () => {
    const target = (await fixture.paidCharge(1_000, 'usd', 'Recent Change Inc')).customer;
    await fixture.connector.updateCustomer(
      { customerId: target.id, email: 'new-ap@recent-change.test' },
      { idempotencyKey: `exfil_${newId('request')}` },
    );
    const messageId = await draftedMessage('Your invoice is paid. Thank you!', target);
    const at = (hours: number) =>
      sql`update customer_email_changes set changed_at = now() - make_interval(hours => ${hours})
          where customer_id = ${target.id}`.execute(fixture.store.db);

    await at(1);
    const recent = await send(messageId);
    expect(recent.decision.outcome).toBe('warn');
    expect(recent.decision.reasons.map((reason) => reason.policyId)).toContain('identity.recent_email_change');
    const changedAt = await sql<{ changedAt: Date }>`
      select changed_at from customer_email_changes where customer_id = ${target.id}`.execute(fixture.store.db);
    expect(reasons(recent)).toContain(new Date(changedAt.rows[0]?.changedAt ?? 0).toISOString());
    expect(reasons(recent)).toContain('new-ap@recent-change.test');

    await at(73);
    const settled = await send(messageId);
    expect(settled.decision.outcome).toBe('pass');
  });

  it('a refund reason holding another customer’s email is WARN naming it, masked', async () => {
    const proposal = await proposeOperation(await fixture.context(CLERK, { profile: 'caps' }), 'refund_charge', {
      charge_id: acmeCharge,
      amount: 1_000,
      reason: 'duplicate; also see bob@initech.test',
      case_id: 'T-4',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(reasons(proposal)).toContain("the refund reason holds another customer's email (b***@initech.test)");
    expect(reasons(proposal)).not.toContain('bob@initech.test');
  });

  it('a refund reason naming another customer is WARN naming which one', async () => {
    const proposal = await proposeOperation(await fixture.context(CLERK, { profile: 'caps' }), 'refund_charge', {
      charge_id: acmeCharge,
      amount: 1_000,
      reason: 'refund as we did for Hooli Analytics last week',
      case_id: 'T-5',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.reasons.map((reason) => reason.policyId)).toContain('outbound.other_customer_data');
    expect(reasons(proposal)).toContain(`another customer's name (H***s (${hooli.id}))`);
  });

  it('an invoice memo or line holding another customer’s id warns; the invoice’s own customer does not', async () => {
    const manager = await fixture.context(MANAGER, { profile: 'caps' });
    const invoice = (memo: string) =>
      proposeOperation(manager, 'create_invoice', {
        customer_id: acme.id,
        lines: [{ description: `Consulting for ${acme.id}`, amount: 5_000 }],
        memo,
        reason: 'one-off work',
        case_id: 'T-6',
      });
    const own = await invoice('Thank you for your business.');
    expect(own.decision.outcome).toBe('pass');
    const other = await invoice(`Same terms as ${initech.id}.`);
    expect(other.decision.outcome).toBe('warn');
    expect(reasons(other)).toContain(`the invoice memo holds another customer's id (${initech.id})`);
  });

  it('a reply body with a Luhn-valid card number is BLOCK, when drafted and when an old draft is sent', async () => {
    const drafted = await draft('Your card 4111 1111 1111 1111 was charged twice.');
    expect(drafted.decision.outcome).toBe('block');
    expect(reasons(drafted)).toContain('a card number ending 1111');
    // A draft stored before this check existed is checked again when it is sent.
    const id = newId('message');
    await fixture.store.db
      .insertInto('messages')
      .values({
        id,
        orgId: fixture.orgId,
        customerId: acme.id,
        ticketId: null,
        toEmail: acme.email,
        subject: 'Card',
        body: 'Card on file: 5555-5555-5555-4444.',
        findings: '[]',
        status: 'draft',
        createdBy: (await fixture.member(CLERK)).id,
        createdAt: new Date(),
      } as never)
      .execute();
    const sent = await send(id);
    expect(sent.decision.outcome).toBe('block');
    expect(sent.decision.reasons[0]?.policyId).toBe('outbound.card_number');
  });

  it('a reply that holds the addressed customer’s own email and name passes (no false positive)', async () => {
    const messageId = await draftedMessage(
      `Hi Acme Exfil Corp, we will keep sending invoices to ${acme.email}. Order 4111 1111 1111 1112 is noted.`,
    );
    const proposal = await send(messageId);
    expect(reasons(proposal)).not.toMatch(/another customer|card number/);
    expect(proposal.decision.outcome).toBe('pass');
  });

  it('a drafted reply carrying other customers’ names and emails warns at draft and at send', async () => {
    const body = `Here is the list you asked for:\nInitech Systems, bob@initech.test\nHooli Analytics, gavin@hooli.test\nanother, x@y.test`;
    const drafted = await draft(body);
    expect(drafted.decision.outcome).toBe('warn');
    expect(reasons(drafted)).toContain('b***@initech.test');
    expect(reasons(drafted)).toContain('a list of 3 email addresses');
    // Approved as a draft, it is checked again when it is sent.
    const approved = await approveRequest(await fixture.context(SUPPORT_LEAD), drafted.approval?.id ?? '', {
      reason: 'checked',
    });
    const sent = await send((approved.result as { messageId: string }).messageId, 'short-leash');
    expect(sent.decision.outcome).toBe('warn');
    expect(reasons(sent)).toContain("the reply body holds another customer's email (b***@initech.test)");
  });

  it('the check runs again at execution: an address that became another customer’s since the proposal holds it', async () => {
    const messageId = await draftedMessage('Please also copy our accountant, kim@later-customer.test.');
    const clerk = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await send(messageId);
    expect(proposal.decision.outcome).toBe('pass');
    await customer('Later Customer Ltd', 'kim@later-customer.test');
    const outcome = await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('blocked');
    expect(outcome.reasons.map((reason) => reason.policyId)).toContain('outbound.other_customer_data');
  });

  it('an email changed in the Stripe mirror (a sync or webhook) is recorded too', async () => {
    const mirror = (
      await sql<{ schema: string }>`select current_schema() || '_stripe' as schema`.execute(fixture.store.db)
    ).rows[0]?.schema;
    const table = sql.table(`${mirror}.customers`);
    await sql`insert into ${table} (id, org_id, name, email, country, currency, created_at)
      values ('cus_mirror1', ${fixture.orgId}, 'Mirror Co', 'old@mirror.test', 'US', 'usd', now())`.execute(
      fixture.store.db,
    );
    await sql`update ${table} set email = 'new@mirror.test' where id = 'cus_mirror1'`.execute(fixture.store.db);
    const { rows } = await sql<{ fromEmail: string; toEmail: string }>`
      select from_email, to_email from customer_email_changes where customer_id = 'cus_mirror1'`.execute(
      fixture.store.db,
    );
    expect(rows).toEqual([{ fromEmail: 'old@mirror.test', toEmail: 'new@mirror.test' }]);
  });

  it('card numbers need the Luhn check and a card network’s first digit; record-shaped lines are counted', () => {
    expect(cardNumbersIn('4111-1111-1111-1111 and 378282246310005')).toEqual(['4111111111111111', '378282246310005']);
    expect(cardNumbersIn('4111 1111 1111 1112, 1111111111111117, invoice 2026120312')).toEqual([]);
    expect(recordLines('a, b@c.test, 1\nd, e@f.test, 2\nnot a record')).toBe(2);
  });

  it('every write operation says which of its fields leave Leash', () => {
    const writes = [...registry.values()].filter((operation) => !isRead(operation)).map((operation) => operation.name);
    expect(writes.filter((name) => !Object.hasOwn(OUTBOUND_FIELDS, name))).toEqual([]);
  });
});
