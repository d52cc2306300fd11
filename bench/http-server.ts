/**
 * The server side of the HTTP bench, in its own process so the load generator does not share its event loop:
 * opens a bench business, creates an API key for the owner, listens on loopback and prints one JSON line
 * `{ port, key, customerId, customerName }`. Runs until killed.
 *
 *   node bin/run-ts.js bench/http-server.ts KIND LOCATION CUSTOMERS CACHE_DIR
 */
import { createApiKey } from '../src/auth/api-keys.ts';
import { findMemberByEmail } from '../src/auth/members.ts';
import type { StoreKind } from '../src/store/db.ts';
import { startBenchServer } from './bench-server.ts';
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
const { app, port } = await startBenchServer(dataset.store);
process.stdout.write(`${JSON.stringify({ port, key, customerId: customer.id, customerName: customer.name })}\n`);
const stop = async () => {
  await app.close();
  await dataset.store.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
