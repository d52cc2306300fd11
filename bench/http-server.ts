/**
 * The server side of the HTTP bench, in its own process so the load generator does not share its event loop:
 * opens a bench business, creates an API key for the owner, listens on loopback and prints one JSON line
 * `{ port, key, customerId, customerName }`. Runs until killed.
 *
 *   node bin/run-ts.js bench/http-server.ts KIND LOCATION CUSTOMERS CACHE_DIR
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApiKey } from '../src/auth/api-keys.ts';
import { findMemberByEmail } from '../src/auth/members.ts';
import { createServer } from '../src/http/server.ts';
import { loadGate } from '../src/policy/decide.ts';
import type { StoreKind } from '../src/store/db.ts';
import { openDataset } from './dataset.ts';

const [kind, location, customers, cacheDir] = process.argv.slice(2);
const dataset = await openDataset(
  { kind: kind as StoreKind, location: location ?? '' },
  Number(customers),
  cacheDir ?? '.bench',
);
const owner = await findMemberByEmail(dataset.store.db, dataset.orgId, 'olivia@northwind.test');
if (!owner) throw new Error('bench business has no owner');
const { key } = await createApiKey(dataset.store.db, owner, 'bench');
const customer = await dataset.store.db
  .selectFrom('customers')
  .select(['id', 'name'])
  .where('orgId', '=', dataset.orgId)
  .orderBy('id')
  .offset(Math.floor(dataset.customers / 2))
  .limit(1)
  .executeTakeFirstOrThrow();
const app = await createServer({
  store: dataset.store,
  gate: await loadGate(),
  signingKey: new Uint8Array(randomBytes(32)),
  publicUrl: 'http://127.0.0.1',
  development: true,
  logger: false,
  version: 'bench',
  rateLimits: { signIn: 1_000_000, writes: 1_000_000 },
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(
  `${JSON.stringify({ port: (app.server.address() as AddressInfo).port, key, customerId: customer.id, customerName: customer.name })}\n`,
);
const stop = async () => {
  await app.close();
  await dataset.store.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
