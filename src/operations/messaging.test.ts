/**
 * Replies: drafted (messaging.draft), sent through the gate (messaging.send), queued in the outbox and
 * delivered to a real SMTP server on loopback. A reply with an unsupported promise needs approval; a failed
 * delivery keeps the reply queued with its error; nothing is ever lost.
 */
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLERK,
  FINANCE,
  type LeashFixture,
  openLeashFixture,
  READER,
  SUPPORT_LEAD,
} from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import type { Customer } from '../domain/billing.ts';
import { isLeashError } from '../domain/errors.ts';
import { deliverOutbox, MAX_ATTEMPTS } from './deliver-outbox.ts';
import { approveRequest, confirmProposal, proposeOperation } from './run-operation.ts';

describe(`replies and the outbox (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let customer: Customer;
  let server: SMTPServer;
  let port = 0;
  const received: { to: string; body: string }[] = [];

  beforeAll(async () => {
    fixture = await openLeashFixture();
    customer = (await fixture.paidCharge(2_000, 'usd', 'Mail Co')).customer;
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','), body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fixture.close();
  });

  const smtp = (to: number) => ({
    transport: nodemailer.createTransport({ host: '127.0.0.1', port: to, secure: false, ignoreTLS: true }),
    from: 'billing@northwind.test',
  });

  async function draft(body: string): Promise<string> {
    const clerk = await fixture.context(CLERK);
    const proposal = await proposeOperation(clerk, 'draft_reply', {
      customer: customer.id,
      body,
      reason: 'reply to the customer',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('pass');
    const outcome = await confirmProposal(clerk, proposal.id);
    expect(outcome.status).toBe('succeeded');
    return (outcome.result as { messageId: string }).messageId;
  }

  it('a factual reply passes, is confirmed, queued and delivered once over SMTP', async () => {
    const messageId = await draft('Your latest invoice is paid. We will follow up once it has been reviewed.');
    const clerk = await fixture.context(CLERK);
    const proposal = await proposeOperation(clerk, 'send_reply', {
      message_id: messageId,
      reason: 'answer',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('pass');
    expect(proposal.preview.reversible).toBe(false);
    const outcome = await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' });
    expect(outcome.status).toBe('succeeded');
    const report = await deliverOutbox(clerk, smtp(port));
    expect(report.sent).toEqual([messageId]);
    expect(received.at(-1)?.to).toBe(customer.email);
    expect(received.at(-1)?.body).toContain('Your latest invoice is paid.');
    // Delivered once: a second run finds nothing queued.
    expect((await deliverOutbox(clerk, smtp(port))).sent).toEqual([]);
  });

  it('a reply promising a refund nobody approved warns and waits for finance or the support lead', async () => {
    const messageId = await draft('We will refund this immediately.');
    const clerk = await fixture.context(CLERK);
    const proposal = await proposeOperation(clerk, 'send_reply', {
      message_id: messageId,
      reason: 'answer',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.requiredApprovers.groups).toEqual(expect.arrayContaining(['finance', 'support_lead']));
    expect(proposal.preview.summary).toContain('refund');
    const refused = await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' }).catch(
      (error: unknown) => error,
    );
    expect(isLeashError(refused, 'blocked')).toBe(true);
    const lead = await fixture.context(SUPPORT_LEAD);
    const approved = await approveRequest(lead, proposal.approval?.id ?? '', {
      reason: 'refund approved separately',
      confirmText: 'CONFIRM',
    });
    expect(approved.status).toBe('succeeded');
  });

  it('a tax claim routes to legal', async () => {
    const messageId = await draft('You do not need to pay VAT on this invoice.');
    const proposal = await proposeOperation(await fixture.context(FINANCE), 'send_reply', {
      message_id: messageId,
      reason: 'answer',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('warn');
    expect(proposal.decision.requiredApprovers.groups).toContain('legal');
  });

  it('a failed delivery stays queued with its error, then is marked failed; the reply is never lost', async () => {
    const clerk = await fixture.context(CLERK);
    const messageId = await draft('Your invoice is paid.');
    const proposal = await proposeOperation(clerk, 'send_reply', {
      message_id: messageId,
      reason: 'answer',
      case_id: 'T-1',
    });
    await confirmProposal(clerk, proposal.id, { confirmText: 'CONFIRM' });
    const closed = await new Promise<number>((resolve) => {
      const probe = new SMTPServer({ authOptional: true });
      probe.listen(0, '127.0.0.1', () => {
        const free = (probe.server.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const report = await deliverOutbox(clerk, smtp(closed));
      expect(report.failed.find((failure) => failure.id === messageId)).toMatchObject({
        attempts: attempt,
        givenUp: attempt === MAX_ATTEMPTS,
      });
    }
    const row = await fixture.store.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(row.lastError).toBeTruthy();
  });

  it('a read-only member can neither draft nor send; a sent reply cannot be sent again', async () => {
    const reader = await fixture.context(READER);
    const refused = await proposeOperation(reader, 'draft_reply', {
      customer: customer.id,
      body: 'Hello',
      reason: 'x',
      case_id: 'T-1',
    });
    expect(refused.decision.outcome).toBe('block');
    const sent = await fixture.store.db
      .selectFrom('messages')
      .select('id')
      .where('status', '=', 'sent')
      .executeTakeFirstOrThrow();
    const again = await proposeOperation(await fixture.context(CLERK), 'send_reply', {
      message_id: sent.id,
      reason: 'again',
      case_id: 'T-1',
    }).catch((error: unknown) => error);
    expect(isLeashError(again) || (again as { decision: { outcome: string } }).decision.outcome === 'block').toBe(true);
  });
});
