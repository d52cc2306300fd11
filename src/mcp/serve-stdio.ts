/**
 * Serves an MCP server on stdio until its client goes away: stdin ends or closes (the client exited or closed the
 * pipe), stdout's pipe breaks, or the protocol closes. The SDK's stdio transport watches none of the first three,
 * so without this a process whose client died would wait forever (or, once its event loop drained, end with
 * Node's "unsettled top-level await" exit code 13). Calls still running finish before this returns, so the
 * caller can close the store under them safely.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { LeashMcpServer } from './mcp-server.ts';

/** The streams to serve on (the process's own by default). */
export interface StdioStreams {
  stdin?: NodeJS.ReadableStream & { destroyed?: boolean };
  stdout?: NodeJS.WritableStream;
}

/** Serves `server` on stdio; resolves once the client is gone and no call is running. */
export async function serveStdio(server: LeashMcpServer, streams: StdioStreams = {}): Promise<void> {
  const stdin = streams.stdin ?? process.stdin;
  const stdout = streams.stdout ?? process.stdout;
  let finish = () => {};
  const gone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const previous = server.onclose;
  server.onclose = () => {
    previous?.();
    finish();
  };
  // The client is gone: stop waiting, but answer what it already sent (closing the server here would drop the
  // answers of calls still running, e.g. a tools/list sent just before stdin ended).
  const clientLeft = () => finish();
  const brokenPipe = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') clientLeft();
  };
  stdin.once('end', clientLeft);
  stdin.once('close', clientLeft);
  stdout.on('error', brokenPipe);
  try {
    await server.connect(new StdioServerTransport(stdin as never, stdout as never));
    await gone;
    // Requests read with the last input are dispatched on a later turn of the event loop: let them start.
    await new Promise((resolve) => setImmediate(resolve));
    await server.idle();
    await server.close().catch(() => {});
  } finally {
    stdin.off('end', clientLeft);
    stdin.off('close', clientLeft);
    stdout.off('error', brokenPipe);
    // Let the process end: a paused stdin still holds the event loop on some platforms.
    (stdin as { destroy?: () => void }).destroy?.();
  }
}
