/** Builds the operations context for a CLI session: identity from the local session, never from input. */
import { getMember, type Member } from '../auth/members.ts';
import { openConnector } from '../connectors/open-connector.ts';
import { newId } from '../domain/ids.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { Actor, Gate, PolicyProfile } from '../policy/decide.ts';
import type { CliSession } from './session.ts';

/** The actor a member acts as. */
export function actorOf(member: Member): Actor {
  return { memberId: member.id, orgId: member.orgId, email: member.email, role: member.role, groups: member.groups };
}

/** A context for one CLI command. */
export function operationContext(session: CliSession, member: Member, gate: Gate): OperationContext {
  return {
    db: session.store.db,
    actor: actorOf(member),
    channel: 'cli',
    requestId: newId('request'),
    connector: (executor) => openConnector(executor, session.org.id),
    gate,
    profile: session.org.policyProfile as PolicyProfile,
    findActor: async (memberId) => {
      const found = await getMember(session.store.db, session.org.id, memberId);
      return found ? actorOf(found) : undefined;
    },
  };
}
