/**
 * Amounts in a reply's sentence, as the claim checker compares them with what backs it: money in integer minor
 * units with its currency ("$1.5k", "€40", "forty dollars", "fifty quid", "Rs 800"), a percentage ("20% off",
 * "twenty percent", "half off") or a number of free months ("3 months free", "a free month").
 *
 * Number words are parsed here (a small table, no dependency): `words-to-numbers` works on Node 20 but pulls
 * babel-runtime 6 and reads "a refund" as "1 refund", which is worse than no parser for a guard.
 */

/** An amount a claim states. Money is `{ amount: minor units, currency }`; a currency of null was not said. */
export type ClaimAmount = { amount: number; currency: string | null } | { percent: number } | { months: number };

/**
 * Number words and their values: the one table the request parser (src/agent/builtin/entities.ts) and the claim
 * checker share. "a" and "an" are here for "a hundred"; {@link wordsToNumber} counts them only before a scale.
 */
export const NUMBER_WORD_VALUES: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Scale words: "a hundred", "two thousand", "five grand", "ten k". */
export const NUMBER_SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000, grand: 1000, k: 1000 };

/**
 * The value of a run of number words ("one hundred and twenty-five" is 125, "twenty-five" 25); undefined when it
 * is not one. "a" and "an" count only before a scale word: "a hundred" is 100, but "a forty dollar credit" is 40
 * and "a" alone is no number.
 */
export function wordsToNumber(words: string): number | undefined {
  const parts = words
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((part) => part && part !== 'and');
  if (parts.length === 0) return undefined;
  let total = 0;
  let current = 0;
  let seen = false;
  for (const [index, part] of parts.entries()) {
    if ((part === 'a' || part === 'an') && NUMBER_SCALES[parts[index + 1] ?? ''] === undefined) continue;
    const small = NUMBER_WORD_VALUES[part];
    const scale = NUMBER_SCALES[part];
    if (small !== undefined) {
      current += small;
      seen = true;
    } else if (scale === 100) current = (current || 1) * 100;
    else if (scale !== undefined) {
      total += (current || 1) * scale;
      current = 0;
      seen = true;
    } else return undefined;
  }
  return seen ? total + current : undefined;
}

/** One number word, longest first so "fourteen" is not read as "four" (no single letters: "k" only after digits). */
const NUMBER_WORD = `(?:${[...Object.keys(NUMBER_WORD_VALUES), ...Object.keys(NUMBER_SCALES)]
  .filter((word) => word !== 'k')
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
/** A run of number words: "forty", "twenty-five", "one hundred and fifty", "a thousand". */
const NUMBER_WORDS = `${NUMBER_WORD}(?:(?:\\s+and\\s+|[\\s-]+)${NUMBER_WORD})*`;

/** Currency symbols and codes, by ISO code (lower case, as the ledger keeps them); null for an ambiguous "kr". */
const SYMBOLS: [RegExp, string | null][] = [
  [/^(?:us\$|\$|usd)$/i, 'usd'],
  [/^(?:€|eur)$/i, 'eur'],
  [/^(?:£|gbp)$/i, 'gbp'],
  [/^(?:₹|rs\.?|inr)$/i, 'inr'],
  [/^(?:r\$|brl)$/i, 'brl'],
  [/^(?:¥|jpy)$/i, 'jpy'],
  [/^(?:a\$|au\$|aud)$/i, 'aud'],
  [/^(?:c\$|ca\$|cad)$/i, 'cad'],
  [/^(?:nz\$|nzd)$/i, 'nzd'],
  [/^(?:hk\$|hkd)$/i, 'hkd'],
  [/^(?:s\$|sg\$|sgd)$/i, 'sgd'],
  [/^(?:mx\$|mxn)$/i, 'mxn'],
  [/^(?:chf|fr\.?)$/i, 'chf'],
  [/^(?:sek)$/i, 'sek'],
  [/^(?:nok)$/i, 'nok'],
  [/^(?:dkk)$/i, 'dkk'],
  [/^(?:zł|pln)$/i, 'pln'],
  [/^(?:zar)$/i, 'zar'],
  [/^(?:aed)$/i, 'aed'],
  [/^kr\.?$/i, null],
];
const WORDS: [RegExp, string | null][] = [
  [/^(?:(?:australian|aussie)\s+dollars?|aud)$/i, 'aud'],
  [/^(?:canadian\s+dollars?|cad)$/i, 'cad'],
  [/^(?:new\s+zealand\s+dollars?|nzd)$/i, 'nzd'],
  [/^(?:hong\s+kong\s+dollars?|hkd)$/i, 'hkd'],
  [/^(?:singapore(?:an)?\s+dollars?|sgd)$/i, 'sgd'],
  [/^(?:(?:us\s+|american\s+)?dollars?|bucks?|usd)$/i, 'usd'],
  [/^(?:euros?|eur)$/i, 'eur'],
  [/^(?:pounds?|quid|sterling|gbp)$/i, 'gbp'],
  [/^(?:rupees?|inr)$/i, 'inr'],
  [/^(?:reais|reals?|brl)$/i, 'brl'],
  [/^(?:yen|jpy)$/i, 'jpy'],
  [/^(?:(?:swiss\s+)?francs?|chf)$/i, 'chf'],
  [/^(?:kronor|sek)$/i, 'sek'],
  [/^(?:nok)$/i, 'nok'],
  [/^(?:dkk)$/i, 'dkk'],
  [/^(?:z[lł]oty|zł|pln)$/i, 'pln'],
  [/^(?:rand|zar)$/i, 'zar'],
  [/^(?:dirhams?|aed)$/i, 'aed'],
  [/^(?:pesos?|mxn)$/i, 'mxn'],
];
const ZERO_DECIMAL = new Set(['jpy']);

function currencyOf(token: string | undefined, table: [RegExp, string | null][]): string | null {
  if (!token) return null;
  const trimmed = token.trim().replace(/\s+/g, ' ');
  return table.find(([pattern]) => pattern.test(trimmed))?.[1] ?? null;
}

/**
 * Digits as people write amounts: "1,200.50" (US/UK), "1,49,999" (Indian lakh grouping), "1.250,00" and "40,50"
 * (a decimal comma), "1200".
 */
const DIGITS = String.raw`\d{1,3}(?:\.\d{3})+,\d{1,2}(?!\d)|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{2}(?![\d,])|\d+(?:\.\d+)?`;
const MULTIPLIER = String.raw`\s?(?:k|K|grand|thousand|m|M|million|lakhs?|lacs?|crores?)\b`;
const PREFIX = String.raw`(?<![A-Za-z])(?:US|AU|A|CA|C|NZ|HK|SG|S|MX|R)\$|(?<![A-Za-z])Rs\.?\s?|[$€£₹¥]|\b(?:USD|EUR|GBP|INR|BRL|JPY|AUD|CAD|NZD|HKD|SGD|MXN|CHF|SEK|NOK|DKK|PLN|ZAR|AED)\s?`;
const SUFFIX_WORD = `(?:australian|aussie|canadian|new\\s+zealand|hong\\s+kong|singapore(?:an)?|us|american)\\s+dollars?|dollars?|bucks?|euros?|pounds?|quid|sterling|rupees?|reais|reals?|yen|(?:swiss\\s+)?francs?|kronor|kr|z[lł]oty|rand|dirhams?|pesos?|USD|EUR|GBP|INR|BRL|JPY|AUD|CAD|NZD|HKD|SGD|MXN|CHF|SEK|NOK|DKK|PLN|ZAR|AED`;
/** Symbols written after the digits: "1.250,00 €", "40€", "120 zł". */
const SUFFIX_SYMBOL = `[€£₹¥]|zł`;

/** The value of digits in any of the {@link DIGITS} forms. */
function digitsValue(digits: string): number {
  if (/^\d{1,3}(?:\.\d{3})+,\d{1,2}$/.test(digits)) return Number(digits.replace(/\./g, '').replace(',', '.'));
  if (/^\d+,\d{2}$/.test(digits)) return Number(digits.replace(',', '.'));
  return Number(digits.replace(/,/g, ''));
}

/** "$40", "€1,200.50", "$1.5k", "Rs 800", "40 EUR", "40 dollars", "forty dollars", "a hundred quid". */
const MONEY = new RegExp(
  [
    String.raw`(?<prefix>${PREFIX})\s?(?<digits>${DIGITS})(?<mult>${MULTIPLIER})?`,
    String.raw`\b(?<digits2>${DIGITS})(?<mult2>${MULTIPLIER})?\s?(?:(?<suffix>${SUFFIX_WORD})\b|(?<suffixSymbol>${SUFFIX_SYMBOL}))`,
    String.raw`\b(?<words>${NUMBER_WORDS})\s+(?<suffix2>${SUFFIX_WORD})\b`,
  ].join('|'),
  'gi',
);
const PERCENT = new RegExp(
  String.raw`\b(?:(?<digits>\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b|per\s?cent\b)|(?<words>${NUMBER_WORDS})\s?(?:percent|per\s?cent)\b|(?<half>half)\s+(?:off|price)\b)`,
  'gi',
);
const MONTHS = new RegExp(
  String.raw`\b(?:(?<digits>\d{1,2})|(?<words>${NUMBER_WORDS}))\s+(?:free\s+)?months?\s+(?:(?:for\s+)?free|on\s+(?:us|the house)|at\s+no\s+(?:cost|charge))\b|\b(?:a|one|an\s+extra|(?<lead>first|next))\s+(?:free\s+)?month\s+(?:(?:for\s+)?free|on\s+(?:us|the house))\b|\ba\s+free\s+month\b|\b(?<words2>${NUMBER_WORDS}|\d{1,2})\s+free\s+months?\b`,
  'gi',
);

function multiplier(text: string | undefined): number {
  if (!text) return 1;
  const word = text.trim().toLowerCase();
  if (word === 'k' || word === 'grand' || word === 'thousand') return 1_000;
  if (word === 'm' || word === 'million') return 1_000_000;
  if (word.startsWith('lakh') || word.startsWith('lac')) return 100_000;
  if (word.startsWith('crore')) return 10_000_000;
  return 1;
}

function toMinor(value: number, currency: string | null): number {
  return Math.round(value * (currency && ZERO_DECIMAL.has(currency) ? 1 : 100));
}

/** Every money amount in `sentence`, in minor units. */
export function moneyAmounts(sentence: string): { amount: number; currency: string | null }[] {
  const found: { amount: number; currency: string | null }[] = [];
  for (const match of sentence.matchAll(MONEY)) {
    const groups = match.groups ?? {};
    if (groups.words !== undefined) {
      // "a dollar" or "one pound" alone is a figure of speech more often than an amount; keep it anyway (flag).
      const value = wordsToNumber(groups.words);
      const currency = currencyOf(groups.suffix2, WORDS);
      if (value !== undefined) found.push({ amount: toMinor(value, currency), currency });
      continue;
    }
    const digits = groups.digits ?? groups.digits2;
    if (digits === undefined) continue;
    const currency = groups.prefix
      ? currencyOf(groups.prefix, SYMBOLS)
      : groups.suffixSymbol
        ? currencyOf(groups.suffixSymbol, SYMBOLS)
        : currencyOf(groups.suffix, WORDS);
    const value = digitsValue(digits) * multiplier(groups.mult ?? groups.mult2);
    if (Number.isFinite(value)) found.push({ amount: toMinor(value, currency), currency });
  }
  return found;
}

/** Every percentage in `sentence` ("20%", "twenty percent", "half off" is 50). */
export function percentAmounts(sentence: string): number[] {
  const found: number[] = [];
  for (const match of sentence.matchAll(PERCENT)) {
    const groups = match.groups ?? {};
    const value = groups.half ? 50 : groups.digits ? Number(groups.digits) : wordsToNumber(groups.words ?? '');
    if (value !== undefined && Number.isFinite(value)) found.push(value);
  }
  return found;
}

/** Every number of free months in `sentence` ("3 months free", "a free month", "two months on us"). */
export function freeMonths(sentence: string): number[] {
  const found: number[] = [];
  for (const match of sentence.matchAll(MONTHS)) {
    const groups = match.groups ?? {};
    const words = groups.words ?? groups.words2;
    const value = groups.digits
      ? Number(groups.digits)
      : words
        ? /^\d+$/.test(words)
          ? Number(words)
          : wordsToNumber(words)
        : 1;
    if (value !== undefined && value > 0) found.push(value);
  }
  return found;
}

/**
 * The amount a claim states: the largest money amount (the hardest to back, so a guard errs safe), else the
 * largest percentage, else the most free months; undefined when it states none.
 */
export function claimAmount(sentence: string): ClaimAmount | undefined {
  const money = moneyAmounts(sentence).sort((a, b) => b.amount - a.amount)[0];
  if (money) return money;
  const percent = percentAmounts(sentence).sort((a, b) => b - a)[0];
  if (percent !== undefined) return { percent };
  const months = freeMonths(sentence).sort((a, b) => b - a)[0];
  if (months !== undefined) return { months };
  return undefined;
}
