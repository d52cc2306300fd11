/** A Leash server on loopback for a bench section: the store given, generous rate limits, no log. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer, type ServerOptions } from '../src/http/server.ts';
import { loadGate } from '../src/policy/decide.ts';
import type { Store } from '../src/store/db.ts';

/** Starts the server on 127.0.0.1 and a free port. */
export async function startBenchServer(
  store: Store,
  options: Partial<ServerOptions> = {},
): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = await createServer({
    store,
    gate: await loadGate(),
    signingKey: new Uint8Array(randomBytes(32)),
    publicUrl: 'http://127.0.0.1',
    development: true,
    logger: false,
    version: 'bench',
    rateLimits: { signIn: 1_000_000, writes: 1_000_000, mcp: 1_000_000 },
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, port };
}
