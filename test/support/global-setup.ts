/**
 * Before the suite: when running on PostgreSQL, prove it is reachable, create shared extensions once, and name
 * this run's schemas (`t_<run>_…`). After it: drop them. Test files do not drop their own schema when they
 * finish: Kysely's migrator lists the tables of every schema, and a schema dropped by one file while another
 * migrates made that migration fail ("schema … does not exist").
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return undefined;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at DATABASE_URL is unreachable: ${(error as Error).message}`);
  }
  await client.query('create extension if not exists pg_trgm with schema public');
  await client.end();
  // Inherited by the test processes, which start after this.
  const prefix = `t_${randomBytes(3).toString('hex')}_`;
  process.env.LEASH_TEST_SCHEMA_PREFIX = prefix;
  return async () => {
    const cleanup = new pg.Client({ connectionString: databaseUrl });
    await cleanup.connect();
    try {
      await cleanup.query("set client_min_messages = 'warning'");
      const { rows } = await cleanup.query<{ nspname: string }>(
        'select nspname from pg_namespace where starts_with(nspname, $1)',
        [prefix],
      );
      for (const { nspname } of rows) await cleanup.query(`drop schema if exists "${nspname}" cascade`);
    } finally {
      await cleanup.end();
    }
  };
}
