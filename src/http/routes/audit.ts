/** The audit log over HTTP: list with filters, verify the chain, export (the export itself is audited). */
import { z } from 'zod';
import { exportAuditEvents } from '../../audit/export-audit-events.ts';
import { listAuditEntries } from '../../audit/list-audit-entries.ts';
import { listAuditKinds } from '../../audit/list-audit-kinds.ts';
import { verifyAuditLog } from '../../audit/verify-audit-chain.ts';
import { recordStep } from '../../operations/audit-trail.ts';
import { asCaller } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import { auditFilterOf, auditQuery } from './audit-query.ts';
import type { TypedApp } from './types.ts';

/** Registers the audit routes. */
export function registerAuditRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary:
          "Audit events, newest first, each with its customer's name and amount; filtered by customer (id, or any part of a name or email), member (id or email), kind, operation, outcome, amount, currency and date",
        querystring: auditQuery,
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const events = await listAuditEntries(context.db, context.actor.orgId, auditFilterOf(request.query));
        return { events };
      }),
  );

  app.get(
    '/api/audit/kinds',
    {
      schema: {
        tags: ['audit'],
        summary: "The kinds of event present in the org's log, for a kind filter",
        response: { 200: z.object({ kinds: z.array(z.string()) }) },
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => ({
        kinds: await listAuditKinds(context.db, context.actor.orgId),
      })),
  );

  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary:
          "Check the org's audit log: hash chain, row signatures and the signed checkpoints kept outside the database; names the first bad row or missing range",
        response: {
          200: z.object({
            ok: z.boolean(),
            rows: z.number(),
            first_bad_row: z.object({ seq: z.number(), id: z.string(), reason: z.string() }).nullable(),
            checkpoints: z.object({ checked: z.number(), latest_seq: z.number().nullable() }),
          }),
        },
      },
    },
    async (request) =>
      asCaller(deps, request, async ({ context }) => {
        const verdict = await verifyAuditLog(context.db, context.actor.orgId);
        const bad = verdict.firstBadRow;
        return {
          ok: verdict.ok,
          rows: verdict.rows,
          first_bad_row: bad ? { seq: bad.seq, id: bad.id, reason: bad.reason } : null,
          checkpoints: { checked: verdict.checkpoints.checked, latest_seq: verdict.checkpoints.latestSeq },
        };
      }),
  );

  app.get(
    '/api/audit/export',
    {
      schema: {
        tags: ['audit'],
        summary: 'The whole log as JSON lines or CSV (the export is itself recorded)',
        querystring: z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl') }),
      },
    },
    async (request, reply) =>
      asCaller(deps, request, async ({ context }) => {
        const chunks: string[] = [];
        const rows = await exportAuditEvents(context.db, context.actor.orgId, request.query.format, (chunk) => {
          chunks.push(chunk);
        });
        await recordStep(context.db, context, 'data.exported', {
          operation: 'audit_export',
          arguments: { format: request.query.format },
          result: { rows },
        });
        const csv = request.query.format === 'csv';
        return reply
          .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
          .header('content-disposition', `attachment; filename="leash-audit.${csv ? 'csv' : 'jsonl'}"`)
          .send(chunks.join(''));
      }),
  );
}
