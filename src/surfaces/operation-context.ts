/** The operations context every surface builds for a member: identity from the session, never from input. */
import { getMember, type Member, type Org } from '../auth/members.ts';
import { openConnector } from '../connectors/open-connector.ts';
import { newId } from '../domain/ids.ts';
import { readerTimeZone } from '../domain/person-time.ts';
import type { Channel, OperationContext } from '../operations/define-operation.ts';
import { storedStripeAccess } from '../operations/stripe-access.ts';
import type { Actor, Gate, PolicyProfile } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';

/** The actor a member acts as. */
export function actorOf(member: Member): Actor {
  return { memberId: member.id, orgId: member.orgId, email: member.email, role: member.role, groups: member.groups };
}

/** Stripe access with the stored key, opened only when a Stripe org's connector first calls Stripe. */
const stripeAccess = storedStripeAccess();

/** A context for one request of `member` on `channel` (a fresh request id unless one is given). */
export function memberContext(input: {
  store: Pick<Store, 'db'>;
  org: Org;
  member: Member;
  gate: Gate;
  channel: Channel;
  requestId?: string;
}): OperationContext {
  const { store, org, member } = input;
  return {
    db: store.db,
    actor: actorOf(member),
    channel: input.channel,
    requestId: input.requestId ?? newId('request'),
    connector: (executor) => openConnector(executor, org.id, org.billing, stripeAccess),
    gate: input.gate,
    profile: org.policyProfile as PolicyProfile,
    findActor: async (memberId) => {
      const found = await getMember(store.db, org.id, memberId);
      return found ? actorOf(found) : undefined;
    },
    timeZone: readerTimeZone(member),
  };
}
