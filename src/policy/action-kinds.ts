/** The action kinds of POLICY.md. Every operation declares exactly one; an unknown kind is a BLOCK. */
export type { ApproverGroup, Role } from '../domain/roles.ts';

/** Every kind the gate knows. */
export const ACTION_KINDS = [
  'data.read',
  'data.export',
  'support.case_update',
  'messaging.draft',
  'messaging.send',
  'money.refund',
  'money.credit',
  'billing.change',
  'billing.cancel',
  'billing.configure',
  'identity.user_create',
  'identity.role_change',
  'integrations.connect',
  'messaging.webhook',
  'messaging.broadcast',
] as const;

/** An action kind. */
export type ActionKind = (typeof ACTION_KINDS)[number];

/** The approval profiles an org can pick. */
export type PolicyProfile = 'short-leash' | 'caps';

/** True when `kind` is a known action kind. */
export function isActionKind(kind: string): kind is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(kind);
}

/** True for kinds that change nothing. */
export function isReadKind(kind: string): boolean {
  return kind === 'data.read' || kind === 'data.export';
}

/** What each kind lets someone do, for reasons like "billing clerks cannot cancel subscriptions". */
export const KIND_PHRASES: Record<ActionKind, string> = {
  'data.read': 'read billing data',
  'data.export': 'export reports',
  'support.case_update': 'update billing tickets',
  'messaging.draft': 'draft replies',
  'messaging.send': 'send replies to customers',
  'money.refund': 'refund charges',
  'money.credit': 'give credits',
  'billing.change': 'change billing (plans, coupons, invoices, customer details)',
  'billing.cancel': 'cancel subscriptions',
  'billing.configure': 'configure plans, prices and coupons',
  'identity.user_create': 'add members',
  'identity.role_change': 'change roles',
  'integrations.connect': 'connect integrations',
  'messaging.webhook': 'manage webhook endpoints',
  'messaging.broadcast': 'notify many customers at once',
};

/** The noun for a money kind in cap messages ("refund cap"). */
export function moneyNoun(kind: string): string {
  if (kind === 'money.refund') return 'refund';
  if (kind === 'money.credit') return 'credit';
  return 'transaction';
}
