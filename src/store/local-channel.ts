/**
 * The local channel: how CLI commands and `leash mcp` reach an embedded store that a running `leash start` holds.
 * A Unix socket `channel/leash.sock` in the data directory, in a directory the server makes 0700 (the socket itself
 * 0600), so only the data directory's owner can connect: the same people local mode already trusts with the files themselves.
 *
 * Frames are a 4-byte big-endian length and a V8-serialized value (Dates, bigints and byte arrays survive the
 * trip). Requests on one connection are answered in order. This file uses Node built-ins only: the CLI's fast
 * read path loads it before anything else.
 */
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ERROR_CODES, type ErrorCode, LeashError } from '../domain/errors.ts';

/** The directory, inside the data directory, that holds the socket: only its owner may enter it. */
export const CHANNEL_DIR = 'channel';

/** The socket's path inside the data directory. */
export const CHANNEL_FILE = `${CHANNEL_DIR}/leash.sock`;

/** Where local mode keeps the clean check of the policy directory (see policy/load-gate.ts). */
export const POLICY_CHECK_FILE = 'policy-check.json';

/** How long a server that accepted a connection may take to answer its first ping before it counts as hung. */
const PING_TIMEOUT_MS = 10_000;

/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;

/** The data directory CLI commands use: LEASH_DATA_DIR, else ./.leash; undefined for PostgreSQL or memory. */
export function embeddedDataDir(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (environment.DATABASE_URL) return undefined;
  const dataDir = environment.LEASH_DATA_DIR ?? './.leash';
  return dataDir.startsWith('memory://') ? undefined : resolve(dataDir);
}

/** The path to reach the channel of `dataDir` by: absolute, or relative to the cwd when that is short enough. */
export function channelPath(dataDir: string): string | undefined {
  const absolute = join(resolve(dataDir), CHANNEL_FILE);
  if (absolute.length <= MAX_SOCKET_PATH) return absolute;
  const fromHere = relative(process.cwd(), absolute);
  return fromHere.length <= MAX_SOCKET_PATH ? fromHere : undefined;
}

/** A request to the server: SQL for a store opened through it, or a read operation run by it. */
export type ChannelRequest =
  | { type: 'ping' }
  | { type: 'query'; scope: string; sql: string; parameters: unknown[] }
  | { type: 'begin'; scope: string; isolationLevel?: string | undefined }
  | { type: 'commit' }
  | { type: 'rollback' }
  | { type: 'read'; operation: string; input: unknown; as?: string | undefined; org?: string | undefined };

/** An error as it crosses the channel. */
export interface ChannelError {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** A reply: the value, or the error the server's code threw. */
export type ChannelReply = { ok: true; value: unknown } | { ok: false; error: ChannelError };

/** Encodes one frame. */
export function encodeFrame(value: unknown): Buffer {
  const body = serialize(value);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** The largest frame either side accepts (a query's rows included); past it the connection is closed. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** What `frameReader` passes on for a frame whose bytes do not decode (nested too deeply, corrupt). */
export const UNDECODABLE: unique symbol = Symbol('undecodable frame');

/**
 * Splits a byte stream into decoded frames; `onFrame` gets each value, or UNDECODABLE for a frame that does not
 * decode (the stream's framing still holds). A frame that is too large calls `onBroken` once and nothing after it
 * is read: the connection is beyond repair.
 */
export function frameReader(
  onFrame: (value: unknown) => void,
  onBroken: (reason: string) => void,
): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let broken = false;
  return (chunk) => {
    if (broken) return;
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) {
        broken = true;
        return onBroken(`a frame of ${length} bytes is larger than ${MAX_FRAME_BYTES}`);
      }
      if (pending.length < 4 + length) return;
      const body = pending.subarray(4, 4 + length);
      pending = pending.subarray(4 + length);
      let value: unknown;
      try {
        value = deserialize(body);
      } catch {
        value = UNDECODABLE;
      }
      onFrame(value);
    }
  };
}

/** An error for the CLI as the server's code threw it: a LeashError keeps its code (and so its exit code). */
export function errorFromChannel(error: ChannelError): Error {
  if (error.code && error.code in ERROR_CODES)
    return new LeashError(error.code as ErrorCode, error.message, error.details ?? {});
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

/** An error as it is sent over the channel. */
export function errorForChannel(error: unknown): ChannelError {
  if (error instanceof LeashError)
    return { name: error.name, message: error.message, code: error.code, details: error.details };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** One connection to a running server's channel. */
export class LocalChannel {
  private readonly waiting: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    /** The data directory the server holds. */
    readonly dataDir: string,
  ) {
    socket.on(
      'data',
      frameReader(
        (reply) => {
          const next = this.waiting.shift();
          if (!next) return;
          const answer = reply as ChannelReply;
          if (answer.ok) next.resolve(answer.value);
          else next.reject(errorFromChannel(answer.error));
        },
        (reason) => socket.destroy(new Error(reason)),
      ),
    );
    const fail = (error?: Error) => {
      this.closedWith ??= new LeashError(
        'unavailable',
        `the Leash server holding ${dataDir} stopped answering${error ? ` (${error.message})` : ''}`,
      );
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.closedWith);
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  /**
   * Connects to the server holding `dataDir`, or answers undefined when none is listening there (no socket, or a
   * stale one left by a server that died): the caller then opens the store itself.
   */
  static async connect(dataDir: string, options: { pingTimeoutMs?: number } = {}): Promise<LocalChannel | undefined> {
    const path = channelPath(dataDir);
    if (!path || !existsSync(path)) return undefined;
    const socket = await new Promise<Socket | undefined>((resolvePromise) => {
      const attempt = connect({ path });
      attempt.once('connect', () => {
        attempt.removeAllListeners('error');
        resolvePromise(attempt);
      });
      attempt.once('error', () => resolvePromise(undefined));
    });
    if (!socket) return undefined;
    // The CLI must be able to exit while the socket is open but idle (a command that has finished).
    socket.unref();
    const channel = new LocalChannel(socket, dataDir);
    // A server that accepts but never answers (stopped, wedged) must not hang the command.
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        socket.destroy();
        reject(
          new LeashError(
            'unavailable',
            `the Leash server holding ${dataDir} accepts connections but does not answer: restart it (or stop it to use the store directly)`,
          ),
        );
      }, options.pingTimeoutMs ?? PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([channel.request({ type: 'ping' }), hung]);
    } finally {
      clearTimeout(timer);
    }
    return channel;
  }

  /** True once the connection has closed (the server stopped, or `close()`). */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends one request and waits for its reply. */
  request<T = unknown>(request: ChannelRequest): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<T>((resolvePromise, reject) => {
      // Keep the process alive while an answer is owed.
      this.socket.ref();
      this.waiting.push({
        resolve: (value) => {
          if (this.waiting.length === 0) this.socket.unref();
          resolvePromise(value as T);
        },
        reject: (error) => {
          if (this.waiting.length === 0) this.socket.unref();
          reject(error);
        },
      });
      this.socket.write(encodeFrame(request));
    });
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return new Promise((resolvePromise) => {
      if (this.socket.destroyed) return resolvePromise();
      this.socket.once('close', () => resolvePromise());
      this.socket.ref();
      this.socket.end();
    });
  }
}
