/**
 * The server's side of the local channel (see store/local-channel.ts): while `leash start` holds the embedded
 * store, CLI commands and `leash mcp` on this machine use it through a Unix socket in the data directory.
 *
 * Two kinds of request: SQL from a store opened through the channel (the command then runs the whole pipeline in
 * its own process, as local mode always has), and `read`, which runs one read operation here as the member local
 * mode names, on the `cli` channel, so a look-up needs no more than a socket in the calling process. The socket is
 * reachable only by the data directory's owner (directory 0700, socket 0600): the same trust local mode gives
 * whoever can open the store's files.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { CompiledQuery, type Kysely } from 'kysely';
import { LeashError } from '../domain/errors.ts';
import { runRead } from '../operations/run-operation.ts';
import type { Gate } from '../policy/decide.ts';
import type { Store } from '../store/db.ts';
import {
  CHANNEL_DIR,
  type ChannelReply,
  type ChannelRequest,
  channelPath,
  encodeFrame,
  errorForChannel,
  frameReader,
  UNDECODABLE,
} from '../store/local-channel.ts';
import { withOrgScope, withoutOrgScope } from '../store/org-scope.ts';
import type { Database } from '../store/schema.ts';
import { localMember, localOrg } from './local-identity.ts';
import { memberContext } from './operation-context.ts';

/** A transaction left idle this long by its caller is rolled back and the connection closed. */
const IDLE_TRANSACTION_MS = 30_000;

const ISOLATION_LEVELS = new Set(['read uncommitted', 'read committed', 'repeatable read', 'serializable']);

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new LeashError('bad_input', `${field} must be text`, { field });
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, field);
}

/** Checks a request's shape: what arrives on the socket is data, whoever sent it. */
function parseRequest(value: unknown): ChannelRequest {
  if (value === UNDECODABLE)
    throw new LeashError('bad_input', 'the request does not decode (nested too deeply, or corrupt)');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LeashError('bad_input', 'a request must be an object');
  const request = value as Record<string, unknown>;
  switch (request.type) {
    case 'ping':
    case 'commit':
    case 'rollback':
      return { type: request.type };
    case 'query':
      if (!Array.isArray(request.parameters)) throw new LeashError('bad_input', 'parameters must be a list');
      return {
        type: 'query',
        scope: text(request.scope, 'scope'),
        sql: text(request.sql, 'sql'),
        parameters: request.parameters,
      };
    case 'begin':
      return {
        type: 'begin',
        scope: text(request.scope, 'scope'),
        isolationLevel: optionalText(request.isolationLevel, 'isolationLevel'),
      };
    case 'read':
      return {
        type: 'read',
        operation: text(request.operation, 'operation'),
        input: request.input,
        as: optionalText(request.as, 'as'),
        org: optionalText(request.org, 'org'),
      };
    default:
      throw new LeashError('bad_input', 'unknown request on the local channel');
  }
}

/** A reply as a frame; one that cannot be serialised (it never should) becomes an error the caller can show. */
function encodeReply(reply: ChannelReply): Buffer {
  try {
    return encodeFrame(reply);
  } catch {
    return encodeFrame({
      ok: false,
      error: errorForChannel(new LeashError('internal', 'the answer could not be sent over the local channel')),
    });
  }
}

/** A running channel. */
export interface LocalChannelServer {
  /** The socket's path. */
  readonly path: string;
  /** Stops listening, rolls back open transactions and closes every connection. */
  close(): Promise<void>;
}

function inScope<T>(scope: string, work: () => Promise<T>): Promise<T> {
  return scope ? withOrgScope(scope, work) : withoutOrgScope(work);
}

/** A database session held for one caller's transaction. */
interface HeldSession {
  db: Kysely<Database>;
  release(): void;
  finished: Promise<void>;
}

async function holdSession(raw: Kysely<Database>, scope: string): Promise<HeldSession> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let finished: Promise<void> = Promise.resolve();
  const db = await new Promise<Kysely<Database>>((resolve, reject) => {
    finished = inScope(scope, () =>
      raw.connection().execute(async (connection) => {
        resolve(connection);
        await released;
      }),
    );
    finished.catch(reject);
  });
  return { db, release, finished };
}

/** One caller's connection: requests are handled in order, a transaction holds the store's session. */
class ChannelConnection {
  private held: HeldSession | undefined;
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly raw: Kysely<Database>,
    private readonly runReadRequest: (request: Extract<ChannelRequest, { type: 'read' }>) => Promise<unknown>,
  ) {
    socket.on(
      'data',
      frameReader(
        (request) => {
          this.queue = this.queue
            .then(() => this.answer(request))
            .catch(() => {
              this.socket.destroy();
            });
        },
        () => socket.destroy(),
      ),
    );
    socket.on('error', () => socket.destroy());
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        // A caller that went away mid-transaction: undo its work and give the session back.
        this.queue = this.queue.then(() => this.endTransaction('rollback')).catch(() => undefined);
        resolve();
      }),
    );
  }

  private async answer(request: unknown): Promise<void> {
    clearTimeout(this.idleTimer);
    let reply: ChannelReply;
    try {
      reply = { ok: true, value: await this.handle(parseRequest(request)) };
    } catch (error) {
      reply = { ok: false, error: errorForChannel(error) };
    }
    if (this.held)
      this.idleTimer = setTimeout(() => {
        this.socket.destroy();
      }, IDLE_TRANSACTION_MS);
    if (!this.socket.destroyed) this.socket.write(encodeReply(reply));
  }

  private async handle(request: ChannelRequest): Promise<unknown> {
    switch (request.type) {
      case 'ping':
        return { pid: process.pid };
      case 'query': {
        const query = CompiledQuery.raw(request.sql, request.parameters);
        if (this.held) return this.held.db.executeQuery(query);
        return inScope(request.scope, () => this.raw.executeQuery(query));
      }
      case 'begin': {
        if (this.held) throw new LeashError('invalid_state', 'a transaction is already open on this connection');
        const level = request.isolationLevel;
        if (level !== undefined && !ISOLATION_LEVELS.has(level))
          throw new LeashError('bad_input', `unknown isolation level ${level}`);
        this.held = await holdSession(this.raw, request.scope);
        try {
          await this.held.db.executeQuery(
            CompiledQuery.raw(level ? `start transaction isolation level ${level}` : 'begin'),
          );
        } catch (error) {
          await this.endTransaction(undefined);
          throw error;
        }
        return null;
      }
      case 'commit':
      case 'rollback':
        if (!this.held) throw new LeashError('invalid_state', `no transaction to ${request.type}`);
        await this.endTransaction(request.type);
        return null;
      case 'read':
        return this.runReadRequest(request);
      default:
        throw new LeashError('bad_input', 'unknown request on the local channel');
    }
  }

  /** Resolves when every request received has been answered and an open transaction has been ended. */
  async settled(): Promise<void> {
    await this.closed;
    await this.queue;
  }

  /** Ends the held transaction (if any) with `statement` and gives the session back to the server. */
  private async endTransaction(statement: 'commit' | 'rollback' | undefined): Promise<void> {
    clearTimeout(this.idleTimer);
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    try {
      if (statement) await held.db.executeQuery(CompiledQuery.raw(statement));
    } finally {
      held.release();
      await held.finished.catch(() => undefined);
    }
  }
}

/**
 * Serves the local channel of the embedded store in `dataDir`, which this process holds. A socket left by a server
 * that died is replaced (holding the store's lock proves no other server is listening). Undefined when the data
 * directory's path is too long for a Unix socket.
 */
export async function serveLocalChannel(input: {
  store: Store;
  gate: Gate;
  dataDir: string;
}): Promise<LocalChannelServer | undefined> {
  const path = channelPath(input.dataDir);
  if (!path) return undefined;
  // Queries arrive compiled by the caller's own Kysely, whose plugins already shaped them and will shape the rows.
  const raw = input.store.db.withoutPlugins();
  const runReadRequest = async (request: Extract<ChannelRequest, { type: 'read' }>) => {
    const org = await localOrg(input.store, request.org);
    if (!org)
      throw new LeashError(
        'not_found',
        `no Leash data in ${input.dataDir}: run \`leash demo\` or \`leash init\` first`,
      );
    const member = await localMember(input.store, org, request.as, 'read');
    const context = memberContext({ store: input.store, org, member, gate: input.gate, channel: 'cli' });
    return runRead(context, request.operation, request.input);
  };
  // A directory of its own, 0700, so the data directory's own mode is left as its owner set it.
  const channelDir = join(input.dataDir, CHANNEL_DIR);
  mkdirSync(channelDir, { recursive: true, mode: 0o700 });
  chmodSync(channelDir, 0o700);
  rmSync(path, { force: true });
  const connections = new Map<Socket, ChannelConnection>();
  const server = createServer((socket) => {
    connections.set(socket, new ChannelConnection(socket, raw, runReadRequest));
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...connections.entries()];
      for (const [socket] of open) socket.destroy();
      // Open transactions are rolled back before the store closes.
      await Promise.all(open.map(([, connection]) => connection.settled()));
      await closed;
    },
  };
}
