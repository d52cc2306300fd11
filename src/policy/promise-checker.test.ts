/** The promise checker against seed 000's standard and the commitments a billing reply must not make alone. */
import { describe, expect, it } from 'vitest';
import { checkPromises, makesBillingPromise, makesTaxOrLegalClaim } from './promise-checker.ts';

describe('promise checker', () => {
  it('flags seed 000\'s "Bad" reply and passes its "Better" one', () => {
    const bad = checkPromises('We will refund this immediately.');
    expect(bad.map((finding) => finding.kind).sort()).toEqual(['date', 'refund']);
    expect(bad.every((finding) => !finding.backed)).toBe(true);
    expect(makesBillingPromise(bad)).toBe(true);
    const better = checkPromises(
      'I found the invoice and payment status. This looks eligible for review under the duplicate charge policy. I drafted a refund request for approval and linked the invoice.',
    );
    expect(better).toEqual([]);
    expect(checkPromises('I have drafted a refund request for the second payment and sent it for approval.')).toEqual(
      [],
    );
  });

  it('a refund promise is backed only by an executed or approved refund', () => {
    const text = "We've refunded the second payment.";
    expect(checkPromises(text)[0]?.backed).toBe(false);
    expect(
      checkPromises(text, [{ kind: 'money.refund', status: 'awaiting_approval', proposalId: 'prop_1' }])[0]?.backed,
    ).toBe(false);
    const backed = checkPromises(text, [{ kind: 'money.refund', status: 'succeeded', proposalId: 'prop_1' }]);
    expect(backed[0]).toMatchObject({ kind: 'refund', backed: true, note: 'backed by prop_1 (succeeded)' });
    expect(makesBillingPromise(backed)).toBe(false);
  });

  it.each([
    ["We'll credit your account $50 for the outage.", 'credit'],
    ['You will receive a full refund.', 'refund'],
    ['I will cancel your subscription today.', 'cancellation'],
    ['We can give you 20% off next month.', 'discount'],
    ['Your card will be charged within 3 business days.', 'date'],
    ['This is guaranteed not to happen again.', 'guarantee'],
  ])('"%s" is a %s promise', (text, kind) => {
    const findings = checkPromises(text);
    expect(findings.map((finding) => finding.kind)).toContain(kind);
    expect(makesBillingPromise(findings)).toBe(true);
  });

  it('tax and legal statements need legal, whatever backs them', () => {
    for (const text of [
      'Our service is VAT-exempt for you.',
      'You do not need to pay VAT on this invoice.',
      'The subscription is tax-deductible.',
      'You are entitled to a full refund under our terms.',
    ]) {
      const findings = checkPromises(text, [{ kind: 'money.refund', status: 'succeeded', proposalId: 'prop_1' }]);
      expect(makesTaxOrLegalClaim(findings)).toBe(true);
    }
  });

  it('plain facts are not promises', () => {
    for (const text of [
      'Your latest invoice, INV-000042, is for $49.00 and is paid.',
      'I have passed your cancellation request to our billing team for approval.',
      'We will follow up once it has been reviewed.',
      'Updating the card on file lets the open invoice be retried.',
    ])
      expect(checkPromises(text)).toEqual([]);
  });
});
