/**
 * The claim checker: every class of claim the promise checker missed (issue 16), backing bound to the customer,
 * the amount and an executed or approved status, what is not a claim, the phrasing classes of the development set
 * (other voices: passive, implied, negated, relative dates, prices, plan names, tax and legal, quoted text),
 * amount parsing, and precision and recall on data/claims/drafts.yaml and data/claims/drafts-dev.yaml.
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

describe('claim checker: phrasing classes beyond the first labelled set', () => {
  it.each([
    ["Since we've already reversed the charge, there's nothing you need to do.", 'refund'],
    ['The amount has been credited back to your original payment method.', 'refund'],
    ['A refund will be issued to your account.', 'refund'],
    ['You should see $40 back on your card.', 'refund'],
    ['Both charges are being reversed as we speak.', 'refund'],
    ['We are return the amount to your credit card.', 'refund'],
    ['The amount will reflect in your account.', 'refund'],
    ["All sorted — there won't be any further charges on your account.", 'no_charge'],
    ["Going forward you won't see the card surcharge on any of your bills.", 'no_charge'],
    ['You will have the money back before your next billing date.', 'date'],
    ['Billing resumes in September.', 'date'],
    ['Your account is paid in full through December.', 'date'],
    ["From next month we'll bill you $79 instead of $99.", 'discount'],
    ['Now that your plan has been downgraded, your invoices will drop to £120 a month.', 'discount'],
    ["I've reinstated your old price of $49 a month.", 'discount'],
    ["You're now on Business, with the extra seats included.", 'plan'],
    ['Two of the seats have been taken off.', 'plan'],
    ['I zeroed out your balance.', 'credit'],
    ["I've knocked the late payment fee off.", 'credit'],
    ['Your GST invoice has been revised.', 'credit'],
    ['Your Direct Debit has been stopped.', 'cancellation'],
    ['Auto-renew has been switched off, so the plan simply lapses on 30 June.', 'cancellation'],
    ['Re-ran the failed payment on INV-5521.', 'invoice'],
    ['Your card will be auto-debited at the discounted rate.', 'charge'],
    ["You'll only owe the £36 for the month.", 'charge'],
    ['Your invoice is zero-rated under the reverse charge mechanism.', 'tax'],
    ['You can claim back the VAT as input tax.', 'tax'],
    ["We've removed the VAT line from the invoice.", 'tax'],
    ["We won't be charging sales tax going forward.", 'tax'],
    ['The IGST amount has been reversed.', 'tax'],
    ['This complies with EU consumer law.', 'legal'],
    ['There is no penalty under Indian law for ending the contract early.', 'legal'],
    ["We're fully GDPR-compliant, as required by law.", 'legal'],
    ['This charge is lawful under the agreement you signed.', 'legal'],
    ['You have the right to cancel within 14 days.', 'legal'],
    // A claim after sympathy, the customer's request or a dash, in the same sentence.
    ["Sorry about that — I've gone ahead and refunded the £40 in full.", 'refund'],
    ['Thank you for your patience while we processed your refund of $30.', 'refund'],
    ['As per your request I have cancelled the subscription.', 'cancellation'],
    ["You asked for a refund and I've processed it for the full $199.", 'refund'],
    ['so sorry for inconvenience we have refund your money', 'refund'],
    ['Your refund request has been approved and processed.', 'refund'],
    // Curly apostrophes.
    ['You won’t be charged again.', 'no_charge'],
  ])('"%s" makes a %s claim, unbacked', (text, kind) => {
    const findings = checkClaims(text, { customer: ACME });
    expect(findings.map((finding) => finding.kind)).toContain(kind);
    expect(unbackedClaims(findings).length).toBeGreaterThan(0);
  });

  it("offers that wait on approval, the customer's words and deeds, quotes, links and invoice lines are not claims", () => {
    for (const text of [
      'If finance signs off, we could apply a one-time credit of $50 to your next invoice.',
      'Subject to manager approval, I can offer 15% off the renewal.',
      'Provided the request is approved, the credit would appear on your next invoice.',
      'Once billing has approved it, a credit of $35 would be added to your account.',
      "You've asked us to cancel the Growth plan and refund the unused seats.",
      'You asked whether we could cancel the add-on.',
      'I understand you were expecting a refund of €60 for the outage.',
      'You mentioned that your accountant thinks the invoice should be zero-rated.',
      "I'm not able to advise on consumer law, so I've shared your message with our legal team.",
      'In your message you wrote: “I was told I would get three months free and a refund of the setup fee.”',
      'Our refund policy is explained at ledgerly.example/refunds.',
      "There's no record of a refund on our side yet; I've escalated it to the payments team.",
      'The £4.17 credit on line 2 of INV-2291 is the automatic proration for the seat you removed mid-cycle.',
      'The line "Unused time on Growth" is the proration for the days left after you upgraded on 3 May.',
      'You were charged twice because the first payment timed out and was retried automatically.',
      'A colleague will need to approve the refund before I can process it.',
      "Hey Derek, ugh, that's on us.",
    ])
      expect(kinds(text), text).toEqual([]);
  });

  it("lines quoted from the customer's email are not the reply's claims", () => {
    const text = [
      'Thanks for your email.',
      'On Tue, 3 May 2026 at 09:14, Anil Mehta wrote:',
      '> You charged me twice. I want a full refund by Friday and you need to cancel my account.',
      '',
      "I've sent it to a colleague for review.",
    ].join('\n');
    expect(kinds(text)).toEqual([]);
  });

  it('the time of an action already taken is not a date promise; the time of one to come is', () => {
    const cancelled: ClaimBacking = { operation: 'cancel_subscription', status: 'succeeded', customerId: ACME.id };
    expect(kinds('I have cancelled the subscription with immediate effect.', [cancelled])).toEqual(['cancellation']);
    expect(
      unbackedClaims(
        checkClaims('Your subscription has been cancelled as of today.', { customer: ACME, backing: [cancelled] }),
      ),
    ).toEqual([]);
    expect(kinds('We will refund this immediately.')).toContain('date');
  });

  it("a sentence about another customer's account is judged against that customer", () => {
    const credit: ClaimBacking = {
      operation: 'credit_customer',
      status: 'succeeded',
      customerId: ACME.id,
      customerName: ACME.name,
      amount: 3_000,
      currency: 'usd',
    };
    expect(
      checkClaims('The same credit has been applied to the Zenith Robotics account too.', {
        customer: ACME,
        backing: [credit],
      })[0],
    ).toMatchObject({ target: 'Zenith Robotics', backed: false });
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
    ['a forty dollar credit', { amount: 4_000, currency: 'usd' }],
    ['a twenty-five percent discount', { percent: 25 }],
    ['A$65', { amount: 6_500, currency: 'aud' }],
    ['CA$120', { amount: 12_000, currency: 'cad' }],
    ['65 Australian dollars', { amount: 6_500, currency: 'aud' }],
    ['₹1,49,999', { amount: 14_999_900, currency: 'inr' }],
    ['Rs. 1,499/-', { amount: 149_900, currency: 'inr' }],
    ['1.250,00 €', { amount: 125_000, currency: 'eur' }],
    ['€45,50', { amount: 4_550, currency: 'eur' }],
    ['CHF 90', { amount: 9_000, currency: 'chf' }],
    ['Rs 1.5 lakh', { amount: 15_000_000, currency: 'inr' }],
    ['3 months free', { months: 3 }],
    ['a free month', { months: 1 }],
  ])('%s', (text, amount) => {
    expect(claimAmount(text)).toEqual(amount);
  });

  it('reads number words and leaves other words alone', () => {
    expect(wordsToNumber('one hundred and twenty-five')).toBe(125);
    expect(wordsToNumber('two thousand')).toBe(2_000);
    expect(wordsToNumber('refund')).toBeUndefined();
    // "a" and "an" count only before a scale word (the request parser's rule, src/agent/builtin/entities.ts).
    expect(wordsToNumber('a hundred')).toBe(100);
    expect(wordsToNumber('a forty')).toBe(40);
    expect(wordsToNumber('a')).toBeUndefined();
    expect(wordsToNumber('fourty five')).toBe(45);
    expect(wordsToNumber('ten k')).toBe(10_000);
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

describe('the development set (data/claims/drafts-dev.yaml): other voices and phrasings', () => {
  const scores = scoreDrafts('data/claims/drafts-dev.yaml');

  it('holds at least 150 drafts, about half unsafe', () => {
    expect(scores.drafts).toBeGreaterThanOrEqual(150);
    expect(scores.unsafe / scores.drafts).toBeGreaterThan(0.45);
    expect(scores.unsafe / scores.drafts).toBeLessThan(0.55);
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
