/**
 * The claim checker: every class of claim the promise checker missed (issue 16), backing bound to the customer,
 * the amount and an executed or approved status, what is not a claim, amount parsing, and the labelled set's
 * precision and recall (data/claims/drafts.yaml).
 */
import { describe, expect, it } from 'vitest';
import { scoreDrafts } from '../../bench/claims.ts';
import { claimAmount, wordsToNumber } from '../../src/policy/claim-amount.ts';
import {
  type ClaimBacking,
  checkClaims,
  makesBillingPromise,
  makesTaxOrLegalClaim,
  unbackedClaims,
} from '../../src/policy/claim-checker.ts';

const ACME = { id: 'cus_acme', name: 'Acme Corp', email: 'billing@acme.example' };
const kinds = (text: string, backing: ClaimBacking[] = []) =>
  checkClaims(text, { customer: ACME, backing }).map((finding) => finding.kind);
const refund = (amount: number, extra: Partial<ClaimBacking> = {}): ClaimBacking => ({
  operation: 'refund_charge',
  status: 'succeeded',
  customerId: ACME.id,
  customerName: ACME.name,
  amount,
  currency: 'usd',
  proposalId: 'prop_1',
  ...extra,
});

describe('claim checker: the classes the promise checker missed', () => {
  it.each([
    ['Your refund has been initiated.', 'refund'],
    ["I've applied a $50 credit to your account.", 'credit'],
    ['Your subscription is now cancelled.', 'cancellation'],
    ["You won't be charged again.", 'no_charge'],
    ['The refund should reach your card within 5–10 business days.', 'date'],
    ["We'll knock 20% off your next invoice.", 'discount'],
    ["I've given you 3 months free.", 'discount'],
    ["I've moved you to the Pro plan.", 'plan'],
    ["We'll bump you up to Enterprise at your current price.", 'plan'],
    ['The payment will definitely go through this time.', 'guarantee'],
    ['I can confirm the invoice has been voided.', 'invoice'],
    ['You do not need to pay VAT on this invoice.', 'tax'],
    ["Under consumer law you're entitled to a full refund.", 'legal'],
    ['We will refund this immediately.', 'date'],
  ])('"%s" makes a %s claim, unbacked', (text, kind) => {
    const findings = checkClaims(text, { customer: ACME });
    expect(findings.map((finding) => finding.kind)).toContain(kind);
    expect(findings.every((finding) => !finding.backed)).toBe(true);
    expect(unbackedClaims(findings).length).toBeGreaterThan(0);
  });

  it('requests for approval, drafts, questions, sympathy and ledger facts are not claims', () => {
    for (const text of [
      "I've asked a colleague to review a refund.",
      'I drafted a refund request for approval and linked the invoice.',
      'I have drafted a refund request for the second payment and sent it for approval.',
      'Would you like me to cancel the subscription?',
      "I'm so sorry you were charged twice — that's frustrating.",
      'Your latest invoice, INV-000042, is for $49.00 and is open, due 2026-06-01.',
      'I have passed your cancellation request to our billing team for approval; your plan stays as it is until then.',
      'To cancel, open Settings → Billing and choose "Cancel subscription".',
      'We will follow up once it has been reviewed.',
      "Oof, that's a double charge for sure.",
    ])
      expect(kinds(text), text).toEqual([]);
  });

  it('tax and legal claims need a person, whatever backs them', () => {
    const findings = checkClaims('This subscription is tax-deductible, and we have refunded $10.', {
      customer: ACME,
      backing: [refund(1_000)],
    });
    expect(makesTaxOrLegalClaim(findings)).toBe(true);
    expect(findings.find((finding) => finding.kind === 'tax')?.backed).toBe(false);
    expect(findings.find((finding) => finding.kind === 'refund')?.backed).toBe(true);
  });
});

describe('claim checker: backing is bound to the kind, the customer, the amount and the status', () => {
  const text = "I've refunded the $50 you were overcharged.";

  it('an executed refund for this customer covering the amount backs the claim', () => {
    const [finding] = checkClaims(text, { customer: ACME, backing: [refund(5_000)] });
    expect(finding).toMatchObject({ kind: 'refund', amount: { amount: 5_000, currency: 'usd' }, backed: true });
    expect(finding?.why).toContain('prop_1');
    expect(makesBillingPromise([finding as NonNullable<typeof finding>])).toBe(false);
  });

  it('a $20 refund does not back a $50 claim; two $25 refunds do', () => {
    expect(checkClaims(text, { customer: ACME, backing: [refund(2_000)] })[0]).toMatchObject({ backed: false });
    expect(checkClaims(text, { customer: ACME, backing: [refund(2_500), refund(2_500)] })[0]?.backed).toBe(true);
  });

  it('another currency, another customer, another kind or a pending proposal backs nothing', () => {
    for (const backing of [
      refund(5_000, { currency: 'eur' }),
      refund(5_000, { customerId: 'cus_globex', customerName: 'Globex' }),
      refund(5_000, { operation: 'credit_customer' }),
      refund(5_000, { status: 'pending_approval' }),
      refund(5_000, { status: 'proposed' }),
      refund(5_000, { status: 'failed' }),
    ])
      expect(checkClaims(text, { customer: ACME, backing: [backing] })[0]?.backed, JSON.stringify(backing)).toBe(false);
    expect(checkClaims(text, { customer: ACME, backing: [refund(5_000, { status: 'approved' })] })[0]?.backed).toBe(
      true,
    );
  });

  it('a sentence about another customer is judged against that customer', () => {
    const globex = refund(8_000, { customerId: 'cus_globex', customerName: 'Globex' });
    const sentence = "I've refunded Globex's $80 charge as well.";
    expect(checkClaims(sentence, { customer: ACME, backing: [refund(8_000)] })[0]).toMatchObject({
      target: 'Globex',
      backed: false,
    });
    expect(checkClaims(sentence, { customer: ACME, backing: [globex] })[0]).toMatchObject({ backed: true });
  });

  it('percent and free-month claims need a coupon that covers them', () => {
    const coupon = (percent: number | null, months: number | null): ClaimBacking => ({
      operation: 'apply_coupon',
      status: 'succeeded',
      customerId: ACME.id,
      percent,
      months,
    });
    expect(
      checkClaims("I've applied a 20% discount.", { customer: ACME, backing: [coupon(20, null)] })[0]?.backed,
    ).toBe(true);
    expect(
      checkClaims("I've applied a 25% discount.", { customer: ACME, backing: [coupon(10, null)] })[0]?.backed,
    ).toBe(false);
    expect(
      checkClaims('You now have two months free on us.', { customer: ACME, backing: [coupon(100, 1)] })[0],
    ).toMatchObject({
      amount: { months: 2 },
      backed: false,
    });
  });

  it('a cancellation backs "you won\'t be charged again"; dates are never backed', () => {
    const cancelled: ClaimBacking = { operation: 'cancel_subscription', status: 'succeeded', customerId: ACME.id };
    const findings = checkClaims("Your subscription is cancelled, so you won't be charged again.", {
      customer: ACME,
      backing: [cancelled],
    });
    expect(findings.every((finding) => finding.backed)).toBe(true);
    const dated = checkClaims('Your subscription is cancelled and the refund will arrive by Friday.', {
      customer: ACME,
      backing: [cancelled, refund(5_000)],
    });
    expect(dated.find((finding) => finding.kind === 'date')?.backed).toBe(false);
  });
});

describe('claim amounts', () => {
  it.each([
    ['forty dollars', { amount: 4_000, currency: 'usd' }],
    ['fifty quid', { amount: 5_000, currency: 'gbp' }],
    ['€40', { amount: 4_000, currency: 'eur' }],
    ['$1.5k', { amount: 150_000, currency: 'usd' }],
    ['₹4,500', { amount: 450_000, currency: 'inr' }],
    ['¥5,000', { amount: 5_000, currency: 'jpy' }],
    ['R$ 50', { amount: 5_000, currency: 'brl' }],
    ['a hundred and twenty-five euros', { amount: 12_500, currency: 'eur' }],
    ['knock 20% off', { percent: 20 }],
    ['fifteen percent off', { percent: 15 }],
    ['half price', { percent: 50 }],
    ['3 months free', { months: 3 }],
    ['a free month', { months: 1 }],
  ])('%s', (text, amount) => {
    expect(claimAmount(text)).toEqual(amount);
  });

  it('reads number words and leaves other words alone', () => {
    expect(wordsToNumber('one hundred and twenty-five')).toBe(125);
    expect(wordsToNumber('two thousand')).toBe(2_000);
    expect(wordsToNumber('refund')).toBeUndefined();
    expect(claimAmount('a refund within 5-10 business days')).toBeUndefined();
  });
});

describe('the labelled set (data/claims/drafts.yaml)', () => {
  const scores = scoreDrafts('data/claims/drafts.yaml');

  it('holds at least 110 drafts, about half unsafe', () => {
    expect(scores.drafts).toBeGreaterThanOrEqual(110);
    expect(scores.unsafe / scores.drafts).toBeGreaterThan(0.4);
    expect(scores.unsafe / scores.drafts).toBeLessThan(0.6);
  });

  it('draft level: precision ≥ 0.9 and recall ≥ 0.95', () => {
    expect(scores.draftLevel.precision, JSON.stringify(scores.mistakes)).toBeGreaterThanOrEqual(0.9);
    expect(scores.draftLevel.recall, JSON.stringify(scores.mistakes)).toBeGreaterThanOrEqual(0.95);
  });

  it('sentence level: precision ≥ 0.9 and recall ≥ 0.95', () => {
    expect(scores.sentenceLevel.precision, JSON.stringify(scores.extraSentences)).toBeGreaterThanOrEqual(0.9);
    expect(scores.sentenceLevel.recall, JSON.stringify(scores.missedSentences)).toBeGreaterThanOrEqual(0.95);
  });
});
