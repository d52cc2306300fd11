/** The demo org's team: one member for every role and approver group, so every flow can be tried. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { addMember, createOrg, type Member, type Org } from './members.ts';

/** The demo org's fixed id and name (the same seed gives the same data, ids included). */
export const DEMO_ORG = { id: 'org_demo', name: 'Northwind Cloud' } as const;

/** Demo members: email, role, approver groups, name. */
export const DEMO_MEMBERS = [
  { email: 'olivia@northwind.test', role: 'owner', groups: ['founder'], name: 'Olivia Owner (founder)' },
  { email: 'fiona@northwind.test', role: 'billing_manager', groups: ['finance'], name: 'Fiona Finance' },
  { email: 'sam@northwind.test', role: 'billing_manager', groups: ['support_lead'], name: 'Sam Support Lead' },
  { email: 'lena@northwind.test', role: 'billing_manager', groups: ['legal'], name: 'Lena Legal' },
  { email: 'max@northwind.test', role: 'billing_manager', groups: [], name: 'Max Manager' },
  { email: 'carl@northwind.test', role: 'billing_clerk', groups: [], name: 'Carl Clerk' },
  { email: 'cleo@northwind.test', role: 'billing_clerk', groups: [], name: 'Cleo Clerk' },
  { email: 'rita@northwind.test', role: 'read_only', groups: [], name: 'Rita Reader' },
] as const;

/** Creates the demo org with its owner and every other demo member. */
export async function createDemoOrg(db: Kysely<Database>): Promise<{ org: Org; members: Member[] }> {
  const [ownerSpec, ...others] = DEMO_MEMBERS;
  const { org, owner } = await createOrg(db, {
    id: DEMO_ORG.id,
    name: DEMO_ORG.name,
    ownerEmail: ownerSpec.email,
    ownerName: ownerSpec.name,
  });
  const members = [owner];
  for (const spec of others)
    members.push(
      await addMember(db, org.id, { email: spec.email, role: spec.role, groups: spec.groups, name: spec.name }),
    );
  return { org, members };
}
