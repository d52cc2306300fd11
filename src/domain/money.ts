/**
 * Money is an integer amount of a currency's minor unit plus an ISO 4217 code. No float ever holds money.
 *
 * Rounding rules (docs/money.md): a single derived amount (a percentage, a proration, tax) rounds half away
 * from zero to the minor unit; splitting one amount into parts uses the largest-remainder method so the
 * parts always add back up to the whole.
 */

/** Currencies Leash supports, with the number of decimals in their minor unit. */
export const CURRENCY_EXPONENTS = { usd: 2, eur: 2, gbp: 2, inr: 2, brl: 2, jpy: 0 } as const;

/** A supported ISO 4217 currency code, lower case like Stripe's. */
export type Currency = keyof typeof CURRENCY_EXPONENTS;

/** An amount in minor units (cents, pence, paise, yen) of one currency. */
export interface Money {
  readonly amount: number;
  readonly currency: Currency;
}

/** The supported currency codes. */
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** The currency Leash bills customers of a country in by default (ISO country code → currency). */
export const COUNTRY_CURRENCIES: Readonly<Record<string, Currency>> = {
  US: 'usd',
  GB: 'gbp',
  DE: 'eur',
  FR: 'eur',
  PL: 'eur',
  ES: 'eur',
  IT: 'eur',
  NL: 'eur',
  IN: 'inr',
  BR: 'brl',
  JP: 'jpy',
};

/** True when `code` is a supported currency (any case). */
export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code.toLowerCase());
}

/** Normalises a currency code ("USD" → "usd"); throws on an unsupported one. */
export function toCurrency(code: string): Currency {
  const lower = code.toLowerCase();
  if (!isCurrency(lower)) throw new RangeError(`unsupported currency: ${code}`);
  return lower;
}

/** Asserts a minor-unit amount is a safe integer. */
export function assertMinorUnits(amount: number, label = 'amount'): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${label} must be an integer number of minor units`);
}

/** Builds a Money value, checking the amount is an integer of minor units. */
export function money(amount: number, currency: Currency | string): Money {
  assertMinorUnits(amount);
  return { amount, currency: toCurrency(currency) };
}

/** Adds amounts of the same currency; throws on a mismatch. */
export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

/** Throws when two amounts are in different currencies. */
export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

/** Rounds a rational number half away from zero to an integer. */
export function roundHalfAwayFromZero(value: number): number {
  const rounded = Math.round(Math.abs(value));
  return value < 0 ? -rounded : rounded;
}

/**
 * Multiplies an integer amount by numerator/denominator exactly (BigInt) and rounds half away from zero.
 * Used for prorations (seconds used / seconds in period) and percentages (basis points / 10 000).
 */
export function mulDiv(amount: number, numerator: number, denominator: number): number {
  assertMinorUnits(amount);
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new RangeError('mulDiv needs integer numerator and non-zero integer denominator');
  }
  const product = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = product < 0n !== d < 0n;
  const absProduct = product < 0n ? -product : product;
  const absD = d < 0n ? -d : d;
  let quotient = absProduct / absD;
  if ((absProduct % absD) * 2n >= absD) quotient += 1n;
  const result = Number(negative ? -quotient : quotient);
  return result === 0 ? 0 : result;
}

/** A percentage of an amount, in basis points (2000 = 20%), rounded half away from zero. */
export function percentOf(amount: number, basisPoints: number): number {
  return mulDiv(amount, basisPoints, 10_000);
}

/**
 * Splits `total` into parts proportional to `weights` with the largest-remainder method: the parts are
 * integers and always sum to `total` exactly.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertMinorUnits(total, 'total');
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (weights.length === 0) return [];
  if (weightSum <= 0) throw new RangeError('allocate needs positive weights');
  const sign = total < 0 ? -1 : 1;
  const abs = BigInt(Math.abs(total));
  const bigWeights = weights.map((w) => BigInt(w));
  const bigSum = BigInt(weightSum);
  const floors = bigWeights.map((w) => (abs * w) / bigSum);
  const remainders = bigWeights.map((w, i) => ({ i, r: (abs * w) % bigSum }));
  let left = abs - floors.reduce((s, f) => s + f, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    floors[i] = (floors[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return floors.map((f) => sign * Number(f));
}

/**
 * Parses a decimal string in major units ("12.34", "1,234", "¥500" is not handled here) into minor units,
 * refusing more decimals than the currency has. Returns undefined when the text is not a plain amount.
 */
export function parseMajorUnits(text: string, currency: Currency): number | undefined {
  const cleaned = text.replace(/[,_\s]/g, '');
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) return undefined;
  const exponent = CURRENCY_EXPONENTS[currency];
  const fraction = match[3] ?? '';
  if (fraction.length > exponent) return undefined;
  const minor = BigInt((match[2] ?? '0') + fraction.padEnd(exponent, '0'));
  const value = Number(match[1] ? -minor : minor);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Formats money for people, e.g. `$1,245.00`, `¥500`, `₹2,999.00` (edge-only; never parse this back). */
export function formatMoney(value: Money, locale = 'en-US'): string {
  const exponent = CURRENCY_EXPONENTS[value.currency];
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format((value.amount || 0) / 10 ** exponent); // `|| 0`: a negative zero would print "-$0.00"
}
