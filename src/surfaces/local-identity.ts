/**
 * Who acts in local mode (the CLI and `leash mcp` on this machine, directly or through a running server's local
 * channel): the org named by LEASH_ORG (else the store's first), and the member named by `--as` or LEASH_USER.
 * Local mode trusts whoever holds the data directory; the server's sign-in is where people authenticate.
 */
import { findMemberByEmail, listMembers, listOrgs, type Member, type Org } from '../auth/members.ts';
import { LeashError } from '../domain/errors.ts';
import type { Store } from '../store/db.ts';

/** The org local mode works on: `wanted` by id or name when given, else the first; undefined when none. */
export async function localOrg(store: Pick<Store, 'db'>, wanted: string | undefined): Promise<Org | undefined> {
  const orgs = await listOrgs(store.db);
  if (wanted) return orgs.find((org) => org.id === wanted || org.name === wanted);
  return orgs[0];
}

/**
 * The member acting: `email` (from --as or LEASH_USER); reads fall back to the org's owner when none is given,
 * writes must name someone.
 */
export async function localMember(
  store: Pick<Store, 'db'>,
  org: Org,
  email: string | undefined,
  purpose: 'read' | 'write',
): Promise<Member> {
  if (!email) {
    if (purpose === 'write')
      throw new LeashError('bad_input', 'say who is acting: --as EMAIL (or set LEASH_USER)', { field: 'as' });
    const owner = (await listMembers(store.db, org.id)).find((member) => member.role === 'owner');
    if (!owner) throw new LeashError('not_found', 'this org has no owner; run `leash init`');
    return owner;
  }
  const member = await findMemberByEmail(store.db, org.id, email);
  if (!member) throw new LeashError('not_found', `${email} is not a member of ${org.name} (see \`leash users list\`)`);
  return member;
}
