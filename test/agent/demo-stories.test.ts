/**
 * The default demo tells the stories the product advertises: every suggested prompt of the dashboard's chat
 * (read from web/src/pages/chat.tsx, so a new one is tested too) and docs/demo.md's stories (Acme Corp's double
 * charge, Globex's duplicate subscription) answer on the demo `leash demo` builds with its defaults, through the
 * built-in planner, within the windows the agent searches. Real store (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPlanner } from '../../src/agent/builtin/builtin-planner.ts';
import { runAgentTurn } from '../../src/agent/run-turn.ts';
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { findMemberByEmail, getOrg } from '../../src/auth/members.ts';
import type { OperationContext } from '../../src/operations/define-operation.ts';
import { loadGate } from '../../src/policy/decide.ts';
import type { Store } from '../../src/store/db.ts';
import { memberContext } from '../../src/surfaces/operation-context.ts';
import { generateStartDemo } from '../support/start-demo.ts';
import { openTestStore, testStoreKind } from '../support/store.ts';

/** The dashboard's suggested prompts, word for word from the chat page. */
async function suggestedPrompts(): Promise<string[]> {
  const page = await readFile(new URL('../../web/src/pages/chat.tsx', import.meta.url), 'utf8');
  const list = /const EXAMPLES = \[([\s\S]*?)\];/.exec(page)?.[1] ?? '';
  return [...list.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((match) => (match[1] ?? '').replaceAll("\\'", "'"));
}

/** What each suggested prompt's answer must name (a new prompt needs an entry here). */
const PROMPT_ANSWERS: Record<string, RegExp> = {
  'Was Acme Corp charged twice?': /Acme Corp was charged \S+ twice/,
  'Why did MRR drop last week? Break it down by new, expansion, contraction, and churned': /MRR[\s\S]*new/i,
  'What is the payment failure rate by region this month?': /\d+ of \d+ card payments failed \(\d/,
  'Show me all customers with overdue invoices': /\d+ customers? ha(?:s|ve) overdue invoices/,
};

describe(`the default demo answers as advertised (${testStoreKind})`, () => {
  let store: Store;
  let context: OperationContext;
  const ask = async (text: string) => (await runAgentTurn({ context, planner: builtinPlanner(), text })).reply;

  beforeAll(async () => {
    store = await openTestStore();
    const { org } = await createDemoOrg(store.db);
    // `leash demo`'s defaults: 300 customers, seed "leash", 24 months ending today.
    await generateStartDemo(store, org.id);
    const member = await findMemberByEmail(store.db, org.id, 'sam@northwind.test');
    const found = await getOrg(store.db, org.id);
    if (!member || !found) throw new Error('no demo member');
    context = memberContext({ store, org: found, member, gate: await loadGate(), channel: 'cli' });
  }, 300_000);
  afterAll(async () => {
    await store?.close();
  });

  it('answers every suggested prompt of the chat page, naming what was asked for', async () => {
    const prompts = await suggestedPrompts();
    expect(prompts.length).toBeGreaterThanOrEqual(4);
    for (const prompt of prompts) {
      const reply = await ask(prompt);
      expect(reply.trim(), prompt).not.toBe('');
      expect(reply, prompt).not.toMatch(/\banswered\.$|\d{4}-\d\d-\d\dT/);
      expect(PROMPT_ANSWERS[prompt], `no expected answer for "${prompt}"`).toBeDefined();
      expect(reply, prompt).toMatch(PROMPT_ANSWERS[prompt] as RegExp);
    }
  }, 120_000);

  it("finds Acme Corp's double charge in the window a question searches, with invoice numbers, not ids", async () => {
    const reply = await ask('Was Acme Corp charged twice?');
    expect(reply).toMatch(/1 possible double charge from \d+ \w{3} \d{4} to \d+ \w{3} \d{4}:/);
    expect(reply).toMatch(/Acme Corp was charged \$\d+\.\d\d twice, \d+ minutes? apart on \d+ \w{3} \d{4} \(INV-\d+\)/);
    expect(reply).not.toMatch(/ch_demo/);
  }, 60_000);

  it("finds Globex's duplicate subscription and says what the extra one bills", async () => {
    const reply = await ask('Does Globex have a duplicate subscription?');
    expect(reply).toMatch(
      /Globex has 2 live \w+ subscriptions \(started \d+ \w{3} \d{4} and \d+ \w{3} \d{4}\); the extra one bills \$\d+\.\d\d per period/,
    );
  }, 60_000);

  it('introduces a refund waiting for approval as waiting, once, with times a person reads', async () => {
    const reply = await ask('Refund the last invoice for customer acme-corp');
    expect(reply).not.toMatch(/Here is the refund/);
    expect(reply).toMatch(/The refund needs a second person's approval before any money moves:/);
    expect(reply).toMatch(/on \d+ \w{3} \d{4}\) to Acme Corp/);
    expect(reply).toMatch(/expires in 24 hours/);
    expect(reply).not.toMatch(/\d{4}-\d\d-\d\d/);
    // The change is shown once: in the card, not repeated in the prose above it.
    expect(reply.match(/Refund \$\d+\.\d\d of charge/g)).toHaveLength(1);
  }, 60_000);

  it('names the window it searched and offers a wider one when nothing is found', async () => {
    const reply = await ask('Was Initech charged twice?');
    expect(reply).toMatch(
      /No double charge found from \d+ \w{3} \d{4} to \d+ \w{3} \d{4}\. Ask again with a wider window/,
    );
    expect(reply).toMatch(/"in the last 12 months"/);
  }, 60_000);
});
