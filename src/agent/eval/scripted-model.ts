/**
 * A scripted model behind a real OpenAI-compatible endpoint on loopback (`POST /v1/chat/completions`, streamed
 * as server-sent chunks or as one JSON body), so the LLM planner's whole provider path runs in tests and evals
 * without a network: the AI SDK's openai-compatible client, tool calls, tool results, step loop. What the
 * model "says" is a script chosen by the latest user message; every request is kept for assertions.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One step of a script: tool calls, or a final text. */
export type ScriptStep = { tool_calls: { name: string; arguments: Record<string, unknown> }[] } | { text: string };

/** A script: used when the latest user message contains `when` (or always, without `when`). */
export interface Script {
  when?: string;
  steps: ScriptStep[];
}

/** A chat-completions request as received. */
export interface ReceivedRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
}

/** A running scripted model. */
export interface ScriptedModel {
  /** The base URL for LEASH_MODEL_BASE_URL (ends in /v1). */
  baseURL: string;
  requests: ReceivedRequest[];
  /** Milliseconds the endpoint spent on each request, from arrival to the last byte written. */
  timings: number[];
  /** Replaces the scripts (between scenarios). */
  setScripts(scripts: Script[]): void;
  close(): Promise<void>;
}

function lastUserIndex(messages: ReceivedRequest['messages']): number {
  for (let index = messages.length - 1; index >= 0; index -= 1) if (messages[index]?.role === 'user') return index;
  return -1;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : ''))
      .join('');
  return '';
}

/** The step a request is at: how many model answers follow the latest user message. */
function nextStep(scripts: Script[], request: ReceivedRequest): ScriptStep {
  const userIndex = lastUserIndex(request.messages);
  const userText = textOf(request.messages[userIndex]?.content);
  const script = scripts.find((candidate) => !candidate.when || userText.includes(candidate.when));
  const answered = request.messages.slice(userIndex + 1).filter((message) => message.role === 'assistant').length;
  const step = script?.steps[answered] ?? { text: 'Done.' };
  return withSeenIds(step, request);
}

/**
 * A script may name ids it could only have read from earlier tool results: {{last_proposal_id}} and
 * {{last_approval_id}} become the latest such ids in the request's tool messages, as a real model would copy them.
 */
function withSeenIds(step: ScriptStep, request: ReceivedRequest): ScriptStep {
  const tools = request.messages
    .filter((message) => message.role === 'tool')
    .map((message) => textOf(message.content))
    .join('\n');
  const last = (pattern: RegExp) => [...tools.matchAll(pattern)].at(-1)?.[0] ?? 'none_seen';
  const text = JSON.stringify(step)
    .replaceAll('{{last_proposal_id}}', last(/prop_[A-Za-z0-9]+/g))
    .replaceAll('{{last_approval_id}}', last(/apr_[A-Za-z0-9]+/g));
  return JSON.parse(text) as ScriptStep;
}

function chunk(id: string, model: string, delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

function respond(response: ServerResponse, request: ReceivedRequest, step: ScriptStep, sequence: number): void {
  const id = `chatcmpl-scripted-${sequence}`;
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const toolCalls =
    'tool_calls' in step
      ? step.tool_calls.map((call, index) => ({
          id: `call_${sequence}_${index}`,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }))
      : [];
  const finish = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  if (!request.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'text' in step ? step.text : null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage,
      }),
    );
    return;
  }
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.write(chunk(id, request.model, { role: 'assistant', content: '' }, null));
  if ('text' in step) {
    for (const piece of step.text.match(/.{1,24}/gs) ?? [])
      response.write(chunk(id, request.model, { content: piece }, null));
  } else {
    toolCalls.forEach((call, index) => {
      response.write(chunk(id, request.model, { tool_calls: [{ index, ...call }] }, null));
    });
  }
  response.write(chunk(id, request.model, {}, finish));
  response.write(
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: request.model, choices: [], usage })}\n\n`,
  );
  response.end('data: [DONE]\n\n');
}

async function body(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Starts a scripted model on 127.0.0.1 (a free port). */
export async function startScriptedModel(scripts: Script[] = []): Promise<ScriptedModel> {
  let current = scripts;
  let sequence = 0;
  const requests: ReceivedRequest[] = [];
  const timings: number[] = [];
  const server: Server = createServer((request, response) => {
    const arrived = performance.now();
    response.on('finish', () => timings.push(performance.now() - arrived));
    void (async () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      let parsed: ReceivedRequest;
      try {
        parsed = JSON.parse(await body(request)) as ReceivedRequest;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'bad JSON', type: 'invalid_request_error' } }));
        return;
      }
      parsed.stream = Boolean(parsed.stream);
      parsed.tools = parsed.tools ?? [];
      requests.push(parsed);
      sequence += 1;
      respond(response, parsed, nextStep(current, parsed), sequence);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    timings,
    setScripts(next) {
      current = next;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
