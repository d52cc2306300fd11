/** `leash mcp`: the MCP server on stdio, for Claude Desktop, Claude Code and Cursor. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { memberForApiKey } from '../../auth/api-keys.ts';
import { LeashError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { createLeashMcpServer } from '../../mcp/mcp-server.ts';
import { operationContext } from '../operation-context.ts';
import { resolveActor, withSession } from '../session.ts';

/** Registers `leash mcp`. */
export function registerMcpCommand(program: Command, version: string): void {
  program
    .command('mcp')
    .description('Serve every operation as an MCP tool on stdio (Claude Desktop, Claude Code, Cursor).')
    .option('--as <email>', 'the member the tools act as (or LEASH_USER); local mode trusts the data directory')
    .addHelpText(
      'after',
      `
Identity: LEASH_API_KEY (a key from \`leash keys create\`) when set, otherwise --as EMAIL in local mode.
Reads run; writes return proposals with the preview and the policy decision, exactly as \`leash run\` does, and
confirm_proposal confirms your own PASS proposal. Approvers get list_approval_requests, approve_request and
reject_request under the two-person rule: a request is never approved by its requester. Tools carry
readOnlyHint / destructiveHint annotations. Over HTTP, a running server (\`leash start\`) serves the same tools
at /mcp with Authorization: Bearer lk_….

Claude Desktop (claude_desktop_config.json) or Cursor (.cursor/mcp.json):
  { "mcpServers": { "leash": { "command": "npx", "args": ["leash", "mcp"], "cwd": "/path/to/leash",
                                "env": { "LEASH_API_KEY": "lk_…" } } } }
Claude Code:
  $ claude mcp add leash -- npx leash mcp --as carl@northwind.test`,
    )
    .action(async (options: { as?: string }) => {
      await withSession(async (session) => {
        // An API key names its member (and org) itself; without one, local mode's --as / LEASH_USER.
        const apiKey = process.env.LEASH_API_KEY;
        const member = apiKey
          ? await memberForApiKey(session.store.db, apiKey)
          : await resolveActor(session, options.as, 'write');
        if (!member || member.orgId !== session.org.id)
          throw new LeashError('unauthenticated', 'LEASH_API_KEY is not a valid key for this Leash (see `leash keys`)');
        const server = createLeashMcpServer(
          async () => ({
            ...operationContext(session, member, session.gate),
            channel: 'mcp',
            requestId: newId('request'),
          }),
          version,
        );
        const closed = new Promise<void>((resolve) => {
          server.onclose = () => resolve();
        });
        await server.connect(new StdioServerTransport());
        process.stderr.write(`leash mcp: serving as ${member.email} (${member.role}) on stdio\n`);
        await closed;
      });
    });
}
