/** Fail-closed checks of the money an action moves: integer minor units, known currency, within what exists. */
import { isCurrency } from '../domain/money.ts';

/** The facts about money the gate checks. */
export interface MoneyFacts {
  money?: { amount: number; currency: string } | undefined;
  refundableRemaining?: number | undefined;
  chargeCurrency?: string | undefined;
  customerCurrency?: string | undefined;
}

/** Reasons the money in a request is invalid (empty when it is fine). */
export function moneyProblems(kind: string, facts: MoneyFacts): { policyId: string; message: string }[] {
  const money = facts.money;
  if (!money) {
    return kind === 'money.refund' || kind === 'money.credit'
      ? [{ policyId: 'money.missing', message: 'a money action must say how much' }]
      : [];
  }
  const { amount, currency } = money as { amount: unknown; currency: unknown };
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    return [{ policyId: 'money.not_integer', message: 'the amount must be a whole number of minor units' }];
  }
  if (amount <= 0) return [{ policyId: 'money.not_positive', message: 'the amount must be more than zero' }];
  if (typeof currency !== 'string' || !isCurrency(currency))
    return [{ policyId: 'money.currency_unknown', message: `unsupported currency ${String(currency)}` }];
  const problems: { policyId: string; message: string }[] = [];
  if (kind === 'money.refund') {
    if (facts.chargeCurrency === undefined || facts.refundableRemaining === undefined) {
      problems.push({
        policyId: 'refund.facts_missing',
        message: 'the charge behind this refund could not be established',
      });
    } else {
      if (currency !== facts.chargeCurrency) {
        problems.push({
          policyId: 'refund.currency_mismatch',
          message: `the charge is in ${facts.chargeCurrency.toUpperCase()}, not ${currency.toUpperCase()}`,
        });
      }
      if (amount > facts.refundableRemaining) {
        problems.push({
          policyId: 'refund.above_remainder',
          message: `only ${facts.refundableRemaining} (minor units) of this charge is still refundable`,
        });
      }
    }
  }
  if (kind === 'money.credit' && facts.customerCurrency !== undefined && currency !== facts.customerCurrency) {
    problems.push({
      policyId: 'credit.currency_mismatch',
      message: `the customer is billed in ${facts.customerCurrency.toUpperCase()}, not ${currency.toUpperCase()}`,
    });
  }
  return problems;
}
