/**
 * A store opened through the local channel of a running `leash start`: the same Kysely query builder, whose
 * driver sends each compiled query to the server, which runs it on the PGlite it holds. Everything above the
 * driver (operations, the gate, the audit log) runs in this process exactly as when it opens the store itself.
 *
 * A transaction holds the server's one database session from `begin` to `commit`/`rollback`; the server rolls it
 * back if this process goes away in between. The org scope (row-level security) travels with every request and
 * is applied by the server's own scoped driver, never set by SQL from here.
 */
import {
  CamelCasePlugin,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { LeashError } from '../domain/errors.ts';
import type { Store } from './db.ts';
import { LocalChannel } from './local-channel.ts';
import { currentOrgScope } from './org-scope.ts';
import type { Database } from './schema.ts';
import { runCloseHooks } from './store-hooks.ts';

/** The SQL requests a channel store sends. */
export type SqlRequest =
  | { type: 'query'; scope: string; sql: string; parameters: unknown[] }
  | { type: 'begin'; scope: string; isolationLevel?: string | undefined }
  | { type: 'commit' }
  | { type: 'rollback' };

/** Where a channel store's SQL goes: a running server's socket, or the command's own store worker. */
export interface SqlTransport {
  request<T = unknown>(request: SqlRequest): Promise<T>;
  readonly closed: boolean;
  close(): Promise<void>;
}

class ChannelConnection implements DatabaseConnection {
  constructor(
    private readonly channel: SqlTransport,
    readonly scope: string,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.channel.request<QueryResult<R>>({
      type: 'query',
      scope: this.scope,
      sql: compiledQuery.sql,
      parameters: [...compiledQuery.parameters],
    });
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered over the channel, as with PGlite's driver.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported through the local channel');
  }
}

/**
 * One connection at a time, like PGlite's own driver: there is one database session. A long-lived caller
 * (`leash mcp`, `leash chat`) whose server restarted reconnects on its next query; with no server back it is told.
 */
class ChannelDriver implements Driver {
  private busy = false;
  private readonly queue: (() => void)[] = [];

  constructor(
    private channel: SqlTransport,
    private readonly reconnect: () => Promise<SqlTransport>,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.busy) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.busy = true;
    try {
      if (this.channel.closed) this.channel = await this.reconnect();
    } catch (error) {
      await this.releaseConnection();
      throw error;
    }
    return new ChannelConnection(this.channel, currentOrgScope() ?? '');
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.channel.request({
      type: 'begin',
      scope: (connection as ChannelConnection).scope,
      isolationLevel: settings.isolationLevel,
    });
  }

  async commitTransaction(): Promise<void> {
    await this.channel.request({ type: 'commit' });
  }

  async rollbackTransaction(): Promise<void> {
    await this.channel.request({ type: 'rollback' });
  }

  async releaseConnection(): Promise<void> {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }

  async destroy(): Promise<void> {
    await this.channel.close();
  }
}

/** A store whose SQL goes over `transport` (`reconnect` gets a new one when it has closed). */
export function channelStore(transport: SqlTransport, location: string, reconnect: () => Promise<SqlTransport>): Store {
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new ChannelDriver(transport, reconnect),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })],
  });
  return {
    db,
    kind: 'pglite',
    location,
    close: async () => {
      try {
        await runCloseHooks(db);
      } finally {
        await db.destroy();
      }
    },
  };
}

/**
 * The store of `dataDir` through its server's channel, or undefined when no server holds it (the caller opens the
 * store itself then).
 */
export async function openStoreThroughServer(dataDir: string): Promise<Store | undefined> {
  const channel = await LocalChannel.connect(dataDir);
  if (!channel) return undefined;
  return channelStore(channel, dataDir, () => reconnectToServer(dataDir));
}

/** A new connection to the server of `dataDir`, for a caller whose server restarted; says so when none is back. */
export async function reconnectToServer(dataDir: string): Promise<SqlTransport> {
  const again = await LocalChannel.connect(dataDir);
  if (again) return again;
  throw new LeashError(
    'unavailable',
    `the Leash server holding ${dataDir} has stopped: start it again, or run this command again to open the store itself`,
  );
}
