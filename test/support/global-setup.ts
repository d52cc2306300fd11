/** Before the suite: when running on PostgreSQL, prove it is reachable and create shared extensions once. */
import pg from 'pg';

export default async function setup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at DATABASE_URL is unreachable: ${(error as Error).message}`);
  }
  await client.query('create extension if not exists pg_trgm with schema public');
  await client.end();
}
