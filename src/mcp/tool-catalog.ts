/**
 * The MCP tools, generated from the operation registry: name, description, a compact JSON Schema of the zod input
 * (every parameter described), honest annotations, and an output schema where the result has a fixed shape
 * (proposals, executions, approval requests). Plus confirm_proposal and the three approval tools.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../operations/approval-views.ts';
import { isRead, type Operation } from '../operations/define-operation.ts';
import { registry } from '../operations/registry.ts';
import { parameterDescription } from './parameter-descriptions.ts';

/** The tool that confirms one's own PASS proposal. */
export const CONFIRM_TOOL = 'confirm_proposal';

/** Input of confirm_proposal. */
export const confirmInput = z
  .object({
    proposal_id: z.string().regex(/^prop_[A-Za-z0-9]+$/, 'a proposal id like prop_…'),
    confirm_text: z.string().max(20).optional(),
  })
  .strict();

// Ids are base-62; handles are base64url (`-` and `_` included), as approvals/approval-requests.ts makes them.
const APPROVAL_ID = z
  .string()
  .max(100)
  .regex(/^(apr_[A-Za-z0-9]+|aph_[A-Za-z0-9_-]+)$/, 'an approval id like apr_… or a handle like aph_…');

/** The approvers' tools: inputs and descriptions. */
export const approvalTools = {
  list_approval_requests: {
    description:
      'List approval requests of your org (default: pending), each with the server-derived preview, requester, reason and case. Add `id` to show one.',
    input: z
      .object({ status: z.enum([...APPROVAL_STATUSES, 'all']).default('pending'), id: APPROVAL_ID.optional() })
      .strict(),
    readOnly: true,
  },
  approve_request: {
    description:
      "Approve a request you did not make, as yourself: the exact approved action then executes once on current facts. Refused for the requester, for members outside the request's approver groups, and for expired or changed actions.",
    input: z
      .object({
        approval_id: APPROVAL_ID,
        reason: z.string().min(3).max(500),
        confirm_text: z.string().max(20).optional(),
      })
      .strict(),
    readOnly: false,
  },
  reject_request: {
    description: 'Reject a request; nothing happens and the requester sees your reason.',
    input: z.object({ approval_id: APPROVAL_ID, reason: z.string().min(3).max(500) }).strict(),
    readOnly: false,
  },
} as const;

/** An approval tool's name. */
export type ApprovalToolName = keyof typeof approvalTools;

/** True for the approval tools' names. */
export function isApprovalTool(name: string): name is ApprovalToolName {
  return Object.hasOwn(approvalTools, name);
}

/**
 * Fields the ticket workflow fills (classifier scores, facts found, the draft, findings, proposals opened): not
 * inputs a caller sets, so they are not offered, and a call that sends them is refused as bad input.
 */
const WORKFLOW_FIELDS: Readonly<Record<string, readonly string[]>> = {
  create_ticket: ['confidence', 'scores', 'facts', 'draft', 'findings', 'proposals', 'approvals_needed', 'ticket_id'],
};

/** The input a tool call is parsed with first: the operation's own, less the fields only the workflow sets. */
export function toolInput(operation: Operation): z.ZodType {
  const hidden = WORKFLOW_FIELDS[operation.name];
  if (!hidden || !(operation.input instanceof z.ZodObject)) return operation.input;
  const mask: Record<string, true> = Object.fromEntries(hidden.map((field) => [field, true as const]));
  return (operation.input as z.ZodObject).omit(mask as never);
}

type Schema = Record<string, unknown>;

/** Drops what costs tokens and tells a caller nothing: `$schema`, the safe-integer bound, the email regex. */
function compact(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compact);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === '$schema') continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'pattern' && (schema as Schema).format === 'email') continue;
    out[key] = compact(value);
  }
  return out;
}

/** The JSON Schema of a tool's input, every top-level parameter described. */
function inputSchema(tool: string, input: z.ZodType): Tool['inputSchema'] {
  const schema = compact(z.toJSONSchema(input, { io: 'input' })) as Tool['inputSchema'];
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    const description = parameterDescription(tool, name);
    if (property.description === undefined && description) property.description = description;
  }
  return schema;
}

/** What a write tool returns: the proposal (ProposalView; its fields beyond these are not constrained here). */
const PROPOSAL_OUTPUT: Tool['outputSchema'] = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string' },
    preview: { type: 'object' },
    decision: { type: 'object' },
    next: { type: 'string' },
  },
  required: ['id', 'status', 'preview', 'decision', 'next'],
};

/** What confirming or approving returns: the execution (ExecutionOutcome). */
const EXECUTION_OUTPUT: Tool['outputSchema'] = {
  type: 'object',
  properties: {
    proposalId: { type: 'string' },
    status: { type: 'string', enum: ['succeeded', 'failed', 'blocked', 'executing'] },
    executionId: { type: ['string', 'null'] },
    result: {},
    reasons: { type: 'array' },
  },
  required: ['proposalId', 'status'],
};

const OUTPUTS: Record<ApprovalToolName | typeof CONFIRM_TOOL, Tool['outputSchema']> = {
  [CONFIRM_TOOL]: EXECUTION_OUTPUT,
  approve_request: EXECUTION_OUTPUT,
  list_approval_requests: {
    type: 'object',
    properties: { requests: { type: 'array', items: { type: 'object' } } },
    required: ['requests'],
  },
  reject_request: {
    type: 'object',
    properties: { id: { type: 'string' }, status: { type: 'string' }, proposalId: { type: 'string' } },
    required: ['id', 'status'],
  },
};

function title(name: string): string {
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// destructiveHint and idempotentHint mean something only for tools that change things (MCP spec), and
// idempotentHint defaults to false: reads carry readOnlyHint, writes destructiveHint. openWorldHint defaults to true.
function annotations(name: string, read: boolean, destructive: boolean): NonNullable<Tool['annotations']> {
  return read
    ? { title: title(name), readOnlyHint: true, openWorldHint: false }
    : {
        title: title(name),
        readOnlyHint: false,
        destructiveHint: destructive,
        idempotentHint: false,
        openWorldHint: false,
      };
}

/** The tool of one registry operation. Reads have no output schema: each returns its own shape under `result`. */
export function operationTool(operation: Operation): Tool {
  const read = isRead(operation);
  return {
    name: operation.name,
    description: read ? operation.description : `${operation.description} Returns a proposal to confirm or approve.`,
    inputSchema: inputSchema(operation.name, toolInput(operation)),
    ...(read ? {} : { outputSchema: PROPOSAL_OUTPUT }),
    // A proposal changes no billing data by itself, but the action it proposes may be destructive.
    annotations: annotations(operation.name, read, !read && 'destructive' in operation && operation.destructive),
  };
}

/** The confirm_proposal tool. */
export function confirmTool(): Tool {
  return {
    name: CONFIRM_TOOL,
    description:
      'Confirm your own proposal that the policy PASSed; it executes once on current facts. Irreversible actions need confirm_text "CONFIRM". Proposals that need approval cannot be confirmed here.',
    inputSchema: inputSchema(CONFIRM_TOOL, confirmInput),
    outputSchema: OUTPUTS[CONFIRM_TOOL],
    annotations: { ...annotations(CONFIRM_TOOL, false, true), title: 'Confirm proposal' },
  };
}

/** One approval tool. */
export function approvalTool(name: ApprovalToolName): Tool {
  const tool = approvalTools[name];
  return {
    name,
    description: tool.description,
    inputSchema: inputSchema(name, tool.input),
    outputSchema: OUTPUTS[name],
    annotations: annotations(name, tool.readOnly, !tool.readOnly),
  };
}

/** Every tool name the server knows, in list order. */
export function allToolNames(): string[] {
  return [...registry.keys(), CONFIRM_TOOL, ...Object.keys(approvalTools)];
}
