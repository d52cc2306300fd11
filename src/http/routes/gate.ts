/**
 * The gate as a service for other companies' agents (issue 20, seed 004; docs/gate.md): validate an action
 * (PASS / WARN / BLOCK by Leash's own policy), poll a decision, report its execution. Authenticated by an API key
 * (a `gate`-scoped key is accepted here and nowhere else) or a member's session; identity comes from the
 * credential only. Writes are rate limited like every write route.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { resolveApiKey } from '../../auth/api-keys.ts';
import type { Member, Org } from '../../auth/members.ts';
import { verifyAccessToken } from '../../auth/sessions.ts';
import { LeashError } from '../../domain/errors.ts';
import { decisionStatus } from '../../gate/decision-status.ts';
import type { GateCaller } from '../../gate/gate-types.ts';
import { recordExecution } from '../../gate/record-execution.ts';
import { validateAction } from '../../gate/validate-action.ts';
import type { PolicyProfile } from '../../policy/decide.ts';
import { withOrgScope, withoutOrgScope } from '../../store/org-scope.ts';
import { actorOf } from '../../surfaces/operation-context.ts';
import { writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

const DECISION_ID = z
  .string()
  .max(100)
  .regex(/^dec_[A-Za-z0-9]+$/, 'a decision id like dec_…');

const TEXT = z.string().max(200);

/** The body of a validation: seed 004's shape. Values inside `context` and `ai_output` are normalised, not refused. */
const validateBody = z
  .object({
    action_kind: TEXT.describe('an action kind of Leash policy, e.g. billing.change'),
    action_type: TEXT.describe('an action type the kind allows, e.g. change'),
    ai_output: z
      .unknown()
      .optional()
      .describe('what the agent proposes; amount (minor units) and currency when money moves'),
    context: z
      .record(z.string().max(200), z.unknown())
      .optional()
      .describe(
        'the required context of the kind (docs/gate.md): workflow, user_input, request_id, idempotency_key, …',
      ),
  })
  .strict();

const executedBody = z
  .object({
    idempotency_key: z.string().min(1).max(200).describe("the decision's idempotency_key, as validated"),
    status: z.enum(['succeeded', 'failed']),
    payload_hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'the payload_hash the validation answered')
      .describe('the payload_hash the validation answered'),
    detail: z.string().max(2000).optional(),
  })
  .strict();

/** The member (and key) a gate request's bearer credential stands for. */
async function authenticateForGate(
  deps: ServerDeps,
  request: FastifyRequest,
): Promise<{ member: Member; org: Org; apiKey: { id: string; name: string } | null }> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1])
    throw new LeashError('unauthenticated', 'send Authorization: Bearer with an API key or access token');
  const credential = match[1];
  return withoutOrgScope(async () => {
    if (credential.startsWith('lk_')) {
      const found = await resolveApiKey(deps.store.db, credential, { forGate: true });
      if (!found) throw new LeashError('unauthenticated', 'this API key is invalid or revoked');
      return { member: found.member, org: found.org, apiKey: { id: found.key.id, name: found.key.name } };
    }
    const session = await verifyAccessToken(deps.store.db, deps.signingKey, credential);
    return { member: session.member, org: session.org, apiKey: null };
  });
}

/** Runs `work` as the calling agent, inside its org's scope. */
async function asGateCaller<Result>(
  deps: ServerDeps,
  request: FastifyRequest,
  work: (caller: GateCaller) => Promise<Result>,
): Promise<Result> {
  const { member, org, apiKey } = await authenticateForGate(deps, request);
  return withOrgScope(member.orgId, () =>
    work({
      db: deps.store.db,
      gate: deps.gate,
      actor: actorOf(member),
      profile: org.policyProfile as PolicyProfile,
      requestId: request.id,
      apiKey,
    }),
  );
}

/** Registers the gate routes. */
export function registerGateRoutes(app: TypedApp, deps: ServerDeps): void {
  const writeLimit = writeRateLimit(deps);

  app.post(
    '/api/gate/validate',
    {
      config: writeLimit,
      schema: {
        tags: ['gate'],
        summary: "Validate another agent's action: PASS (execute), WARN (wait for approval), BLOCK (do not execute)",
        description:
          'Fail closed: anything but PASS, or an approved WARN, means do not execute. A WARN opens an approval request in the inbox; poll GET /api/gate/decisions/{decision_id}. See docs/gate.md.',
        body: validateBody,
      },
    },
    async (request) =>
      asGateCaller(deps, request, (caller) =>
        validateAction(caller, request.body, (error) => request.log.error({ err: error }, 'gate failed closed')),
      ),
  );

  app.get(
    '/api/gate/decisions/:id',
    {
      schema: {
        tags: ['gate'],
        summary: 'Poll a PASS or WARN decision: its approval, whether it may be executed now, its execution record',
        params: z.object({ id: DECISION_ID }),
      },
    },
    async (request) => asGateCaller(deps, request, (caller) => decisionStatus(caller, request.params.id)),
  );

  app.post(
    '/api/gate/decisions/:id/executed',
    {
      config: writeLimit,
      schema: {
        tags: ['gate'],
        summary:
          'Record the outcome of executing a decision (once; a repeat of the same report returns the first record)',
        params: z.object({ id: DECISION_ID }),
        body: executedBody,
      },
    },
    async (request) =>
      asGateCaller(deps, request, (caller) => recordExecution(caller, request.params.id, request.body)),
  );
}
