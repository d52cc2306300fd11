/**
 * Cumulative limits (POLICY.md), over a rolling 24 h window: what a member has reserved of one kind and
 * currency in the last 24 hours (not since UTC midnight, so a refund just before midnight and another just after
 * count together), and what every member together has reserved for one customer, so several clerks cannot each
 * spend a day's limit on the same customer. The sums come from the store (src/operations/limits.ts), reserved
 * under a lock with the proposal; this part only compares.
 */
import { formatMoney, isCurrency } from '../domain/money.ts';
import { moneyNoun } from './action-kinds.ts';
import type { DecisionReason, DecisionRequest } from './decision-types.ts';
import type { PolicyRules } from './rules.ts';

const show = (amount: number, currency: string) =>
  isCurrency(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;

/** The limit warnings of a money request, given the actor's per-transaction cap in its currency. */
export function limitWarnings(rules: PolicyRules, request: DecisionRequest, cap: number | undefined): DecisionReason[] {
  const money = request.facts.money;
  if (!money || cap === undefined) return [];
  const noun = moneyNoun(request.kind);
  const warnings: DecisionReason[] = [];
  const used = request.usedToday;
  if (used && used.currency === money.currency) {
    const limit = cap * rules.daily_limit_multiplier;
    const total = used.amount + money.amount;
    if (total > limit) {
      warnings.push({
        policyId: 'limits.daily',
        message: `brings your ${noun}s in the last 24 h to ${show(total, money.currency)}, over your daily limit of ${show(limit, money.currency)}`,
      });
    }
  }
  const forCustomer = request.usedForCustomer;
  if (forCustomer && forCustomer.currency === money.currency) {
    const limit = cap * (rules.per_customer_daily_multiplier ?? rules.daily_limit_multiplier);
    const total = forCustomer.amount + money.amount;
    if (total > limit) {
      warnings.push({
        policyId: 'limits.per_customer',
        message: `brings ${noun}s to customer ${forCustomer.customerId} by all members in the last 24 h to ${show(total, money.currency)}, over the per-customer limit of ${show(limit, money.currency)}`,
      });
    }
  }
  return warnings;
}
