/**
 * MCP over streamable HTTP at /mcp: stateless (each POST carries its own bearer API key and gets a fresh
 * server and transport, so any server process can answer), JSON responses, the same tools and the same gate
 * as stdio: the key's member is offered the tools their role can use, narrowed further by `?tools=a,b`. Only
 * Leash API keys are accepted; the Host/Origin guard in server.ts answers DNS rebinding. Requests are limited per
 * credential like REST writes (`rateLimits.mcp`, default 120 a minute): past it, 429 with Retry-After. A member
 * whose agent access is paused (too many blocked attempts) is refused with 403 until an owner resumes it.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { checkAgentAccess } from '../../auth/agent-access.ts';
import { LeashError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { createLeashMcpServer, selectTools } from '../../mcp/mcp-server.ts';
import { asCaller, mcpRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

/** Registers /mcp. */
export function registerMcpRoute(app: TypedApp, deps: ServerDeps): void {
  app.post('/mcp', { schema: { hide: true }, config: mcpRateLimit(deps) }, async (request, reply) => {
    if (!/^Bearer\s+lk_/i.test(request.headers.authorization ?? '')) {
      reply.header('www-authenticate', 'Bearer realm="leash", error="invalid_token"');
      throw new LeashError(
        'unauthenticated',
        'MCP over HTTP takes a Leash API key: Authorization: Bearer lk_… (see `leash keys create`)',
      );
    }
    const only = (request.query as { tools?: unknown } | undefined)?.tools;
    // An unknown tool name is bad input (400) naming the valid ones, before anything runs.
    const tools = typeof only === 'string' ? selectTools(only.split(',')) : undefined;
    return asCaller(
      deps,
      request,
      async ({ member, context }) => {
        // An agent that kept running into blocks is paused until an owner resumes it (auth/agent-access.ts).
        await checkAgentAccess(deps.store.db, member, 'mcp');
        const server = createLeashMcpServer(async () => ({ ...context, requestId: newId('request') }), deps.version, {
          tools,
          // An internal error's detail goes to the server's log; the caller gets its request id.
          log: (error, requestId) => request.log.error({ err: error, requestId }, 'MCP tool call failed'),
        });
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: true,
        });
        reply.raw.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        reply.hijack();
        await transport.handleRequest(request.raw, reply.raw, request.body);
      },
      'mcp',
    );
  });

  const notAllowed = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .status(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; POST to /mcp' },
        id: null,
      });
  app.get('/mcp', { schema: { hide: true } }, notAllowed);
  app.delete('/mcp', { schema: { hide: true } }, notAllowed);
}
