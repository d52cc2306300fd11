/**
 * The CLI's local session: the store in the data directory (or DATABASE_URL), its one org, and the member
 * acting. Local mode trusts whoever holds the data directory: `--as EMAIL` (or LEASH_USER) names the member,
 * and the server (`leash start`) is where people authenticate.
 */
import { findMemberByEmail, listMembers, listOrgs, type Member, type Org } from '../auth/members.ts';
import { LeashError } from '../domain/errors.ts';
import { type Gate, loadGate } from '../policy/decide.ts';
import { openStore, type Store } from '../store/db.ts';

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
  const store = await openStore();
  const orgs = await listOrgs(store.db);
  const org = pickOrg(orgs);
  if (!org) {
    await store.close();
    throw new LeashError('not_found', `no Leash data in ${store.location}: run \`leash demo\` or \`leash init\` first`);
  }
  const gate = await loadGate(process.env.LEASH_POLICY_DIR);
  return { store, org, gate, close: () => store.close() };
}

function pickOrg(orgs: Org[]): Org | undefined {
  const wanted = process.env.LEASH_ORG;
  if (wanted) return orgs.find((org) => org.id === wanted || org.name === wanted);
  return orgs[0];
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
  const email = as ?? process.env.LEASH_USER;
  if (!email) {
    if (purpose === 'write')
      throw new LeashError('bad_input', 'say who is acting: --as EMAIL (or set LEASH_USER)', { field: 'as' });
    const owner = (await listMembers(session.store.db, session.org.id)).find((member) => member.role === 'owner');
    if (!owner) throw new LeashError('not_found', 'this org has no owner; run `leash init`');
    return owner;
  }
  const member = await findMemberByEmail(session.store.db, session.org.id, email);
  if (!member)
    throw new LeashError('not_found', `${email} is not a member of ${session.org.name} (see \`leash users list\`)`);
  return member;
}

/** Runs `work` with an open session and always closes it. */
export async function withSession<T>(work: (session: CliSession) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await work(session);
  } finally {
    // PGlite's close() force-exits its WASM runtime, which resets process.exitCode to 0: keep the command's.
    const exitCode = process.exitCode;
    await session.close();
    process.exitCode = exitCode;
  }
}
