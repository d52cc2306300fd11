/** The rules file (policies/rules.yaml): caps, daily limits, bulk threshold and approval routing, validated by zod. */
import { z } from 'zod';
import { APPROVER_GROUPS, ROLES } from '../domain/roles.ts';
import { ACTION_KINDS } from './action-kinds.ts';

const currencyCaps = z.record(z.enum(['usd', 'eur', 'gbp', 'inr', 'brl', 'jpy']), z.number().int().positive());

const approvalRule = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_.-]+$/),
    kinds: z.array(z.enum(ACTION_KINDS)).optional(),
    operations: z.array(z.string().regex(/^[a-z][a-z0-9_]+$/)).optional(),
    when: z.enum(['billing_promise', 'tax_or_legal']).optional(),
    /** Only when the request changes one of these fields (an update that changes only others is not routed). */
    fields: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*$/))
      .min(1)
      .optional(),
    groups: z.array(z.enum(APPROVER_GROUPS)),
    roles: z.array(z.enum(ROLES)),
    why: z.string().min(1),
  })
  .strict()
  .refine(
    (rule) => (rule.kinds?.length ?? 0) + (rule.operations?.length ?? 0) > 0,
    'an approval rule names kinds or operations',
  );

/** The schema of rules.yaml. */
export const rulesSchema = z
  .object({
    caps: z.object({ billing_manager: currencyCaps, billing_clerk: currencyCaps }).strict(),
    daily_limit_multiplier: z.number().int().min(1).max(100),
    /** All members together, per customer, per kind, in 24 h: this many times the actor's cap (default: as above). */
    per_customer_daily_multiplier: z.number().int().min(1).max(100).optional(),
    /** Mail to a customer address changed less than this many hours ago needs approval (default 72). */
    email_change_hold_hours: z
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .optional(),
    bulk_threshold: z.number().int().min(1),
    approval_ttl_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    default_profile: z.enum(['short-leash', 'caps']),
    profiles: z
      .object({
        'short-leash': z.object({ approvals: z.array(approvalRule) }).strict(),
        caps: z.object({ approvals: z.array(approvalRule) }).strict(),
      })
      .strict(),
  })
  .strict();

/** The parsed rules. */
export type PolicyRules = z.infer<typeof rulesSchema>;
/** One approval rule. */
export type ApprovalRule = z.infer<typeof approvalRule>;

/** A role's per-transaction cap in a currency; undefined means none (the owner) and 0 means no money at all. */
export function capOf(rules: PolicyRules, role: string, currency: string): number | undefined {
  if (role === 'owner') return undefined;
  if (role === 'billing_manager' || role === 'billing_clerk') {
    return (rules.caps[role] as Record<string, number | undefined>)[currency] ?? 0;
  }
  return 0;
}
