/**
 * The MCP server: every operation in the registry as a tool, generated from the registry (name, description,
 * JSON Schema from the zod input, honest annotations). Reads run; writes return proposals — the preview and
 * the gate's decision — exactly as on the CLI, through the same pipeline; `confirm_proposal` confirms the
 * caller's own PASS proposal. Approvers get `list_approval_requests`, `approve_request` and `reject_request`:
 * the server decides with the same two-person rule as every surface (never the requester; the routed group or
 * role), so a session can never approve its own request. Identity comes from the session (an API key, or
 * `--as` in local mode), never from tool arguments.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { APPROVAL_STATUSES, listApprovalViews, showApproval } from '../operations/approval-views.ts';
import { isRead, type OperationContext } from '../operations/define-operation.ts';
import { registry } from '../operations/registry.ts';
import {
  approveRequest,
  confirmProposal,
  proposeOperation,
  rejectRequest,
  runRead,
} from '../operations/run-operation.ts';

/** The tool that confirms one's own PASS proposal. */
const CONFIRM_TOOL = 'confirm_proposal';

const confirmInput = z
  .object({
    proposal_id: z.string().regex(/^prop_[A-Za-z0-9]+$/, 'a proposal id like prop_…'),
    confirm_text: z.string().max(20).optional(),
  })
  .strict();

const APPROVAL_ID = z.string().regex(/^ap[rh]_[A-Za-z0-9]+$/, 'an approval id like apr_…');
const approvalTools = {
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

type ApprovalToolName = keyof typeof approvalTools;

async function callApprovalTool(context: OperationContext, name: ApprovalToolName, args: unknown) {
  if (name === 'list_approval_requests') {
    const input = approvalTools.list_approval_requests.input.parse(args ?? {});
    return input.id ? showApproval(context, input.id) : { requests: await listApprovalViews(context, input) };
  }
  if (name === 'approve_request') {
    const input = approvalTools.approve_request.input.parse(args ?? {});
    return approveRequest(context, input.approval_id, { reason: input.reason, confirmText: input.confirm_text });
  }
  const input = approvalTools.reject_request.input.parse(args ?? {});
  return rejectRequest(context, input.approval_id, { reason: input.reason });
}

function title(name: string): string {
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The tool list, generated from the registry. */
export function leashTools(): Tool[] {
  const tools: Tool[] = [...registry.values()].map((operation) => {
    const read = isRead(operation);
    return {
      name: operation.name,
      description: read
        ? operation.description
        : `${operation.description} Returns a proposal (preview and policy decision); nothing changes until it is confirmed or approved.`,
      inputSchema: z.toJSONSchema(operation.input, { io: 'input' }) as Tool['inputSchema'],
      annotations: {
        title: title(operation.name),
        readOnlyHint: read,
        // A proposal changes no billing data by itself, but the action it proposes may be destructive.
        destructiveHint: read ? false : 'destructive' in operation && operation.destructive,
        idempotentHint: read,
        openWorldHint: false,
      },
    };
  });
  tools.push({
    name: CONFIRM_TOOL,
    description:
      'Confirm your own proposal that the policy PASSed; it executes once on current facts. Irreversible actions need confirm_text "CONFIRM". Proposals that need approval cannot be confirmed here.',
    inputSchema: z.toJSONSchema(confirmInput, { io: 'input' }) as Tool['inputSchema'],
    annotations: { title: 'Confirm proposal', readOnlyHint: false, destructiveHint: true, openWorldHint: false },
  });
  for (const [name, tool] of Object.entries(approvalTools))
    tools.push({
      name,
      description: tool.description,
      inputSchema: z.toJSONSchema(tool.input, { io: 'input' }) as Tool['inputSchema'],
      annotations: {
        title: title(name),
        readOnlyHint: tool.readOnly,
        destructiveHint: !tool.readOnly,
        idempotentHint: tool.readOnly,
        openWorldHint: false,
      },
    });
  return tools;
}

function text(value: unknown, isError = false) {
  return {
    content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }],
    ...(isError ? { isError: true } : { structuredContent: value as Record<string, unknown> }),
  };
}

/** Runs one tool call through the pipeline. */
export async function callLeashTool(context: OperationContext, name: string, args: unknown) {
  try {
    if (name === CONFIRM_TOOL) {
      const input = confirmInput.parse(args ?? {});
      return text(await confirmProposal(context, input.proposal_id, { confirmText: input.confirm_text }));
    }
    if (name in approvalTools) return text(await callApprovalTool(context, name as ApprovalToolName, args));
    const operation = registry.get(name);
    // An unknown tool is a protocol error (the MCP spec's -32602), not a tool result.
    if (!operation) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    if (isRead(operation)) return text({ result: await runRead(context, name, args ?? {}) });
    return text(await proposeOperation(context, name, args ?? {}));
  } catch (error) {
    if (error instanceof z.ZodError)
      return text(
        {
          error: {
            code: 'bad_input',
            message: error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
          },
        },
        true,
      );
    if (error instanceof LeashError)
      return text({ error: { code: error.code, message: error.message, requestId: context.requestId } }, true);
    throw error;
  }
}

/** An MCP server whose every call runs as the member `context()` returns (a fresh request id each call). */
export function createLeashMcpServer(context: () => Promise<OperationContext>, version: string): Server {
  const server = new Server({ name: 'leash', version }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: leashTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request) =>
    callLeashTool(await context(), request.params.name, request.params.arguments),
  );
  return server;
}
