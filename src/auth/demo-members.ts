/** The demo org's team: one member for every role and approver group, so every flow can be tried. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { DEMO_MEMBERS, DEMO_ORG } from './demo-team.ts';
import { addMember, createOrg, type Member, type Org } from './members.ts';

export { DEMO_MEMBERS, DEMO_ORG } from './demo-team.ts';

/** Creates the demo org with its owner and every other demo member, under `policyProfile` (default_profile). */
export async function createDemoOrg(
  db: Kysely<Database>,
  options: { policyProfile?: string | undefined } = {},
): Promise<{ org: Org; members: Member[] }> {
  const [ownerSpec, ...others] = DEMO_MEMBERS;
  const { org, owner } = await createOrg(db, {
    id: DEMO_ORG.id,
    name: DEMO_ORG.name,
    ownerEmail: ownerSpec.email,
    ownerName: ownerSpec.name,
    policyProfile: options.policyProfile,
  });
  const members = [owner];
  for (const spec of others)
    members.push(
      await addMember(db, org.id, { email: spec.email, role: spec.role, groups: spec.groups, name: spec.name }),
    );
  return { org, members };
}
