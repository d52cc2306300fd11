/**
 * Hostile inputs for the fuzz tests (test/http/fuzz.test.ts, test/mcp/fuzz.test.ts), derived from a JSON Schema:
 * NUL and lone surrogates in every string, wrong types, huge and odd numbers, huge strings, prototype keys, deep
 * nesting. Plus what the tests check afterwards: no internal detail in an answer, and no effect on the store (every
 * table's rows, and the audit log beyond refusals and reads).
 */
import { sql } from 'kysely';
import type { Store } from '../../src/store/db.ts';
import { withoutOrgScope } from '../../src/store/org-scope.ts';

/** A JSON Schema as OpenAPI and MCP tool listings give it (only what the fuzz looks at). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export const NUL_TEXT = 'Acme\u0000Corp';
export const LONE_SURROGATE_TEXT = 'Acme\ud800Corp';
export const TRAILING_SURROGATE_TEXT = '\udc00Acme';

/** A raw JSON body nested `levels` deep. */
export function deeplyNested(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** A value nested `levels` deep as an object (for tool arguments, which are objects). */
export function nestedValue(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { nested: value };
  return value;
}

/**
 * Values that are wrong or hostile wherever a field of `schema` sits: always NUL and a lone surrogate, then
 * `extras` of the wrong types and odd sizes for its type, starting at `seed` (so a sample still covers them all
 * across fields).
 */
export function hostileValues(schema: JsonSchema | undefined, extras = Infinity, seed = 0): unknown[] {
  const types = new Set([schema?.type ?? []].flat());
  const others: unknown[] = [null, [NUL_TEXT], { [NUL_TEXT]: 1 }];
  if (types.has('string') || types.size === 0)
    others.push(12, TRAILING_SURROGATE_TEXT, 'x'.repeat(40_000), ['list'], { object: true });
  if (types.has('integer') || types.has('number'))
    others.push('12', 1e308, -1e308, 2 ** 64, -0, 0.5, 'NaN', Number.MAX_SAFE_INTEGER + 2);
  if (schema?.format?.startsWith('date')) others.push('-200000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z');
  if (types.has('boolean')) others.push('true', 0);
  if (types.has('array')) others.push({ 0: 'a' }, [nestedValue(60)], new Array(5_000).fill(NUL_TEXT));
  if (types.has('object')) others.push([], 'object', nestedValue(60));
  const count = Math.min(extras, others.length);
  const sample = Array.from({ length: count }, (_, index) => others[(seed + index) % others.length]);
  return [NUL_TEXT, LONE_SURROGATE_TEXT, ...sample];
}

/** Plausible ids and values for a field name, so that a hostile value is the only thing wrong with a body. */
export interface KnownIds {
  customerId: string;
  invoiceId: string;
  chargeId: string;
}

function plausible(name: string, schema: JsonSchema, ids: KnownIds): unknown {
  if (name === 'customer_id') return ids.customerId;
  if (name === 'invoice_id') return ids.invoiceId;
  if (name === 'charge_id') return ids.chargeId;
  if (schema.enum?.length) return schema.enum[0];
  const type = [schema.type ?? 'string'].flat()[0];
  if (type === 'integer' || type === 'number') return 100;
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return name.includes('email') ? 'someone@example.test' : 'text';
}

/** A body with every required field of `schema` set to a plausible value. */
export function baseInput(schema: JsonSchema | undefined, ids: KnownIds): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) base[name] = plausible(name, schema?.properties?.[name] ?? {}, ids);
  return base;
}

/** Bodies that break `schema` as a whole: prototype keys, wrong top-level types, NUL in a key. */
export function hostileBodies(base: Record<string, unknown>): string[] {
  const json = (extra: string) => `{${extra}${Object.keys(base).length ? `,${JSON.stringify(base).slice(1)}` : '}'}`;
  return [
    json('"__proto__":{"polluted":true}'),
    json('"constructor":{"prototype":{"polluted":true}}'),
    json('"prototype":{"polluted":true}'),
    json('"toString":"x","hasOwnProperty":1'),
    json('"Acme\\u0000":1'),
    json('"\\ud800":1'),
    '[]',
    '"text"',
    'null',
    '-0',
  ];
}

/** Signs of an internal error in an answer: stack frames, file paths, database and engine messages. */
export const INTERNAL_MARKERS =
  /\bat \/|\bat [\w.<>$]+ \([^)]*:\d+:\d+\)|\.ts:\d+|node_modules|\/work\/|\/src\/|PostgreSQL|\bpg_|syntax error at|relation "|column "|violates|RangeError|TypeError|ReferenceError|SyntaxError|Maximum call stack|invalid byte sequence|unsupported Unicode escape|Internal error/;

/** The store's state: each table's rows (hashed), and the audit log's events by name. */
export interface StoreSnapshot {
  tables: Record<string, string>;
  /** Counts by `event operation outcome`. */
  events: Record<string, number>;
}

/**
 * Tables whose rows change on every authenticated request (last use of a key), are the audit log itself, or count
 * requests for the rate limits (a refused request counts too: that is the limit working, not an effect).
 */
const VOLATILE_TABLES = new Set(['api_keys', 'audit_events', 'audit_heads', 'rate_limit_hits']);

/** A snapshot of every table (outside any org scope), for before/after comparisons. */
export async function snapshotStore(store: Store): Promise<StoreSnapshot> {
  return withoutOrgScope(async () => {
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(store.db);
    const hashes: Record<string, string> = {};
    for (const { name } of tables.rows) {
      if (VOLATILE_TABLES.has(name)) continue;
      const row = await sql<{ digest: string | null; rows: string | number }>`
        select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest, count(*) as rows
        from ${sql.table(name)} t`.execute(store.db);
      hashes[name] = `${row.rows[0]?.rows}:${row.rows[0]?.digest}`;
    }
    const events = await sql<{ event: string; count: string | number }>`
      select concat_ws(' ', event, coalesce(operation, '-'), decision->>'outcome') as event, count(*) as count
      from audit_events group by 1`.execute(store.db);
    return {
      tables: hashes,
      events: Object.fromEntries(events.rows.map((row) => [row.event, Number(row.count)])),
    };
  });
}

/** Audit events a hostile request may leave: its refusal, the rows of reads that ran, a blocked attempt. */
const HARMLESS_EVENTS = new Set(['input.refused', 'data.read', 'data.exported']);

function harmless(event: string): boolean {
  const [name, , outcome] = event.split(' ');
  return HARMLESS_EVENTS.has(name ?? '') || (name === 'decision.made' && outcome === 'block');
}

/** What changed between two snapshots, beyond refusals and reads (empty: no effect). */
export function effectsBetween(before: StoreSnapshot, after: StoreSnapshot): string[] {
  const changed: string[] = [];
  for (const [name, digest] of Object.entries(after.tables))
    if (before.tables[name] !== digest) changed.push(`table ${name}`);
  for (const [event, count] of Object.entries(after.events))
    if (!harmless(event) && (before.events[event] ?? 0) !== count)
      changed.push(`audit ${event}: ${before.events[event] ?? 0} -> ${count}`);
  return changed;
}
