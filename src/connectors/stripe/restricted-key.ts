/**
 * Which Stripe keys Leash accepts: restricted keys only (`rk_live_…`, `rk_test_…`). A secret key can do anything on
 * the account and a publishable key can read nothing useful, so both are refused with what to do instead.
 */
import { LeashError } from '../../domain/errors.ts';

/** The permissions Leash needs, as Stripe's restricted-key screen names them. */
export const PERMISSIONS_NEEDED = [
  'Charges: read',
  'Customers: read',
  'Customers: write',
  'Subscriptions: read',
  'Subscriptions: write',
  'Invoices: read',
  'Invoices: write',
  'Refunds: write',
  'PaymentMethods: read',
] as const;

/** A restricted key's mode. */
export type StripeMode = 'live' | 'test';

const RESTRICTED = /^rk_(live|test)_[A-Za-z0-9]{16,247}$/;

/** The last four characters, the only part of a key Leash ever shows. */
export function keyHint(key: string): string {
  return `…${key.slice(-4)}`;
}

/** Checks a key's shape and returns its mode; any other key is refused, naming the fix. */
export function classifyStripeKey(raw: string): StripeMode {
  const key = raw.trim();
  const refuse = (message: string) => new LeashError('bad_input', message, { field: 'key' });
  if (/^sk_(live|test)_/.test(key))
    throw refuse(
      'that is a secret key, which can do anything on the account: create a restricted key (Developers → API keys → Create restricted key) with the permissions `leash connect stripe --help` lists, and connect that',
    );
  if (/^pk_(live|test)_/.test(key))
    throw refuse(
      'that is a publishable key, which cannot read billing data: connect a restricted key (rk_live_… or rk_test_…)',
    );
  if (/^rk_(live|test)_/.test(key) && !RESTRICTED.test(key))
    throw refuse(
      'that restricted key is malformed (cut short, or with spaces or quotes in it): copy it again from the Stripe dashboard',
    );
  const match = RESTRICTED.exec(key);
  if (!match) throw refuse('that is not a Stripe restricted key: it should start with rk_live_ or rk_test_');
  return match[1] as StripeMode;
}
