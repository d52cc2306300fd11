/** `leash mcp`: the MCP server on stdio, for Claude Desktop, Claude Code and Cursor. */
import type { Command } from 'commander';

/** Options of `leash mcp` (and `leash --mcp`). */
export interface McpStdioOptions {
  /** The member to act as in local mode (else LEASH_USER); LEASH_API_KEY wins when set. */
  as?: string | undefined;
  /** Comma-separated tool names to offer, narrowing what the member's role allows. */
  tools?: string | undefined;
  /** The version the server reports. */
  version?: string | undefined;
}

/**
 * Serves MCP on stdio as the member LEASH_API_KEY or `--as` names, until the client goes away (stdin ends, the pipe
 * breaks); calls still running finish, then the store is released. What `leash mcp` and `leash --mcp` run.
 */
export async function runMcpStdio(options: McpStdioOptions = {}): Promise<void> {
  // Heavy modules load here, not at the top: the CLI's other commands should not pay for them.
  const [
    { createLeashMcpServer, selectTools },
    { serveStdio },
    session,
    { memberForApiKey },
    errors,
    ids,
    context,
    agentAccess,
  ] = await Promise.all([
    import('../../mcp/mcp-server.ts'),
    import('../../mcp/serve-stdio.ts'),
    import('../session.ts'),
    import('../../auth/api-keys.ts'),
    import('../../domain/errors.ts'),
    import('../../domain/ids.ts'),
    import('../operation-context.ts'),
    import('../../auth/agent-access.ts'),
  ]);
  // A bad --tools list is bad input before anything opens.
  const tools = options.tools !== undefined ? selectTools(options.tools.split(',')) : undefined;
  await session.withSession(async (opened) => {
    // A long-running server on a missing or broken policy would block every write: refuse to start (exit 2).
    const { refuseBrokenPolicy } = await import('../../policy/load-gate.ts');
    refuseBrokenPolicy(opened.gate, undefined, 'the MCP server will not start');
    // An API key names its member (and org) itself; without one, local mode's --as / LEASH_USER.
    const apiKey = process.env.LEASH_API_KEY;
    const member = apiKey
      ? await memberForApiKey(opened.store.db, apiKey)
      : await session.resolveActor(opened, options.as, 'write');
    if (!member || member.orgId !== opened.org.id)
      throw new errors.LeashError(
        'unauthenticated',
        'LEASH_API_KEY is not a valid key for this Leash (see `leash keys`)',
      );
    const server = createLeashMcpServer(
      async () => {
        // Refused while the member's agent access is paused (too many blocked attempts; an owner resumes it).
        await agentAccess.checkAgentAccess(opened.store.db, member, 'mcp');
        return {
          ...context.operationContext(opened, member, opened.gate),
          channel: 'mcp' as const,
          requestId: ids.newId('request'),
        };
      },
      options.version ?? '0.1.0',
      { tools },
    );
    server.oninitialized = () => {
      const client = server.getClientVersion();
      process.stderr.write(
        `leash mcp: serving ${client ? `${client.name} ` : ''}as ${member.email} (${member.role}) on stdio\n`,
      );
    };
    await serveStdio(server);
  });
}

/** Registers `leash mcp`. */
export function registerMcpCommand(program: Command, version: string): void {
  program
    .command('mcp')
    .description("Serve Leash's tools over MCP on stdio (Claude Desktop, Claude Code, Cursor).")
    .option('--as <email>', 'the member the tools act as (or LEASH_USER); local mode trusts the data directory')
    .option('--tools <names>', "only these tools, comma-separated (within what the member's role may use)")
    .addHelpText(
      'after',
      `
Identity: LEASH_API_KEY (a key from \`leash keys create\`) when set, otherwise --as EMAIL in local mode.
Each member is offered only the tools their role can use: read-only members get the read tools; members who can
propose changes also get confirm_proposal; members whom approval requests can be routed to (an approver group,
or the owner) get list_approval_requests, approve_request and reject_request. --tools narrows that further
(calls to other tools are refused). The policy still decides every call.
Reads run; writes return proposals with the preview and the policy decision, exactly as \`leash run\` does, and
confirm_proposal confirms your own PASS proposal; a WARN proposal waits for a second person, never its
requester. Tools carry readOnlyHint / destructiveHint annotations. The server stops when its client closes
stdin. Over HTTP, a running server (\`leash start\`) serves the same tools at /mcp with Authorization: Bearer lk_….

While \`leash start\` holds the embedded store, this server reaches it through the running server (its local
channel in the data directory), so the dashboard and MCP work side by side. LEASH_DATA_DIR names the store:
MCP clients start servers in a directory of their own, so set it.

Claude Desktop (claude_desktop_config.json) or Cursor (.cursor/mcp.json):
  { "mcpServers": { "leash": { "command": "npx", "args": ["-y", "leash-billing", "mcp"],
                                "env": { "LEASH_API_KEY": "lk_…", "LEASH_DATA_DIR": "/path/to/.leash" } } } }
Claude Code:
  $ claude mcp add leash -e LEASH_DATA_DIR=/path/to/.leash -- npx -y leash-billing mcp --as carl@northwind.test
(Before leash-billing is published: install it from a checkout with \`npm pack && npm install -g ./leash-billing-*.tgz\`
and use "command": "leash", or "command": "node" with "/path/to/leash/bin/leash.js" first in "args".)
Only reads and refunds:
  $ leash mcp --as carl@northwind.test --tools search_customers,get_invoice,refund_charge,confirm_proposal`,
    )
    .action(async (options: { as?: string; tools?: string }) => runMcpStdio({ ...options, version }));
}
