/**
 * Deterministic card payments: the same customer, invoice, attempt and day always give the same outcome.
 * Failure rates and reasons differ by region the way card networks' do; expired cards always fail.
 * Cards ending like Stripe's test cards behave like them (4242 always pays, 0002 is declined, 9995 has
 * insufficient funds, 0019 is blocked as fraud), so tests and walkthroughs get the outcome they ask for.
 */
import { createHash } from 'node:crypto';
import type { Customer, FailureCode } from '../../../domain/billing.ts';

/** The outcome of one attempt. */
export type PaymentOutcome = { ok: true } | { ok: false; code: FailureCode; message: string };

/** Failure rate (per 10 000 first attempts) and the mix of reasons, by country. */
const REGIONS: Record<string, { rate: number; mix: [FailureCode, number][] }> = {
  US: {
    rate: 300,
    mix: [
      ['card_declined', 45],
      ['insufficient_funds', 40],
      ['processing_error', 10],
      ['fraudulent', 5],
    ],
  },
  GB: {
    rate: 280,
    mix: [
      ['card_declined', 50],
      ['insufficient_funds', 38],
      ['processing_error', 8],
      ['fraudulent', 4],
    ],
  },
  DE: {
    rate: 250,
    mix: [
      ['card_declined', 55],
      ['insufficient_funds', 35],
      ['processing_error', 7],
      ['fraudulent', 3],
    ],
  },
  FR: {
    rate: 320,
    mix: [
      ['card_declined', 55],
      ['insufficient_funds', 33],
      ['processing_error', 8],
      ['fraudulent', 4],
    ],
  },
  PL: {
    rate: 500,
    mix: [
      ['insufficient_funds', 50],
      ['card_declined', 40],
      ['processing_error', 7],
      ['fraudulent', 3],
    ],
  },
  IN: {
    rate: 900,
    mix: [
      ['insufficient_funds', 48],
      ['card_declined', 42],
      ['processing_error', 7],
      ['fraudulent', 3],
    ],
  },
  BR: {
    rate: 1000,
    mix: [
      ['card_declined', 45],
      ['processing_error', 25],
      ['insufficient_funds', 27],
      ['fraudulent', 3],
    ],
  },
};
const DEFAULT_REGION = {
  rate: 400,
  mix: [
    ['card_declined', 50],
    ['insufficient_funds', 40],
    ['processing_error', 7],
    ['fraudulent', 3],
  ] as [FailureCode, number][],
};

const MESSAGES: Record<FailureCode, string> = {
  expired_card: 'Your card has expired.',
  insufficient_funds: 'Your card has insufficient funds.',
  card_declined: 'Your card was declined.',
  fraudulent: 'The payment was blocked as likely fraud.',
  processing_error: 'An error occurred while processing your card.',
};

/** Stripe's well-known test card endings and what they always do. */
const TEST_CARDS: Record<string, PaymentOutcome> = {
  '4242': { ok: true },
  '0002': { ok: false, code: 'card_declined', message: MESSAGES.card_declined },
  '9995': { ok: false, code: 'insufficient_funds', message: MESSAGES.insufficient_funds },
  '0019': { ok: false, code: 'fraudulent', message: MESSAGES.fraudulent },
};

/** A number in [0, 1) from a hash of the parts. */
export function uniform(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The message a failure code shows to people. */
export function failureMessage(code: FailureCode): string {
  return MESSAGES[code];
}

/** Simulates a card payment of an invoice by a customer. `attempt` starts at 1. */
export function simulatePayment(customer: Customer, invoiceId: string, attempt: number, at: Date): PaymentOutcome {
  const card = customer.paymentMethod;
  if (!card) return { ok: false, code: 'card_declined', message: 'No card on file.' };
  const cardEnd = Date.UTC(card.expYear, card.expMonth, 1);
  if (cardEnd <= at.getTime()) return { ok: false, code: 'expired_card', message: MESSAGES.expired_card };
  const testCard = TEST_CARDS[card.last4];
  if (testCard) return testCard;
  const region = REGIONS[customer.country] ?? DEFAULT_REGION;
  const risk = customer.metadata.payment_risk === 'high' ? 4 : 1;
  // Retries fail less often: funds arrive, temporary declines clear.
  const retryFactor = attempt <= 1 ? 1 : 0.55;
  const rate = Math.min(0.95, (region.rate / 10_000) * risk * retryFactor);
  const roll = uniform(customer.id, invoiceId, attempt, at.toISOString().slice(0, 10));
  if (roll >= rate) return { ok: true };
  const weights = region.mix.reduce((sum, [, weight]) => sum + weight, 0);
  let pick = uniform('reason', customer.id, invoiceId, attempt) * weights;
  for (const [code, weight] of region.mix) {
    pick -= weight;
    if (pick < 0) return { ok: false, code, message: MESSAGES[code] };
  }
  return { ok: false, code: 'card_declined', message: MESSAGES.card_declined };
}

/** Days after the first failure at which attempts 2, 3 and 4 happen; after the 4th failure the invoice is given up. */
export const DUNNING_RETRY_DAYS = [3, 5, 7] as const;
/** The attempt after which a failing invoice is marked uncollectible and its subscription canceled. */
export const MAX_PAYMENT_ATTEMPTS = 4;
