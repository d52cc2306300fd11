/**
 * A place for real `leash start` processes to run on, with an org in it (made by `leash init`, so no first-run
 * demo is built): a fresh PostgreSQL database when `DATABASE_URL` is set (dropped afterwards), else an embedded
 * data directory. Every process started with `env` shares it, and the audit signing key servers on one database
 * must share.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { json, runLeash } from './cli.ts';

/** A ready place: the environment to run `leash` with, the org's owner, and how to remove it. */
export interface LeashInstance {
  env: NodeJS.ProcessEnv;
  owner: string;
  /** An API key of the owner, made before any server runs. */
  ownerKey: string;
  remove(): Promise<void>;
}

async function onAdminDatabase<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the place (PostgreSQL database or data directory), runs `leash init` and makes the owner's key. */
export async function openLeashInstance(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<LeashInstance> {
  const owner = `owner@${name}.test`;
  const scratch = mkdtempSync(join(tmpdir(), `leash-${name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LEASH_DATA_DIR: join(scratch, 'data'),
    LEASH_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'der' })
      .toString('base64'),
    LEASH_JWT_SECRET: randomBytes(32).toString('hex'),
    LEASH_STRIPE_SYNC_MINUTES: '0',
    ...extraEnv,
  };
  for (const variable of ['LEASH_USER', 'LEASH_ORG', 'LEASH_DEBUG', 'LEASH_API_KEY', 'PORT']) delete env[variable];
  const adminUrl = process.env.DATABASE_URL;
  let database: string | undefined;
  if (adminUrl) {
    database = `leash_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
    await onAdminDatabase(adminUrl, (client) => client.query(`create database ${database}`));
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    env.DATABASE_URL = url.toString();
  }
  const remove = async () => {
    rmSync(scratch, { recursive: true, force: true });
    if (adminUrl && database)
      await onAdminDatabase(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`));
  };
  try {
    const init = await runLeash(['init', '--owner', owner, '--json'], { env, timeoutMs: 120_000 });
    if (init.code !== 0) throw new Error(`leash init failed: ${init.stderr}`);
    const key = await runLeash(['keys', 'create', '--as', owner, '--json'], { env });
    return { env, owner, ownerKey: json<{ key: string }>(key).key, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
