/**
 * Conversations over HTTP against a real server on loopback: JSON turns, server-sent events as a turn runs
 * (built-in planner, and the LLM planner against a scripted OpenAI-compatible model), per-member ownership,
 * bad input, and a "yes" that confirms only the caller's own PASS proposal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel } from '../../src/agent/eval/scripted-model.ts';
import { startTestServer, type TestServer } from '../support/http.ts';
import { CLERK, type LeashFixture, MANAGER, openLeashFixture } from '../support/leash-fixture.ts';
import { testStoreKind } from '../support/store.ts';

type Turn = {
  conversation_id: string;
  title: string;
  reply: string;
  calls: {
    operation: string;
    input: Record<string, unknown>;
    outcome: string;
    proposal?: { id: string; status: string };
  }[];
};

/** Posts and reads the whole event stream: [event, data] pairs in order. */
async function stream(server: TestServer, path: string, token: string, body: unknown): Promise<[string, unknown][]> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.+)$/m.exec(block)?.[1] ?? 'null';
      return [event, JSON.parse(data)] as [string, unknown];
    });
}

describe(`conversations over HTTP (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let server: TestServer;
  let clerk: string;
  let manager: string;
  let customerName: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    server = await startTestServer(fixture);
    clerk = (await server.signIn(CLERK)).token;
    manager = (await server.signIn(MANAGER)).token;
    customerName = (await fixture.paidCharge(4599, 'usd', 'Jane Smith Studio')).customer.name;
  });
  afterAll(async () => {
    await server.close();
    await fixture.close();
  });

  it('answers a turn as JSON and names the conversation after the first message', async () => {
    const { status, body } = await server.call<Turn>('POST', '/api/conversations', {
      token: clerk,
      body: { message: 'What plans are available?' },
    });
    expect(status).toBe(201);
    expect(body.title).toBe('What plans are available?');
    // The planner first looks up what the request names (an audited read), then answers it.
    expect(body.calls).toMatchObject([
      { operation: 'resolve_mentions', outcome: 'read' },
      { operation: 'list_plans', input: {}, outcome: 'read', result: { plans: [] } },
    ]);
    const listed = await server.call<{ conversations: { id: string }[] }>('GET', '/api/conversations', {
      token: clerk,
    });
    expect(listed.body.conversations.map((row) => row.id)).toContain(body.conversation_id);
    const shown = await server.call<{ turns: { request: string }[] }>(
      'GET',
      `/api/conversations/${body.conversation_id}`,
      {
        token: clerk,
      },
    );
    expect(shown.body.turns.map((turn) => turn.request)).toEqual(['What plans are available?']);
  });

  it('streams calls as they run, then the whole turn', async () => {
    const events = await stream(server, '/api/conversations', clerk, {
      message: `Refund the last invoice for customer ${customerName}. Reason: outage`,
    });
    expect(events.map(([event]) => event)).toEqual(['call', 'call', 'call', 'done']);
    expect(events[0]?.[1]).toMatchObject({ operation: 'resolve_mentions', outcome: 'read' });
    expect(events[1]?.[1]).toMatchObject({ operation: 'list_invoices', outcome: 'read' });
    expect(events[2]?.[1]).toMatchObject({
      operation: 'refund_charge',
      outcome: 'warn',
      proposal: { status: 'awaiting_approval' },
    });
    const done = events[3]?.[1] as Turn;
    expect(done.reply).toContain('$45.99');
    expect(done.reply).toContain('needs approval');
  });

  it("keeps a member's conversations theirs: another member gets 404, before any stream starts", async () => {
    const { body } = await server.call<Turn>('POST', '/api/conversations', {
      token: clerk,
      body: { message: 'Show me some invoices' },
    });
    const other = await server.call('GET', `/api/conversations/${body.conversation_id}`, { token: manager });
    expect(other.status).toBe(404);
    const response = await fetch(`${server.url}/api/conversations/${body.conversation_id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'retry all of these' }),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('refuses bad input with the field named, and nothing is stored', async () => {
    const before = await server.call<{ conversations: unknown[] }>('GET', '/api/conversations', { token: manager });
    const empty = await server.call<{ error: { field: string } }>('POST', '/api/conversations', {
      token: manager,
      body: { message: '' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('message');
    const planner = await server.call('POST', '/api/conversations', {
      token: manager,
      body: { message: 'hi', planner: 'gpt' },
    });
    expect(planner.status).toBe(400);
    const extra = await server.call('POST', '/api/conversations', {
      token: manager,
      body: { message: 'hi', role: 'owner' },
    });
    expect(extra.status).toBe(400);
    const after = await server.call<{ conversations: unknown[] }>('GET', '/api/conversations', { token: manager });
    expect(after.body.conversations.length).toBe(before.body.conversations.length);
  });

  it("confirms the caller's own PASS proposal on their yes", async () => {
    const first = await server.call<Turn>('POST', '/api/conversations', {
      token: manager,
      // An email change would wait for a support lead (identity.contact_change): a new customer is the caller's own.
      body: { message: 'Create a new customer with email billing@janesmith-two.test' },
    });
    expect(first.body.calls.at(-1)).toMatchObject({ operation: 'create_customer', outcome: 'pass' });
    const yes = await server.call<Turn>('POST', `/api/conversations/${first.body.conversation_id}/messages`, {
      token: manager,
      body: { message: 'yes' },
    });
    expect(yes.status).toBe(201);
    expect(yes.body.calls).toMatchObject([{ operation: 'confirm_proposal', outcome: 'pass' }]);
    expect(yes.body.reply).toMatch(/^Done:/);
  });

  it('streams a model’s words with the LLM planner (scripted OpenAI-compatible model on loopback)', async () => {
    const model = await startScriptedModel([
      { steps: [{ tool_calls: [{ name: 'list_plans', arguments: {} }] }, { text: 'There are no plans on sale yet.' }] },
    ]);
    const saved = { model: process.env.LEASH_MODEL, base: process.env.LEASH_MODEL_BASE_URL };
    process.env.LEASH_MODEL = 'openai-compatible:scripted';
    process.env.LEASH_MODEL_BASE_URL = model.baseURL;
    try {
      const events = await stream(server, '/api/conversations', clerk, { message: 'What do we sell?', planner: 'llm' });
      const kinds = events.map(([event]) => event);
      expect(kinds[0]).toBe('call');
      expect(kinds).toContain('text');
      expect(kinds.at(-1)).toBe('done');
      const text = events.filter(([event]) => event === 'text').map(([, data]) => (data as { delta: string }).delta);
      expect(text.join('')).toBe('There are no plans on sale yet.');
    } finally {
      if (saved.model === undefined) delete process.env.LEASH_MODEL;
      else process.env.LEASH_MODEL = saved.model;
      if (saved.base === undefined) delete process.env.LEASH_MODEL_BASE_URL;
      else process.env.LEASH_MODEL_BASE_URL = saved.base;
      await model.close();
    }
  });
});
