/**
 * The org scope: the second wall of tenant isolation. Code run inside `withOrgScope(orgId, …)` (the server does
 * this for every authenticated request) reaches the database as role `leash_app` with `leash.org_id` set, so
 * PostgreSQL's row-level security (migration 0011) shows it only that org's rows, whatever a query forgets.
 * The scope travels with the async call (AsyncLocalStorage); the driver wrapper below sets it on each
 * connection as it is handed out, and only when it differs from what that connection already has.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { SCOPE_SQL, scopeParameters } from './org-scope-sql.ts';

const scope = new AsyncLocalStorage<string>();

/** Runs `work` with every query limited to `orgId`'s rows by row-level security. */
export function withOrgScope<T>(orgId: string, work: () => Promise<T>): Promise<T> {
  return scope.run(orgId, work);
}

/** The org the current call is scoped to, if any. */
export function currentOrgScope(): string | undefined {
  return scope.getStore();
}

/** Runs `work` outside any org scope (sign-in lookups that must find a key or link before the org is known). */
export function withoutOrgScope<T>(work: () => Promise<T>): Promise<T> {
  return scope.exit(work);
}

// What each database session was last set to ('' = unscoped, the connection's own role).
const sessionScopes = new WeakMap<object, string>();

class OrgScopedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly sessionOf: (connection: DatabaseConnection) => object,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const wanted = scope.getStore() ?? '';
    const connection = await this.inner.acquireConnection();
    const session = this.sessionOf(connection);
    if ((sessionScopes.get(session) ?? '') !== wanted) {
      try {
        await connection.executeQuery(CompiledQuery.raw(SCOPE_SQL, scopeParameters(wanted)));
      } catch (error) {
        await this.inner.releaseConnection(connection);
        throw error;
      }
      sessionScopes.set(session, wanted);
    }
    return connection;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * Wraps a dialect so its connections follow the org scope. `singleSession` is for PGlite, whose driver hands
 * out a new connection object each time over its one database session; a pool's connection objects are each
 * their own session.
 */
export function orgScopedDialect(dialect: Dialect, options: { singleSession?: boolean } = {}): Dialect {
  const single = {};
  const sessionOf = options.singleSession ? () => single : (connection: DatabaseConnection) => connection;
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new OrgScopedDriver(dialect.createDriver(), sessionOf),
    createIntrospector: (db: Kysely<unknown>) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
