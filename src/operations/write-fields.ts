/**
 * Input fields every write shares. `reason` and `case_id` are optional here on purpose: a missing one is a
 * policy BLOCK ("missing required context"), decided and audited by the gate, not a schema error.
 */
import { z } from 'zod';

/** The context fields of a write's input. */
export const writeContextFields = {
  reason: z.string().max(2000).optional(),
  case_id: z.string().max(200).optional(),
};

/** A positive amount in integer minor units. */
export const minorUnits = z
  .number({ error: 'amount must be a number of minor units (cents)' })
  .int('amount must be a whole number of minor units (cents), e.g. 1050 for $10.50')
  .positive('amount must be more than zero')
  .max(100_000_000_000, 'amount is larger than any charge Leash handles');

/** An ISO currency code Leash supports. */
export const currencyCode = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    z.enum(['usd', 'eur', 'gbp', 'inr', 'brl', 'jpy'], {
      error: 'currency must be one of usd, eur, gbp, inr, brl, jpy',
    }),
  );

/** A prefixed id. */
export function idOf(prefix: string, label: string) {
  return z
    .string()
    .max(100)
    .regex(new RegExp(`^${prefix}_[A-Za-z0-9]+$`), `${label} id must look like ${prefix}_…`);
}
