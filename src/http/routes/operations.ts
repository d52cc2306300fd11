/**
 * Operations over HTTP: one route per registry entry (`POST /api/operations/{name}`, its body documented from
 * the operation's zod schema), the operation list, proposals and confirm. Input is checked once, by the
 * pipeline (strict schema, size and depth limits), so HTTP and every other surface refuse the same inputs.
 */
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { findApprovalForProposal } from '../../approvals/approval-requests.ts';
import { processQueue } from '../../jobs/queue.ts';
import { sendBulkJob } from '../../jobs/queue-names.ts';
import { runBulkJob } from '../../operations/bulk/define-bulk.ts';
import { isRead, type OperationContext } from '../../operations/define-operation.ts';
import type { ExecutionOutcome } from '../../operations/execute-proposal.ts';
import { viewProposal } from '../../operations/proposal-view.ts';
import { loadProposal } from '../../operations/proposals.ts';
import { registry } from '../../operations/registry.ts';
import { confirmProposal, proposeOperation, runRead } from '../../operations/run-operation.ts';
import { withOrgScope } from '../../store/org-scope.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

const INSIGHTS = new Set([
  'mrr_movements',
  'payment_failure_rates',
  'top_expansion',
  'involuntary_churn',
  'overdue_summary',
]);
const TICKETS = new Set(['create_ticket', 'list_tickets', 'get_ticket', 'draft_reply', 'send_reply', 'check_reply']);
const TEAM = new Set(['add_member', 'change_member_role']);

function tagOf(name: string, read: boolean): string {
  if (INSIGHTS.has(name)) return 'insights';
  if (TICKETS.has(name)) return 'tickets';
  if (TEAM.has(name)) return 'members';
  return read ? 'billing reads' : 'billing writes';
}

/** The pipeline validates input itself; the route schema documents it. */
const passThrough = () => (data: unknown) => ({ value: data });

export const PROPOSAL_ID = z.string().regex(/^prop_[A-Za-z0-9]+$/, 'a proposal id like prop_…');

/**
 * After a confirm or approval created a bulk job, it runs in the background: handed to the job queue under
 * `leash start` (any worker process takes it, and another finishes it if that one dies), else in this process.
 */
export function runJobInBackground(context: OperationContext, outcome: ExecutionOutcome, log: FastifyBaseLogger): void {
  const jobId = (outcome.result as { jobId?: unknown } | null)?.jobId;
  if (outcome.status !== 'succeeded' || typeof jobId !== 'string') return;
  const queue = processQueue();
  if (queue) {
    const data = { orgId: context.actor.orgId, jobId, memberId: context.actor.memberId, channel: context.channel };
    void sendBulkJob(queue, data).catch((error: unknown) =>
      log.error({ err: error, jobId }, 'bulk job not queued; the next recovery sweep (or `leash jobs run`) resumes it'),
    );
    return;
  }
  void withOrgScope(context.actor.orgId, () => runBulkJob(context, jobId)).catch((error: unknown) =>
    log.error({ err: error, jobId }, 'bulk job stopped; `leash jobs run` resumes it'),
  );
}

/** Registers the operation routes. */
export function registerOperationRoutes(app: TypedApp, deps: ServerDeps): void {
  const writeLimit = writeRateLimit(deps);

  app.get(
    '/api/operations',
    {
      schema: {
        tags: ['operations'],
        summary: 'Every operation the policy gate mediates',
        response: {
          200: z.object({
            operations: z.array(
              z.object({
                name: z.string(),
                description: z.string(),
                kind: z.string(),
                read: z.boolean(),
                destructive: z.boolean(),
                input_schema: z.unknown(),
              }),
            ),
          }),
        },
      },
    },
    async (request) =>
      asCaller(deps, request, async () => ({
        operations: [...registry.values()].map((operation) => ({
          name: operation.name,
          description: operation.description,
          kind: operation.kind,
          read: isRead(operation),
          destructive: 'destructive' in operation ? operation.destructive : false,
          input_schema: z.toJSONSchema(operation.input, { io: 'input' }),
        })),
      })),
  );

  for (const operation of registry.values()) {
    const read = isRead(operation);
    app.post(
      `/api/operations/${operation.name}`,
      {
        ...(read ? {} : { config: writeLimit }),
        validatorCompiler: passThrough,
        schema: {
          tags: [tagOf(operation.name, read)],
          operationId: operation.name,
          summary: operation.description,
          description: read
            ? 'Runs at once (audited) and returns `{ result }`.'
            : 'Returns a proposal: the server-derived preview and the policy decision. Nothing changes until the requester confirms a PASS (`POST /api/proposals/{id}/confirm`) or a second member approves a WARN.',
          body: operation.input,
        },
      },
      async (request, reply) =>
        asCaller(deps, request, async ({ context }) => {
          if (read) return { result: await runRead(context, operation.name, request.body) };
          return reply.status(201).send(await proposeOperation(context, operation.name, request.body));
        }),
    );
  }

  app.get(
    '/api/proposals/:id',
    {
      schema: {
        tags: ['operations'],
        summary: 'A proposal: preview, decision, approval state and what happens next',
        params: z.object({ id: PROPOSAL_ID }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const proposal = await loadProposal(context.db, context.actor.orgId, request.params.id);
        const approval = await findApprovalForProposal(context.db, context.actor.orgId, proposal.id);
        return viewProposal(proposal, approval, undefined, context.timeZone);
      }),
  );

  app.post(
    '/api/proposals/:id/confirm',
    {
      config: writeLimit,
      schema: {
        tags: ['operations'],
        summary: 'Confirm your own PASS proposal; it executes once on current facts',
        description:
          'Irreversible actions need `confirm_text: "CONFIRM"`. A proposal that needs approval cannot be confirmed.',
        params: z.object({ id: PROPOSAL_ID }),
        body: z
          .object({ confirm_text: z.string().max(20).optional() })
          .strict()
          .default({}),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const outcome = await confirmProposal(context, request.params.id, { confirmText: request.body.confirm_text });
        runJobInBackground(context, outcome, request.log);
        return outcome;
      }),
  );
}
