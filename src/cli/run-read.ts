/** Runs a read operation for a CLI command, as the acting member, through the one pipeline. */

import { runRead } from '../operations/run-operation.ts';
import { operationContext } from './operation-context.ts';
import { resolveActor, withSession } from './session.ts';

/** Opens the session, resolves `--as`, runs the operation `name` with `input`, returns its output. */
export async function runCliRead<Output = unknown>(name: string, input: unknown, as?: string): Promise<Output> {
  return withSession(async (session) => {
    const actor = await resolveActor(session, as, 'read');
    return (await runRead(operationContext(session, actor, session.gate), name, input)) as Output;
  });
}
