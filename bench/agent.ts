/**
 * The agent: the built-in planner's cost per request (matching a form alone, and a whole turn through the
 * pipeline) against the same operation calls made directly (the baseline), the LLM planner's overhead per turn
 * with a scripted model that answers at once (so model time is ~0 and what remains is the agent: prompt and
 * tools, the AI SDK, the conversation store), and the planner's success rate on the paraphrase suites. Also the
 * LLM planner's prompt size per turn over the seed examples, every tool sent against only the request's active
 * tools (`activeTools`): tokens estimated as characters / 4 of the request body's messages and tools JSON, as the
 * scripted model received it (its reported usage is a fixed stand-in, not a count).
 */
import type { AgentCall } from '../src/agent/agent-types.ts';
import { NO_MENTIONS } from '../src/agent/builtin/turn.ts';
import { runEval } from '../src/agent/eval/run-eval.ts';
import { startScriptedModel } from '../src/agent/eval/scripted-model.ts';
import { loadSuite } from '../src/agent/eval/suite.ts';
import { llmPlanner } from '../src/agent/llm/llm-planner.ts';
import { parseRequest } from '../src/agent/parse/parse-request.ts';
import { choosePlanner } from '../src/agent/planners.ts';
import { runAgentTurn } from '../src/agent/run-turn.ts';
import { findMemberByEmail, getOrg } from '../src/auth/members.ts';
import { EVAL_BUSINESS, type EvalStore, evalPlaceholders, openEvalStore } from '../src/demo/eval-business.ts';
import { isRead, type OperationContext } from '../src/operations/define-operation.ts';
import { registry } from '../src/operations/registry.ts';
import { proposeOperation, runRead } from '../src/operations/run-operation.ts';
import { loadGate } from '../src/policy/decide.ts';
import { memberContext } from '../src/surfaces/operation-context.ts';
import { type Latency, summarise } from './stats.ts';

/** What {@link measureAgent} reports. */
export interface AgentFigures {
  requests: number;
  /** Matching a request to its form, no store (µs-scale). */
  formMatch: Latency;
  /** A whole built-in turn: plan, calls through the pipeline, reply, conversation stored. */
  builtinTurn: Latency;
  /** The same calls made directly through the pipeline, without the agent. */
  directCalls: Latency;
  /** LLM planner turns against a model that answers at once. */
  llmTurn: Latency;
  /** Of which the model endpoint itself (server-side handling on loopback). */
  llmModelServer: Latency;
  /** The same read the LLM turn makes, directly. */
  llmDirectCall: Latency;
  paraphraseSuccess: number;
  paraphraseScenarios: number;
  heldOutSuccess: number;
  heldOutScenarios: number;
  /** LLM planner prompt size per turn over the seed examples: every tool sent vs only the active ones. */
  toolTokens: ToolTokenFigures;
}

/** Prompt tokens per LLM turn (chars / 4 of the messages and tools JSON the model received). */
export interface ToolTokenFigures {
  /** Turns measured (every turn of every seed example, as its scenario's member). */
  turns: number;
  allTools: { tokensPerTurn: number; toolsPerTurn: number };
  activeTools: { tokensPerTurn: number; toolsPerTurn: number; maxTools: number };
  /** activeTools tokens / allTools tokens. */
  ratio: number;
}

/** Tokens of a request body, the usual estimate for English and JSON: characters / 4. */
export function approximateTokens(body: { messages: unknown; tools: unknown }): number {
  return Math.ceil((JSON.stringify(body.messages).length + JSON.stringify(body.tools).length) / 4);
}

/** Runs every seed example through the LLM planner, all tools and then active tools only, and sizes each prompt. */
export async function measureToolTokens(business: EvalStore): Promise<ToolTokenFigures> {
  const gate = await loadGate();
  const org = await getOrg(business.store.db, business.orgId);
  if (!org) throw new Error('no eval org');
  const values = await evalPlaceholders(business);
  const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  const seeds = await loadSuite('evals/seed-examples.yaml');
  // The model answers at once, so each turn is one request: its prompt is the turn's whole input.
  const model = await startScriptedModel([{ steps: [{ text: 'OK.' }] }]);
  const env = { LEASH_MODEL: 'openai-compatible:scripted', LEASH_MODEL_BASE_URL: model.baseURL };
  const sizes = { all: [] as number[], active: [] as number[], allTools: [] as number[], activeTools: [] as number[] };
  try {
    for (const activeTools of [false, true]) {
      for (const scenario of seeds.scenarios) {
        const member = await findMemberByEmail(business.store.db, business.orgId, scenario.as);
        if (!member) throw new Error(`no member ${scenario.as}`);
        const context = memberContext({ store: business.store, org, member, gate, channel: 'cli' });
        const planner = llmPlanner({ env, actor: context.actor, profile: context.profile, activeTools });
        let conversationId: string | undefined;
        for (const text of scenario.turns) {
          const from = model.requests.length;
          const turn = await runAgentTurn({ context, planner, text: fill(text), conversationId });
          conversationId = turn.conversationId;
          for (const request of model.requests.slice(from)) {
            (activeTools ? sizes.active : sizes.all).push(approximateTokens(request));
            (activeTools ? sizes.activeTools : sizes.allTools).push(request.tools.length);
          }
        }
      }
    }
  } finally {
    await model.close();
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return {
    turns: sizes.active.length,
    allTools: { tokensPerTurn: Math.round(mean(sizes.all)), toolsPerTurn: mean(sizes.allTools) },
    activeTools: {
      tokensPerTurn: Math.round(mean(sizes.active)),
      toolsPerTurn: mean(sizes.activeTools),
      maxTools: Math.max(0, ...sizes.activeTools),
    },
    ratio: mean(sizes.active) / mean(sizes.all),
  };
}

/** The tool-token figure as one line of the agent section. */
export function toolTokensLine(figures: ToolTokenFigures): string {
  return `LLM planner prompt per turn (${figures.turns} seed-example turns, tokens ≈ chars/4 of messages + tools): all ${figures.allTools.toolsPerTurn.toFixed(0)} tools ${figures.allTools.tokensPerTurn} tokens; activeTools ${figures.activeTools.toolsPerTurn.toFixed(1)} tools (at most ${figures.activeTools.maxTools}) ${figures.activeTools.tokensPerTurn} tokens; ratio ${figures.ratio.toFixed(2)}.\n`;
}

async function replay(context: OperationContext, calls: AgentCall[]): Promise<void> {
  for (const call of calls) {
    const operation = registry.get(call.operation);
    if (!operation) continue;
    try {
      if (isRead(operation)) await runRead(context, call.operation, call.input);
      else await proposeOperation(context, call.operation, call.input);
    } catch {
      // A call that failed in the turn fails here too; its cost still counts.
    }
  }
}

/** Measures the agent on a scratch demo business (PGlite in memory). */
export async function measureAgent(rounds = 5): Promise<AgentFigures> {
  const business = await openEvalStore(EVAL_BUSINESS);
  try {
    const gate = await loadGate();
    const org = await getOrg(business.store.db, business.orgId);
    const member = await findMemberByEmail(business.store.db, business.orgId, 'max@northwind.test');
    if (!org || !member) throw new Error('no eval org');
    const context = () => memberContext({ store: business.store, org, member, gate, channel: 'cli' });
    const seeds = await loadSuite('evals/seed-examples.yaml');
    const requests = seeds.scenarios
      .filter((scenario) => scenario.turns.length === 1)
      .map((scenario) => scenario.turns[0] as string);

    const matchTimes: number[] = [];
    for (let round = 0; round < 200; round += 1)
      for (const text of requests) {
        const started = performance.now();
        parseRequest(text, NO_MENTIONS);
        matchTimes.push(performance.now() - started);
      }

    const turnTimes: number[] = [];
    const directTimes: number[] = [];
    const planner = await choosePlanner('builtin');
    for (let round = 0; round < rounds; round += 1)
      for (const text of requests) {
        let started = performance.now();
        const result = await runAgentTurn({ context: context(), planner, text });
        turnTimes.push(performance.now() - started);
        started = performance.now();
        await replay(context(), result.calls);
        directTimes.push(performance.now() - started);
      }

    const model = await startScriptedModel([
      {
        steps: [{ tool_calls: [{ name: 'overdue_summary', arguments: {} }] }, { text: 'Two customers owe us money.' }],
      },
    ]);
    const env = { LEASH_MODEL: 'openai-compatible:scripted', LEASH_MODEL_BASE_URL: model.baseURL };
    const llmTimes: number[] = [];
    const llmDirect: number[] = [];
    try {
      const llm = llmPlanner({ env });
      for (let index = 0; index < 5; index += 1)
        await runAgentTurn({ context: context(), planner: llm, text: 'Who owes us money?' });
      for (let index = 0; index < rounds * 20; index += 1) {
        let started = performance.now();
        await runAgentTurn({ context: context(), planner: llm, text: 'Who owes us money?' });
        llmTimes.push(performance.now() - started);
        started = performance.now();
        await runRead(context(), 'overdue_summary', {});
        llmDirect.push(performance.now() - started);
      }
    } finally {
      await model.close();
    }

    const toolTokens = await measureToolTokens(business);
    const paraphrases = await runEval(await loadSuite('evals/paraphrases.yaml'), { business });
    const heldOut = await runEval(await loadSuite('evals/paraphrases-holdout.yaml'), { business });
    return {
      requests: requests.length,
      formMatch: summarise(matchTimes),
      builtinTurn: summarise(turnTimes),
      directCalls: summarise(directTimes),
      llmTurn: summarise(llmTimes),
      llmModelServer: summarise(model.timings.slice(-rounds * 40)),
      llmDirectCall: summarise(llmDirect),
      paraphraseSuccess: paraphrases.successRate,
      paraphraseScenarios: paraphrases.passed + paraphrases.failed,
      heldOutSuccess: heldOut.successRate,
      heldOutScenarios: heldOut.passed + heldOut.failed,
      toolTokens,
    };
  } finally {
    await business.close();
  }
}
