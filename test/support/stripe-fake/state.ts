/**
 * The fake's memory: Stripe objects by type and id (in creation order), the fake clock, ids and events. Objects are
 * stored in their response shape; answers and events are copies, so a caller never holds the stored object.
 */
import { randomBytes } from 'node:crypto';
import { noSuch } from './errors.ts';
import { fromTemplate, type StripeObject } from './fixtures.ts';

/** The object types the fake keeps. */
export type ObjectType =
  | 'customer'
  | 'product'
  | 'price'
  | 'coupon'
  | 'subscription'
  | 'invoice'
  | 'invoiceitem'
  | 'charge'
  | 'refund'
  | 'credit_note'
  | 'customer_balance_transaction'
  | 'payment_method'
  | 'payment_intent'
  | 'discount'
  | 'webhook_endpoint'
  | 'event';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DAY_MS = 86_400_000;
/** Stripe's Events API keeps 30 days. */
export const EVENT_RETENTION_MS = 30 * DAY_MS;
/** The API version events and answers name when the client does not send one. */
export const SPEC_API_VERSION = '2024-04-10';

/** The request an effect belongs to (for events' `request`). */
export interface RequestOrigin {
  id: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

/** The store of one fake. */
export class FakeState {
  private readonly tables = new Map<ObjectType, Map<string, StripeObject>>();
  private readonly order = new Map<string, number>();
  private readonly index = new Map<string, StripeObject>();
  private sequence = 0;
  private offsetMs = 0;
  /** Set by the server while a request runs, so events name it. */
  origin: RequestOrigin = { id: null, idempotencyKey: null, apiVersion: SPEC_API_VERSION };

  /** A clock frozen at `start` (moved only by `advance`), or the wall clock when no start is given. */
  constructor(private readonly start?: Date) {}

  private get clockMs(): number {
    return (this.start ? this.start.getTime() : Date.now()) + this.offsetMs;
  }
  now(): Date {
    return new Date(this.clockMs);
  }
  /** The clock in Unix seconds, as Stripe's `created`. */
  seconds(): number {
    return Math.floor(this.clockMs / 1000);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
    this.pruneEvents();
  }

  /** A new id with Stripe's look: `cus_` + 14 base-62 characters. */
  newId(prefix: string): string {
    let body = '';
    for (const byte of randomBytes(14)) body += ALPHABET[byte % 62];
    return `${prefix}_${body}`;
  }

  private table(type: ObjectType): Map<string, StripeObject> {
    let table = this.tables.get(type);
    if (!table) {
      table = new Map();
      this.tables.set(type, table);
    }
    return table;
  }

  /** Stores `object` (kept by reference: later changes go through `update`). */
  insert(type: ObjectType, object: StripeObject): StripeObject {
    this.table(type).set(object.id, object);
    this.index.set(object.id, object);
    this.sequence += 1;
    this.order.set(object.id, this.sequence);
    return object;
  }

  /** Forgets an object (a deleted webhook endpoint: Stripe answers 404 for it afterwards). */
  remove(type: ObjectType, id: string): void {
    this.table(type).delete(id);
    this.index.delete(id);
    this.order.delete(id);
  }

  get(type: ObjectType, id: string): StripeObject | undefined {
    return this.table(type).get(id);
  }

  /** The object, or Stripe's 404 (`No such <label>: 'id'`) naming `param`. */
  require(type: ObjectType, id: string, param = 'id', label: string = type): StripeObject {
    const found = this.get(type, id);
    if (!found) throw noSuch(label, id, param);
    return found;
  }

  /** Any stored object by id (for `expand`). */
  byId(id: string): StripeObject | undefined {
    return this.index.get(id);
  }

  /** Every object of `type`, newest first (created, then creation order). */
  all(type: ObjectType): StripeObject[] {
    if (type === 'event') this.pruneEvents();
    return [...this.table(type).values()].sort(
      (a, b) => (b.created ?? 0) - (a.created ?? 0) || (this.order.get(b.id) ?? 0) - (this.order.get(a.id) ?? 0),
    );
  }

  /** Applies `change` to a stored object and records `<type>.updated` with the previous top-level attributes. */
  update(type: ObjectType, object: StripeObject, change: (object: StripeObject) => void, eventType?: string): void {
    const before = structuredClone(object);
    change(object);
    const previous: StripeObject = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(object)]))
      if (JSON.stringify(before[key]) !== JSON.stringify(object[key])) previous[key] = before[key] ?? null;
    if (Object.keys(previous).length > 0 || eventType) this.emit(eventType ?? `${type}.updated`, object, previous);
  }

  /** Appends an event whose `data.object` is the object's state now. */
  emit(type: string, object: StripeObject, previousAttributes?: StripeObject, created?: number): StripeObject {
    const event = fromTemplate('event', {
      id: this.newId('evt'),
      api_version: this.origin.apiVersion,
      created: created ?? this.seconds(),
      data: {
        object: stripHidden(structuredClone(object), new Set()),
        ...(previousAttributes && Object.keys(previousAttributes).length > 0
          ? { previous_attributes: previousAttributes }
          : {}),
      },
      livemode: false,
      pending_webhooks: 0,
      request: { id: this.origin.id, idempotency_key: this.origin.idempotencyKey },
      type,
    });
    return this.insert('event', event);
  }

  private pruneEvents(): void {
    const oldest = (this.clockMs - EVENT_RETENTION_MS) / 1000;
    const events = this.table('event');
    for (const [id, event] of events)
      if (event.created < oldest) {
        events.delete(id);
        this.index.delete(id);
        this.order.delete(id);
      }
  }
}

/** Fields Stripe includes only when expanded: `tiers` on prices, `payments` on invoices. */
const HIDDEN: Record<string, string> = { price: 'tiers', invoice: 'payments' };

/** Removes the expand-only fields from `value` and everything in it, unless `kept` names them. */
export function stripHidden<T>(value: T, kept: Set<string>): T {
  if (Array.isArray(value)) for (const item of value) stripHidden(item, kept);
  else if (value && typeof value === 'object') {
    const object = value as StripeObject;
    const hidden = HIDDEN[object.object as string];
    if (hidden && !kept.has(hidden)) delete object[hidden];
    for (const child of Object.values(object)) if (child && typeof child === 'object') stripHidden(child, kept);
  }
  return value;
}

function expandPath(state: FakeState, node: unknown, path: string[]): void {
  if (!node || typeof node !== 'object' || path.length === 0) return;
  if (Array.isArray(node)) {
    for (const item of node) expandPath(state, item, path);
    return;
  }
  const object = node as StripeObject;
  const [key, ...rest] = path as [string, ...string[]];
  const resolve = (value: unknown) =>
    typeof value === 'string' ? structuredClone(state.byId(value) ?? value) : (value as unknown);
  if (Array.isArray(object[key])) object[key] = object[key].map(resolve);
  else object[key] = resolve(object[key]);
  expandPath(state, object[key], rest);
}

/** A stored object (or list) as the API answers it, with `expand` paths resolved (`data.` paths on lists). */
export function render(state: FakeState, value: StripeObject, expand: readonly string[]): StripeObject {
  const copy = structuredClone(value);
  const isList = copy.object === 'list';
  const paths = expand.map((path) => (isList && path.startsWith('data.') ? path.slice(5) : path));
  const kept = new Set(paths.map((path) => path.split('.').at(-1) ?? ''));
  const targets = isList ? (copy.data as StripeObject[]) : [copy];
  for (const target of targets) for (const path of paths) expandPath(state, target, path.split('.'));
  return stripHidden(copy, kept);
}
