/**
 * Prefixed ids from one registry: an id says what it names (`cus_…` is a customer, `in_…` an invoice).
 */
import { randomBytes } from 'node:crypto';

/** Every id prefix Leash issues, by the resource it names. */
export const ID_PREFIXES = {
  org: 'org',
  member: 'mem',
  customer: 'cus',
  product: 'prod',
  price: 'price',
  subscription: 'sub',
  subscriptionItem: 'si',
  invoice: 'in',
  invoiceLine: 'il',
  charge: 'ch',
  refund: 're',
  creditNote: 'cn',
  balanceTransaction: 'cbtx',
  coupon: 'co',
  usageRecord: 'mbur',
  proposal: 'prop',
  approval: 'apr',
  audit: 'aud',
  execution: 'exe',
  ticket: 'tkt',
  message: 'msg',
  job: 'job',
  apiKey: 'key',
  magicLink: 'ml',
  session: 'ses',
  conversation: 'conv',
  integration: 'intg',
  turn: 'turn',
  decision: 'dec',
  request: 'req',
  agentStop: 'astop',
  webhookEndpoint: 'we',
  webhookEvent: 'evt',
  webhookDelivery: 'whd',
  broadcast: 'bcast',
} as const;

/** A resource kind that has an id prefix. */
export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Makes a random id of the given kind: prefix, underscore, 16 base-62 characters. */
export function newId(kind: IdKind): string {
  const bytes = randomBytes(16);
  let body = '';
  for (const byte of bytes) body += ALPHABET[byte % 62];
  return `${ID_PREFIXES[kind]}_${body}`;
}

/** Makes ids from a counter, for reproducible demo data: `cus_demo000000042`. */
export function sequentialIdFactory(tag = 'demo'): (kind: IdKind) => string {
  const counters = new Map<IdKind, number>();
  return (kind) => {
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    return `${ID_PREFIXES[kind]}_${tag}${String(next).padStart(9, '0')}`;
  };
}

/** True when `id` has the prefix of `kind`. */
export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
