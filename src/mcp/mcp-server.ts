/**
 * The MCP server: every operation in the registry as a tool, generated from the registry (name, description,
 * JSON Schema from the zod input, honest annotations). Reads run; writes return proposals — the preview and
 * the gate's decision — exactly as on the CLI, through the same pipeline; `confirm_proposal` confirms the
 * caller's own PASS proposal. There is no approval tool: approving is a person's act on another surface, so a
 * model's words can never become an approval. Identity comes from the session (`--as` in local mode), never
 * from tool arguments.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { LeashError } from '../domain/errors.ts';
import { isRead, type OperationContext } from '../operations/define-operation.ts';
import { registry } from '../operations/registry.ts';
import { confirmProposal, proposeOperation, runRead } from '../operations/run-operation.ts';

/** The tool that confirms one's own PASS proposal. */
const CONFIRM_TOOL = 'confirm_proposal';

const confirmInput = z
  .object({
    proposal_id: z.string().regex(/^prop_[A-Za-z0-9]+$/, 'a proposal id like prop_…'),
    confirm_text: z.string().max(20).optional(),
  })
  .strict();

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
    const operation = registry.get(name);
    if (!operation) throw new LeashError('not_found', `no tool ${name}`, { field: 'name' });
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
