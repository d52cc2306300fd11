/**
 * Webhooks in chat (issue 20): the owner's plain words "wire the subscription.created webhook to https://…" make
 * the built-in planner propose create_webhook_endpoint with the URL and the event, through the gate; nothing is
 * created until it is confirmed. A loopback URL is refused by the gate's input check, and a clerk is blocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePlanner } from '../../src/agent/planners.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { CLERK, type LeashFixture, OWNER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

describe(`webhooks in chat (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture?.close());

  const endpoints = () => fixture.store.db.selectFrom('webhookEndpoints').select('id').execute();

  it.each([
    [
      'wire the subscription.created webhook to https://onboarding.example.com/hooks/leash',
      { url: 'https://onboarding.example.com/hooks/leash', events: ['subscription.created'] },
    ],
    [
      'Post invoice.finalized events to https://erp.example.com/invoices.',
      { url: 'https://erp.example.com/invoices', events: ['invoice.finalized'] },
    ],
    [
      'let https://example.com/provisioning know when a subscription is created',
      { url: 'https://example.com/provisioning', events: ['subscription.created'] },
    ],
  ])('"%s" proposes create_webhook_endpoint', async (text, expected) => {
    const turn = await runAgentTurn({
      context: { ...(await fixture.context(OWNER)), channel: 'agent' },
      planner: await choosePlanner('builtin'),
      text,
    });
    const call = turn.calls.find((found) => found.operation === 'create_webhook_endpoint');
    expect(call?.input, turn.reply).toMatchObject(expected);
    expect(call?.proposal, turn.reply).toBeTruthy();
    // Customer data would leave for an outside URL: a second person signs (approve.webhook), even for the owner.
    expect(call?.outcome).toBe('warn');
    expect(await endpoints()).toHaveLength(0); // proposing creates nothing
  });

  it('a clerk asking the same is blocked by policy', async () => {
    const turn = await runAgentTurn({
      context: { ...(await fixture.context(CLERK)), channel: 'agent' },
      planner: await choosePlanner('builtin'),
      text: 'wire the subscription.created webhook to https://onboarding.example.com/hooks/leash',
    });
    const call = turn.calls.find((found) => found.operation === 'create_webhook_endpoint');
    expect(call?.outcome, turn.reply).toBe('block');
    expect(await endpoints()).toHaveLength(0);
  });
});
