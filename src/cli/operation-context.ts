/** The operations context for a CLI command: the local session's org and the member named by --as. */
import type { Member } from '../auth/members.ts';
import type { OperationContext } from '../operations/define-operation.ts';
import type { Gate } from '../policy/decide.ts';
import { memberContext } from '../surfaces/operation-context.ts';
import { timeZoneFor } from './output.ts';
import type { CliSession } from './session.ts';

export { actorOf } from '../surfaces/operation-context.ts';

/** A context for one CLI command; its times read in the zone the command shows (--tz, else the member's). */
export function operationContext(session: CliSession, member: Member, gate: Gate): OperationContext {
  return {
    ...memberContext({ store: session.store, org: session.org, member, gate, channel: 'cli' }),
    timeZone: timeZoneFor(member),
  };
}
