/**
 * Conversations with the agent over HTTP. A turn answers as JSON, or, with `Accept: text/event-stream`, as
 * server-sent events while it runs: `call` for each operation call (with its outcome), `text` for each piece of
 * a model's answer, then `done` with the whole turn (or `error`). The member is the caller; conversations are
 * theirs alone. Confirming in a conversation is bound to what was shown (src/agent/confirm-in-conversation.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentEvents } from '../../agent/agent-types.ts';
import { findConversation, listConversations, listTurns } from '../../agent/conversations.ts';
import { choosePlanner, PLANNERS } from '../../agent/planners.ts';
import { MAX_REQUEST_LENGTH, runAgentTurn } from '../../agent/run-turn.ts';
import { callView, turnView } from '../../agent/turn-view.ts';
import { streamErrorBody } from '../errors.ts';
import { asCaller, type Caller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import { runJobInBackground } from './operations.ts';
import type { TypedApp } from './types.ts';

const messageBody = z
  .object({
    message: z.string().min(1).max(MAX_REQUEST_LENGTH),
    planner: z.enum(PLANNERS).optional(),
  })
  .strict();

/** How a person confirms in a conversation, for the route descriptions. */
const CONFIRMING =
  'To confirm, answer in the conversation: "yes" (CONFIRM for what cannot be undone) confirms only when exactly one of your proposals waits, its card was the previous reply, and it is not marked untrusted_context; otherwise nothing is confirmed and the waiting proposals are listed by number. "confirm 2" or "confirm prop_…" (CONFIRM 2 when it cannot be undone) confirms that one; so does POST /api/proposals/{id}/confirm. A WARN proposal waits for its approver.';

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** Runs one turn for the caller, answering as JSON or as a stream of events. */
async function answerTurn(
  deps: ServerDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  body: z.infer<typeof messageBody>,
  conversationId: string | undefined,
): Promise<unknown> {
  return asCaller(deps, request, async (caller: Caller) => {
    // A conversation id that is not the caller's fails here, before any stream starts.
    if (conversationId)
      await findConversation(deps.store.db, { orgId: caller.org.id, memberId: caller.member.id }, conversationId);
    const planner = await choosePlanner(body.planner, { actor: caller.context.actor });
    const run = async (events?: AgentEvents) => {
      const result = await runAgentTurn({
        context: caller.context,
        planner,
        text: body.message,
        conversationId,
        ...(events ? { events } : {}),
      });
      for (const execution of result.executions) runJobInBackground(caller.context, execution, request.log);
      return turnView(result, true);
    };
    if (!wantsStream(request)) return reply.status(201).send(await run());
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      const view = await run({
        onCall: (call) => send('call', callView(call, true)),
        onText: (delta) => send('text', { delta }),
      });
      send('done', view);
    } catch (error) {
      send('error', streamErrorBody(error, request));
    }
    reply.raw.end();
    return reply;
  });
}

/** Registers the conversation routes. */
export function registerConversationRoutes(app: TypedApp, deps: ServerDeps): void {
  const owner = (caller: Caller) => ({ orgId: caller.org.id, memberId: caller.member.id });

  app.get(
    '/api/conversations',
    {
      schema: {
        tags: ['agent'],
        summary: "The caller's conversations, most recently used first",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async (caller) => ({
        conversations: await listConversations(deps.store.db, owner(caller), request.query.limit),
      })),
  );

  app.get(
    '/api/conversations/:id',
    {
      schema: {
        tags: ['agent'],
        summary: "One of the caller's conversations, turn by turn",
        params: z.object({ id: z.string().min(1).max(100) }),
      },
    },
    async (request) =>
      asCaller(deps, request, async (caller) => ({
        conversation: await findConversation(deps.store.db, owner(caller), request.params.id),
        turns: await listTurns(deps.store.db, owner(caller), request.params.id),
      })),
  );

  app.post(
    '/api/conversations',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['agent'],
        summary: 'Start a conversation with a first request',
        description:
          "Runs the request through the planner (builtin by default, or llm with LEASH_MODEL). Reads run; changes come back as proposals with the server-derived preview: each call's `proposal` has its `number` in the conversation, every change (`changes`: field, from, to) and `untrusted_context` when it was proposed after the planner read customer-supplied text. Send `Accept: text/event-stream` to receive `call`, `text`, then `done` events as the turn runs. " +
          CONFIRMING,
        body: messageBody,
      },
    },
    async (request, reply) => answerTurn(deps, request, reply, request.body, undefined),
  );

  app.post(
    '/api/conversations/:id/messages',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['agent'],
        summary: 'Continue a conversation',
        description: `Follow-ups may point at the last answer ("tell me more about the first one", "retry all of these"). ${CONFIRMING}`,
        params: z.object({ id: z.string().min(1).max(100) }),
        body: messageBody,
      },
    },
    async (request, reply) => answerTurn(deps, request, reply, request.body, request.params.id),
  );
}
