/** Approval requests over HTTP: list, show, approve, reject — the same two-person rule as every surface. */
import { z } from 'zod';
import { APPROVAL_STATUSES, listApprovalViews, showApproval } from '../../operations/approval-views.ts';
import { approveRequest, rejectRequest } from '../../operations/run-operation.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import { runJobInBackground } from './operations.ts';
import type { TypedApp } from './types.ts';

// Ids are base-62; handles are base64url (`-` and `_` included), as approvals/approval-requests.ts makes them.
const APPROVAL_ID = z
  .string()
  .max(100)
  .regex(/^(apr_[A-Za-z0-9]+|aph_[A-Za-z0-9_-]+)$/, 'an approval id like apr_… or a handle like aph_…');

/** Registers the approval routes. */
export function registerApprovalRoutes(app: TypedApp, deps: ServerDeps): void {
  const writeLimit = writeRateLimit(deps);

  app.get(
    '/api/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Approval requests, newest first (default: pending)',
        querystring: z.object({
          status: z.enum([...APPROVAL_STATUSES, 'all']).default('pending'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({ requests: await listApprovalViews(context, request.query) })),
  );

  app.get(
    '/api/approvals/:id',
    {
      schema: {
        tags: ['approvals'],
        summary: 'One request: the exact action, its preview, requester, reason, case and payload hash',
        params: z.object({ id: APPROVAL_ID }),
      },
    },
    async (request) => asCaller(deps, request, async ({ context }) => showApproval(context, request.params.id)),
  );

  app.post(
    '/api/approvals/:id/approve',
    {
      config: writeLimit,
      schema: {
        tags: ['approvals'],
        summary: 'Approve a request you did not make; the approved action executes once',
        params: z.object({ id: APPROVAL_ID }),
        body: z.object({ reason: z.string().min(3).max(500), confirm_text: z.string().max(20).optional() }).strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const outcome = await approveRequest(context, request.params.id, {
          reason: request.body.reason,
          confirmText: request.body.confirm_text,
        });
        runJobInBackground(context, outcome, request.log);
        return outcome;
      }),
  );

  app.post(
    '/api/approvals/:id/reject',
    {
      config: writeLimit,
      schema: {
        tags: ['approvals'],
        summary: 'Reject a request; nothing happens and the requester sees the reason',
        params: z.object({ id: APPROVAL_ID }),
        body: z.object({ reason: z.string().min(3).max(500) }).strict(),
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => rejectRequest(context, request.params.id, request.body)),
  );
}
