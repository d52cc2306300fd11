/**
 * The request parser, measured: its latency per request (parse + classify, no store; and the whole built-in
 * turn), and how it does on evals/heldout/requests.yaml — requests written by someone who saw only the operation
 * list and the demo's names, never the templates or the code. Scored once, never tuned on: right operation, right
 * operation with the right arguments, wrong-target proposals, clarifying questions, declines.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { AgentCall } from '../src/agent/agent-types.ts';
import { NO_MENTIONS } from '../src/agent/builtin/turn.ts';
import { intentClassifier } from '../src/agent/parse/intent-classifier.ts';
import { parseRequest } from '../src/agent/parse/parse-request.ts';
import { choosePlanner } from '../src/agent/planners.ts';
import { runAgentTurn } from '../src/agent/run-turn.ts';
import { findMemberByEmail, getOrg } from '../src/auth/members.ts';
import { EVAL_BUSINESS, openEvalStore } from '../src/demo/eval-business.ts';
import { loadGate } from '../src/policy/decide.ts';
import { memberContext } from '../src/surfaces/operation-context.ts';
import { type Latency, summarise } from './stats.ts';

interface Expected {
  operation: string;
  args?: Record<string, unknown>;
}
interface HeldOut {
  id: string;
  request: string;
  as?: string;
  class: string;
  expect: { kind: 'read' | 'propose' | 'clarify' | 'decline'; calls?: Expected[] };
}

/** The commit whose regex form matcher the parser replaced: the same-run baseline. */
const BASELINE_COMMIT = '42b2fea';

/**
 * The old form matcher's latency on the same requests, in this run: the matcher's source at BASELINE_COMMIT is
 * extracted with `git archive` into .bench/ (ignored) and imported from there. Undefined without git history.
 */
async function oldMatcherLatency(requests: readonly string[]): Promise<Latency | undefined> {
  const dir = join('.bench', `baseline-${BASELINE_COMMIT}`);
  try {
    if (!existsSync(join(dir, 'src'))) {
      mkdirSync(dir, { recursive: true });
      const archive = execFileSync('git', ['archive', BASELINE_COMMIT, 'src'], { maxBuffer: 64 * 1024 * 1024 });
      execFileSync('tar', ['-x', '-C', dir], { input: archive });
    }
    const planner = await import(pathToFileURL(join(process.cwd(), dir, 'src/agent/builtin/builtin-planner.ts')).href);
    const turns = await import(pathToFileURL(join(process.cwd(), dir, 'src/agent/builtin/turn.ts')).href);
    const noTools = { calls: [], call: async () => ({}) };
    const times: number[] = [];
    for (let round = 0; round < 20; round += 1)
      for (const text of requests) {
        const started = performance.now();
        const turn = new turns.Turn({ text, caseId: 'c', history: [] }, noTools);
        planner.FORMS.find((form: { matches(turn: unknown): boolean }) => form.matches(turn));
        times.push(performance.now() - started);
      }
    return summarise(times);
  } catch {
    return undefined;
  }
}

/** What the held-out set showed. */
export interface ParserFigures {
  /** The old regex form matcher on the same requests, same run (undefined without git history). */
  oldMatcher: Latency | undefined;
  parse: Latency;
  firstTrainMs: number;
  requests: number;
  rightOperation: number;
  rightArguments: number;
  wrongTarget: number;
  /** The requests behind wrong-target proposals, with what was proposed. */
  wrongTargets: string[];
  clarifyAsked: number;
  clarifyExpected: number;
  clarifyRight: number;
  declineRight: number;
  declineExpected: number;
  byClass: Record<string, { total: number; right: number }>;
  misses: string[];
}

/** Parser latency and the held-out scores. */
export async function measureParser(path = 'evals/heldout/requests.yaml'): Promise<ParserFigures> {
  let started = performance.now();
  intentClassifier();
  const firstTrainMs = performance.now() - started;
  const items = parse(readFileSync(path, 'utf8')) as HeldOut[];
  const times: number[] = [];
  for (let round = 0; round < 20; round += 1)
    for (const item of items) {
      started = performance.now();
      parseRequest(item.request, NO_MENTIONS);
      times.push(performance.now() - started);
    }

  const business = await openEvalStore(EVAL_BUSINESS);
  try {
    const db = business.store.db;
    const org = await getOrg(db, business.orgId);
    const gate = await loadGate();
    if (!org) throw new Error('no eval org');
    const customers = await db
      .selectFrom('customers')
      .select(['id', 'name', 'email'])
      .where('orgId', '=', business.orgId)
      .execute();
    const invoices = await db
      .selectFrom('invoices')
      .select(['id', 'number', 'customerId', 'currency'])
      .where('orgId', '=', business.orgId)
      .execute();
    const subscriptions = await db
      .selectFrom('subscriptions')
      .select(['id', 'customerId'])
      .where('orgId', '=', business.orgId)
      .execute();
    const charges = await db
      .selectFrom('charges')
      .select(['id', 'customerId'])
      .where('orgId', '=', business.orgId)
      .execute();
    const prices = await db
      .selectFrom('prices')
      .select(['id', 'productId', 'interval'])
      .where('orgId', '=', business.orgId)
      .execute();
    const products = await db
      .selectFrom('products')
      .select(['id', 'name'])
      .where('orgId', '=', business.orgId)
      .execute();
    const coupons = await db.selectFrom('coupons').select(['id', 'code']).where('orgId', '=', business.orgId).execute();
    const nameOf = new Map(customers.map((c) => [c.id, c.name]));
    const customerByRef = (ref: string) =>
      nameOf.get(ref) ??
      customers.find((c) => c.email.toLowerCase() === ref.toLowerCase() || c.name.toLowerCase() === ref.toLowerCase())
        ?.name ??
      ref;
    const productName = new Map(products.map((p) => [p.id, p.name]));
    // A price is its plan and billing interval ("Pro monthly"), as the sets write a plan change's target.
    const planOfPrice = new Map(
      prices.map((p) => {
        const plan = productName.get(p.productId) ?? p.productId;
        return [p.id, p.interval ? `${plan} ${p.interval === 'year' ? 'yearly' : 'monthly'}` : plan];
      }),
    );
    const invoiceBy = (ref: string) => invoices.find((i) => i.id === ref || i.number === ref);

    /** A call's input in the held-out set's terms. */
    const semantic = (call: AgentCall): Record<string, unknown> => {
      const input = call.input;
      const out: Record<string, unknown> = {};
      const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
      const invoice = invoiceBy(text('invoice_id') ?? text('number') ?? '');
      if (invoice) out.invoice = invoice.number;
      const customer =
        text('customer_id') ??
        text('customer') ??
        (call.operation === 'get_customer' ? (text('name') ?? text('email')) : undefined) ??
        subscriptions.find((s) => s.id === text('subscription_id'))?.customerId ??
        invoice?.customerId ??
        charges.find((c) => c.id === text('charge_id'))?.customerId;
      if (customer) out.customer = customerByRef(customer);
      if (text('charge_id')) out.charge = text('charge_id');
      if (text('subscription_id')) out.subscription = text('subscription_id');
      for (const key of [
        'amount',
        'currency',
        'at_period_end',
        'prorate',
        'status',
        'overdue',
        'limit',
        'from',
        'to',
        'country',
        'role',
      ])
        if (input[key] !== undefined) out[key] = input[key];
      if (call.operation !== 'get_customer' && text('email')) out.email = text('email');
      const price = text('price_id') ?? text('to_price_id');
      if (price) out.plan = planOfPrice.get(price) ?? price;
      if (text('product_id')) out.plan = productName.get(text('product_id') ?? '') ?? text('product_id');
      if (call.operation === 'create_customer' && text('name')) out.customer = text('name');
      // An amount against an invoice is in the invoice's currency (record_payment and create_credit_note take none).
      if (invoice && input.amount !== undefined && out.currency === undefined) out.currency = invoice.currency;
      if (Array.isArray(input.lines)) {
        const lines = input.lines as { amount?: number; quantity?: number }[];
        out.amount = lines.reduce((sum, line) => sum + (line.amount ?? 0) * (line.quantity ?? 1), 0);
      }
      if (typeof input.role === 'string') {
        const groups = Array.isArray(input.groups) ? (input.groups as string[]) : [];
        const roles: Record<string, string> = { billing_clerk: 'clerk', read_only: 'reader', owner: 'owner' };
        out.role =
          roles[input.role] ??
          (groups.includes('finance') ? 'finance' : groups.includes('support_lead') ? 'support_lead' : 'manager');
      }
      const coupon =
        text('coupon_id') ?? text('coupon') ?? (call.operation === 'create_coupon' ? text('code') : undefined);
      if (coupon)
        out.coupon =
          coupons.find((c) => c.id === coupon || c.code.toLowerCase() === coupon.toLowerCase())?.code ?? coupon;
      return out;
    };
    const same = (key: string, want: unknown, got: unknown) => {
      if (got === undefined) return false;
      if (key === 'from' || key === 'to')
        return String(got).startsWith(String(want)) || String(want).startsWith(String(got));
      // A plan written without its interval ("Pro") matches the plan at either interval.
      if (key === 'plan' && typeof want === 'string' && typeof got === 'string' && !/ (monthly|yearly)$/i.test(want))
        return got.toLowerCase().replace(/ (monthly|yearly)$/, '') === want.toLowerCase();
      if (typeof want === 'string' && typeof got === 'string') return want.toLowerCase() === got.toLowerCase();
      return want === got;
    };

    const figures: ParserFigures = {
      oldMatcher: await oldMatcherLatency(items.map((item) => item.request)),
      parse: summarise(times),
      firstTrainMs,
      requests: items.length,
      rightOperation: 0,
      rightArguments: 0,
      wrongTarget: 0,
      wrongTargets: [],
      clarifyAsked: 0,
      clarifyExpected: 0,
      clarifyRight: 0,
      declineRight: 0,
      declineExpected: 0,
      byClass: {},
      misses: [],
    };
    const planner = await choosePlanner('builtin');
    for (const item of items) {
      const member = await findMemberByEmail(db, business.orgId, item.as ?? 'olivia@northwind.test');
      if (!member) throw new Error(`no member ${item.as}`);
      const context = memberContext({ store: business.store, org, member, gate, channel: 'cli' });
      let calls: AgentCall[] = [];
      let reply = '';
      try {
        const answer = await runAgentTurn({ context, planner, text: item.request });
        calls = answer.calls;
        reply = answer.reply;
      } catch (error) {
        reply = `error: ${(error as Error).message}`;
      }
      const proposals = calls.filter((call) => call.proposal);
      const asked = /^Which customer do you mean by|^Which /.test(reply) && proposals.length === 0;
      if (asked) figures.clarifyAsked += 1;
      const expected = item.expect.calls ?? [];
      let operationRight = false;
      let argumentsRight = false;
      if (item.expect.kind === 'clarify') {
        figures.clarifyExpected += 1;
        operationRight = argumentsRight = proposals.length === 0 && /\?/.test(reply);
        if (operationRight) figures.clarifyRight += 1;
      } else if (item.expect.kind === 'decline') {
        figures.declineExpected += 1;
        operationRight = argumentsRight = proposals.length === 0;
        if (operationRight) figures.declineRight += 1;
      } else {
        const matches = expected.map((want) => calls.filter((call) => call.operation === want.operation));
        operationRight = matches.every((found) => found.length > 0);
        argumentsRight =
          operationRight &&
          expected.every((want, index) =>
            (matches[index] ?? []).some((call) => {
              const got = semantic(call);
              // A key the mapping above does not translate is compared with the input's own (sort, reference, …).
              const raw = (key: string) => got[key] ?? call.input[key] ?? call.input[`${key}_id`];
              return Object.entries(want.args ?? {}).every(([key, value]) => same(key, value, raw(key)));
            }),
          );
        if (item.expect.kind === 'read' && proposals.length > 0) operationRight = argumentsRight = false;
      }
      // A wrong target: a proposal aimed at a customer or invoice the request did not mean.
      for (const proposal of proposals) {
        const got = semantic(proposal);
        const wanted = expected.filter((want) => want.operation === proposal.operation);
        const targets = wanted.flatMap((want) => [want.args?.customer, want.args?.invoice]).filter(Boolean);
        const hit = [got.customer, got.invoice].filter(Boolean);
        const wrong =
          item.expect.kind === 'clarify' ||
          item.expect.kind === 'decline' ||
          (targets.length > 0 && !hit.some((value) => targets.some((target) => same('x', target, value))));
        if (wrong && hit.length > 0) {
          figures.wrongTarget += 1;
          figures.wrongTargets.push(`${item.id} ${item.request} → ${proposal.operation} ${JSON.stringify(got)}`);
        }
      }
      if (operationRight) figures.rightOperation += 1;
      if (argumentsRight) figures.rightArguments += 1;
      const entry = figures.byClass[item.class] ?? { total: 0, right: 0 };
      figures.byClass[item.class] = entry;
      entry.total += 1;
      if (argumentsRight) entry.right += 1;
      if (!argumentsRight)
        figures.misses.push(
          `${item.id} [${item.class}] ${item.request} → ${calls.map((call) => `${call.operation}${call.proposal ? '*' : ''}`).join(', ') || 'no calls'}`,
        );
    }
    return figures;
  } finally {
    await business.close();
  }
}
