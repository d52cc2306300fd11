/**
 * What the context's member could use, from the policy alone: the operations their role may attempt, whether they
 * can have proposals of their own to confirm, and whether approval requests can be routed to them. Surfaces use it
 * to offer only these (a read-only member sees reads); every call still goes through the gate, which decides it.
 */
import { isRead, type Operation, type OperationContext } from './define-operation.ts';
import { registry } from './registry.ts';

/** A member's reach. */
export interface Reach {
  /** Registry operations the member's role may attempt (in registry order). */
  operations: Operation[];
  /** True when the member may propose some write, so has proposals of their own to confirm. */
  confirm: boolean;
  /** True when some approval route names the member's role or one of their groups. */
  approve: boolean;
}

/** The reach of `context.actor` on `context.channel` under the org's profile. */
export function reachableOperations(context: OperationContext): Reach {
  const question = { channel: context.channel, profile: context.profile };
  const operations = [...registry.values()].filter((operation) =>
    context.gate.mayAttempt(context.actor, { ...question, operation: operation.name, kind: operation.kind }),
  );
  const writes = [...registry.values()]
    .filter((operation) => !isRead(operation))
    .map((operation) => ({ operation: operation.name, kind: operation.kind }));
  return {
    operations,
    confirm: operations.some((operation) => !isRead(operation)),
    approve: context.gate.mayApprove(context.actor, question, writes),
  };
}
