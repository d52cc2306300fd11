/**
 * Runs the MCP conformance suite (`@modelcontextprotocol/conformance server`) against Leash's /mcp.
 *
 * Leash's /mcp needs a bearer API key and the suite's client sends none, so a pass-through proxy on loopback
 * adds `Authorization: Bearer <key>` and forwards everything else untouched (Host and Origin included, so the
 * DNS-rebinding scenario reaches the real guard). Scenarios that need the suite's own test tools, resources or
 * prompts do not apply to Leash; conformance/expected-failures.yml lists each with the reason.
 *
 *   node bin/run-ts.js scripts/mcp-conformance.ts
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../src/auth/api-keys.ts';
import { createDemoOrg } from '../src/auth/demo-members.ts';
import { findMemberByEmail } from '../src/auth/members.ts';
import { createServer } from '../src/http/server.ts';
import { loadGate } from '../src/policy/decide.ts';
import { openStore } from '../src/store/db.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The suite talks to an embedded store in memory, whatever DATABASE_URL says.
delete process.env.DATABASE_URL;
const store = await openStore({ dataDir: 'memory://' });
const { org } = await createDemoOrg(store.db);
const member = await findMemberByEmail(store.db, org.id, 'carl@northwind.test');
if (!member) throw new Error('demo clerk missing');
const { key } = await createApiKey(store.db, member, 'conformance');
const app = await createServer({
  store,
  gate: await loadGate(),
  signingKey: new Uint8Array(randomBytes(32)),
  publicUrl: 'http://localhost',
  development: true,
  logger: false,
  version: '0.1.0',
});
await app.listen({ port: 0, host: '127.0.0.1' });
const upstream = (app.server.address() as AddressInfo).port;

const proxy = createHttpServer((incoming, outgoing) => {
  const forwarded = request(
    {
      host: '127.0.0.1',
      port: upstream,
      method: incoming.method,
      path: incoming.url,
      headers: { ...incoming.headers, authorization: `Bearer ${key}` },
    },
    (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    },
  );
  forwarded.on('error', () => outgoing.destroy());
  incoming.pipe(forwarded);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const url = `http://localhost:${(proxy.address() as AddressInfo).port}/mcp`;

const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    [
      'node_modules/@modelcontextprotocol/conformance/dist/index.js',
      'server',
      '--url',
      url,
      '--expected-failures',
      'conformance/expected-failures.yml',
      '--output-dir',
      '.conformance-results',
      ...process.argv.slice(2),
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  child.on('close', (exit) => resolve(exit ?? 1));
});
proxy.close();
await app.close();
await store.close();
process.exit(code);
