/**
 * The MCP server: the operations a member's role may use, as tools generated from the registry (tool-catalog.ts).
 * Reads run; writes return proposals — the preview and the gate's decision — exactly as on the CLI, through the
 * same pipeline; `confirm_proposal` confirms the caller's own PASS proposal. Members whom approval requests can
 * be routed to get `list_approval_requests`, `approve_request` and `reject_request`. Which tools are listed comes
 * from the policy (operations/reachable-operations.ts) and may be narrowed further (`tools`); the gate still
 * decides every call, so a tool the role cannot use is refused with its reason, never run. Identity comes from the
 * session (an API key, or `--as` in local mode), never from tool arguments.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { findUnsafeInput } from '../domain/input-guard.ts';
import { listApprovalViews, showApproval } from '../operations/approval-views.ts';
import { isRead, type Operation, type OperationContext } from '../operations/define-operation.ts';
import { publicFailure } from '../operations/public-failure.ts';
import { reachableOperations } from '../operations/reachable-operations.ts';
import { registry } from '../operations/registry.ts';
import {
  approveRequest,
  confirmProposal,
  proposeOperation,
  rejectRequest,
  runRead,
} from '../operations/run-operation.ts';
import { recordRefusedInput } from '../surfaces/refused-input.ts';
import { LEASH_INSTRUCTIONS } from './instructions.ts';
import {
  type ApprovalToolName,
  allToolNames,
  approvalTool,
  approvalTools,
  CONFIRM_TOOL,
  confirmInput,
  confirmTool,
  isApprovalTool,
  operationTool,
  toolInput,
} from './tool-catalog.ts';
import {
  approvalListResult,
  errorResult,
  executionResult,
  INTERNAL_MESSAGE,
  proposalResult,
  readResult,
  rejectionResult,
} from './tool-results.ts';

/** How a server is narrowed. */
export interface LeashMcpOptions {
  /** Only these tools (validated with {@link selectTools}); every tool the member may use when absent. */
  tools?: readonly string[] | undefined;
  /** Where internal errors are logged (default: stderr). */
  log?: InternalErrorLog | undefined;
}

/** Checks a `--tools` list: every name must be a Leash tool; a bad one is bad input naming the valid ones. */
export function selectTools(names: readonly string[]): string[] {
  const known = allToolNames();
  const selected = [...new Set(names.map((name) => name.trim()).filter((name) => name.length > 0))];
  const unknown = selected.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new LeashError(
      'bad_input',
      `unknown tool${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the tools are: ${known.join(', ')}`,
      { field: 'tools' },
    );
  if (selected.length === 0) throw new LeashError('bad_input', 'name at least one tool', { field: 'tools' });
  return selected;
}

/** The tools `context`'s member may use (the policy's reach), narrowed to `only` when given. */
export function leashTools(context: OperationContext, only?: readonly string[]): Tool[] {
  const reach = reachableOperations(context);
  const tools = reach.operations.map(operationTool);
  if (reach.confirm) tools.push(confirmTool());
  if (reach.approve)
    for (const name of Object.keys(approvalTools) as ApprovalToolName[]) tools.push(approvalTool(name));
  return only ? tools.filter((tool) => only.includes(tool.name)) : tools;
}

async function callApprovalTool(context: OperationContext, name: ApprovalToolName, args: unknown) {
  if (name === 'list_approval_requests') {
    const input = approvalTools.list_approval_requests.input.parse(args ?? {});
    return approvalListResult(
      input.id ? [await showApproval(context, input.id)] : await listApprovalViews(context, input),
    );
  }
  if (name === 'approve_request') {
    const input = approvalTools.approve_request.input.parse(args ?? {});
    return executionResult(
      await approveRequest(context, input.approval_id, { reason: input.reason, confirmText: input.confirm_text }),
    );
  }
  const input = approvalTools.reject_request.input.parse(args ?? {});
  const rejected = await rejectRequest(context, input.approval_id, { reason: input.reason });
  return rejectionResult({
    id: rejected.id,
    proposalId: rejected.proposalId ?? rejected.decisionId ?? '',
    status: rejected.status,
  });
}

/** Where an internal error's details go (the caller is told only the request id): stderr unless a log is given. */
export type InternalErrorLog = (error: unknown, requestId: string) => void;

const logToStderr: InternalErrorLog = (error, requestId) => {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`leash mcp: internal error (${requestId}): ${detail}\n`);
};

/** True for a Leash tool's name, looked up by own name only (`constructor` or `__proto__` is no tool). */
function isKnownTool(name: string): boolean {
  return name === CONFIRM_TOOL || isApprovalTool(name) || registry.has(name);
}

async function runTool(context: OperationContext, name: string, args: unknown): Promise<CallToolResult> {
  if (name === CONFIRM_TOOL) {
    const input = confirmInput.parse(args ?? {});
    return executionResult(await confirmProposal(context, input.proposal_id, { confirmText: input.confirm_text }));
  }
  if (isApprovalTool(name)) return await callApprovalTool(context, name, args);
  const operation = registry.get(name) as Operation;
  // The tool's own input first: it refuses the fields only the ticket workflow sets.
  toolInput(operation).parse(args ?? {});
  if (isRead(operation)) return readResult(name, args, await runRead(context, name, args ?? {}));
  return proposalResult(await proposeOperation(context, name, args ?? {}));
}

/** A failed call as a tool result: bad input names the field; an internal error says only its request id. */
function failureResult(error: unknown, context: OperationContext, log: InternalErrorLog): CallToolResult {
  const shown = publicFailure(error);
  // A schema's issues come before the pipeline has a request to name.
  if (error instanceof z.ZodError && shown) return errorResult(shown);
  if (shown) return errorResult({ ...shown, requestId: context.requestId });
  log(error, context.requestId);
  return errorResult({ code: 'internal', message: INTERNAL_MESSAGE, requestId: context.requestId });
}

/**
 * Runs one tool call through the pipeline (the gate decides it, whichever tools were listed). Arguments holding a
 * NUL, a lone surrogate or too-deep nesting are refused (and audited) before anything runs.
 */
export async function callLeashTool(
  context: OperationContext,
  name: string,
  args: unknown,
  log: InternalErrorLog = logToStderr,
): Promise<CallToolResult> {
  // An unknown tool is a protocol error (the MCP spec's -32602), not a tool result.
  if (!isKnownTool(name)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  try {
    const refusal = findUnsafeInput(args ?? {}, 'arguments');
    if (refusal) {
      await recordRefusedInput(context, refusal, { operation: name });
      return errorResult({
        code: 'bad_input',
        message: `${refusal.field}: ${refusal.message}`,
        requestId: context.requestId,
      });
    }
    return await runTool(context, name, args);
  } catch (error) {
    return failureResult(error, context, log);
  }
}

/** The MCP server, which knows when no call is running any more (so its store can close under it safely). */
export class LeashMcpServer extends Server {
  readonly #running = new Set<Promise<unknown>>();

  /** Runs `work`, counted until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const settle = () => this.#running.delete(work);
    work.then(settle, settle);
    return work;
  }

  /** Resolves once no tracked call is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}

/** An MCP server whose every call runs as the member `context()` returns (a fresh request id each call). */
export function createLeashMcpServer(
  context: () => Promise<OperationContext>,
  version: string,
  options: LeashMcpOptions = {},
): LeashMcpServer {
  const only = options.tools ? selectTools(options.tools) : undefined;
  const server = new LeashMcpServer(
    { name: 'leash', version },
    { capabilities: { tools: {} }, instructions: LEASH_INSTRUCTIONS },
  );
  // Tracked like calls: the context may read the store (the member's agent access), and stdin may end meanwhile.
  server.setRequestHandler(ListToolsRequestSchema, () =>
    server.track(context().then((opened) => ({ tools: leashTools(opened, only) }))),
  );
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    // A narrowed server offers nothing else: a tool outside the selection is unknown to it.
    if (only && !only.includes(request.params.name))
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    return server.track(
      (async () => callLeashTool(await context(), request.params.name, request.params.arguments, options.log))(),
    );
  });
  return server;
}
