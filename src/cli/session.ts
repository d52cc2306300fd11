/**
 * The CLI's local session: the store in the data directory (or DATABASE_URL), its one org, and the member
 * acting. Local mode trusts whoever holds the data directory: `--as EMAIL` (or LEASH_USER) names the member,
 * and the server (`leash start`) is where people authenticate. While `leash start` holds the embedded store, the
 * session reaches it through the server's local channel; everything else is the same.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Member, Org } from '../auth/members.ts';
import { LeashError } from '../domain/errors.ts';
import type { Gate } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';
import { embeddedDataDir, POLICY_CHECK_FILE } from '../store/local-channel.ts';
import { openCliStore } from '../store/open-cli-store.ts';

// The store starts opening before the policy engine and the member look-ups load: they load while it boots.
const identity = () => import('../surfaces/local-identity.ts');

/** An open local session. */
export interface CliSession {
  store: Store;
  org: Org;
  /** The policy in ./policies (LEASH_POLICY_DIR), parsed once for this command. */
  gate: Gate;
  close(): Promise<void>;
}

/** Opens the store and its org; fails with a hint when there is no data yet. */
export async function openSession(): Promise<CliSession> {
  // The policy check runs while PGlite boots (its WebAssembly compiles off the main thread).
  const [store, gate] = await Promise.all([openCliStore(), loadLocalGate()]);
  let org: Org | undefined;
  try {
    org = await (await identity()).localOrg(store, process.env.LEASH_ORG);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (!org) {
    await store.close();
    throw new LeashError('not_found', `no Leash data in ${store.location}: run \`leash demo\` or \`leash init\` first`);
  }
  return { store, org, gate, close: () => store.close() };
}

/** The gate for local mode: the policy directory, its clean check kept in the embedded data directory. */
export async function loadLocalGate(): Promise<Gate> {
  const dataDir = embeddedDataDir();
  const { loadGate } = await import('../policy/decide.ts');
  return loadGate(process.env.LEASH_POLICY_DIR, {
    checkCache: dataDir && existsSync(dataDir) ? join(dataDir, POLICY_CHECK_FILE) : undefined,
  });
}

/**
 * The member acting: `--as EMAIL`, else LEASH_USER; reads fall back to the org's owner when neither is
 * given, writes must name someone.
 */
export async function resolveActor(
  session: CliSession,
  as: string | undefined,
  purpose: 'read' | 'write',
): Promise<Member> {
  const member = await (await identity()).localMember(
    session.store,
    session.org,
    as ?? process.env.LEASH_USER,
    purpose,
  );
  // Times print in the acting member's zone (unless --tz names one).
  const [{ showTimesIn }, { readerTimeZone }] = await Promise.all([
    import('./output.ts'),
    import('../domain/person-time.ts'),
  ]);
  showTimesIn(readerTimeZone(member), 'member');
  return member;
}

/** Closes a session, keeping the command's exit code. */
export async function closeSession(session: CliSession): Promise<void> {
  // PGlite's close() force-exits its WASM runtime, which resets process.exitCode to 0: keep the command's.
  const exitCode = process.exitCode;
  await session.close();
  process.exitCode = exitCode;
}

/** Runs `work` with an open session and always closes it. */
export async function withSession<T>(work: (session: CliSession) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await work(session);
  } finally {
    await closeSession(session);
  }
}
