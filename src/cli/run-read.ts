/**
 * Runs a read operation for a CLI command, as the acting member, through the one pipeline: in the running
 * server when one holds the embedded store (its local channel, audit channel `cli`), else in this process.
 * This file stays light: the fast path loads nothing but the channel's client.
 */
import { embeddedDataDir, LocalChannel } from '../store/local-channel.ts';

/** Runs the operation `name` with `input` as the member `as` (else LEASH_USER, else the owner); returns its output. */
export async function runCliRead<Output = unknown>(name: string, input: unknown, as?: string): Promise<Output> {
  const dataDir = embeddedDataDir();
  const channel = dataDir ? await LocalChannel.connect(dataDir) : undefined;
  if (channel) {
    try {
      return await channel.request<Output>({
        type: 'read',
        operation: name,
        input,
        as: as ?? process.env.LEASH_USER,
        org: process.env.LEASH_ORG,
      });
    } finally {
      await channel.close();
    }
  }
  // No server: open the store here, loading the pipeline's modules while PGlite boots.
  const { openSession, resolveActor, closeSession } = await import('./session.ts');
  const opening = openSession();
  const [{ runRead }, { operationContext }] = await Promise.all([
    import('../operations/run-operation.ts'),
    import('./operation-context.ts'),
  ]).catch(async (error: unknown) => {
    await opening.then(closeSession, () => undefined);
    throw error;
  });
  const session = await opening;
  try {
    const actor = await resolveActor(session, as, 'read');
    return (await runRead(operationContext(session, actor, session.gate), name, input)) as Output;
  } finally {
    await closeSession(session);
  }
}
