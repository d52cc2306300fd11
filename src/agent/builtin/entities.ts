/**
 * What the built-in planner pulls out of a request: customers, invoice references, amounts, countries,
 * counts, reasons, email addresses and coupon codes. Pure text work; resolution against the store happens
 * through read operations.
 */
import { type Currency, parseMajorUnits } from '../../domain/money.ts';
import { NUMBER_SCALES, NUMBER_WORD_VALUES, wordsToNumber } from '../../policy/claim-amount.ts';

const COUNTRIES: Record<string, string> = {
  us: 'US',
  usa: 'US',
  american: 'US',
  'united states': 'US',
  uk: 'GB',
  gb: 'GB',
  british: 'GB',
  'united kingdom': 'GB',
  england: 'GB',
  germany: 'DE',
  german: 'DE',
  de: 'DE',
  france: 'FR',
  french: 'FR',
  poland: 'PL',
  polish: 'PL',
  india: 'IN',
  indian: 'IN',
  brazil: 'BR',
  brasil: 'BR',
  brazilian: 'BR',
  japan: 'JP',
  japanese: 'JP',
  canada: 'CA',
  canadian: 'CA',
  spain: 'ES',
  spanish: 'ES',
  italy: 'IT',
  italian: 'IT',
  netherlands: 'NL',
  dutch: 'NL',
  australia: 'AU',
  australian: 'AU',
  ireland: 'IE',
  irish: 'IE',
  sweden: 'SE',
  swedish: 'SE',
  switzerland: 'CH',
  swiss: 'CH',
  mexico: 'MX',
  mexican: 'MX',
  portugal: 'PT',
  belgium: 'BE',
  austria: 'AT',
  singapore: 'SG',
};

const SYMBOLS: Record<string, Currency> = { $: 'usd', '€': 'eur', '£': 'gbp', '₹': 'inr', '¥': 'jpy', r$: 'brl' };

/** Words that end a customer reference ("for Acme Corp for the outage" → "Acme Corp"). */
const STOP =
  '(?:\\s+(?:for|reason|note|because|due|with|to|from|in|on|this|last|since|over|and|who|that|which|about|saying|at|by|as|after|before|immediately|now|today)\\b|[.?!,;:"]|$)';

/**
 * Number words ("forty", "one hundred and twenty", "twenty-five"; "a"/"an" only before a scale) have one home, the
 * policy layer's amounts (src/policy/claim-amount.ts), shared with the claim checker.
 */
const NUMBER_WORD = `(?:${Object.keys(NUMBER_WORD_VALUES).join('|')}|${Object.keys(NUMBER_SCALES).join('|')}|and)`;

export { wordsToNumber };

/** Digits as written: "1,250.50", "1250", or with a decimal comma "1.000,00" / "565,80". */
const DIGITS = String.raw`\d{1,3}(?:\.\d{3})+,\d{2}(?!\d)|\d+,\d{2}(?![\d,])|\d[\d,]*(?:\.\d{1,2})?`;
const SYMBOL_AMOUNT = new RegExp(`(r\\$|[$€£₹¥])\\s?(${DIGITS})\\s*(k\\b)?`, 'gi');
const CURRENCY_WORDS =
  '(usd|eur|gbp|inr|brl|jpy|(?:us\\s+)?dollars?|bucks?|euros?|pounds?|quid|rupees?|reais|real|yen)';
/** Digits then a symbol ("12,50 £", "5,00 €"). */
const SYMBOL_AFTER = new RegExp(`(${DIGITS})\\s?([€£$₹¥])(?![\\d])`, 'g');
/** A currency code before the digits ("JPY 3,000", "EUR 40"). */
const CODE_FIRST = new RegExp(`\\b(usd|eur|gbp|inr|brl|jpy|rs\\.?)\\s*(${DIGITS})`, 'gi');
/** A currency code or symbol before words ("Rs. five hundred", "EUR forty", "$ twenty"). */
const CODE_FIRST_WORDS = new RegExp(
  `(?:\\b(usd|eur|gbp|inr|brl|jpy|rs\\.?)|([$€£₹¥]))\\s*((?:${NUMBER_WORD}[\\s-]+)*${NUMBER_WORD})\\b`,
  'gi',
);
const CODE_AMOUNT = new RegExp(`\\b(${DIGITS})\\s*(k)?\\s*${CURRENCY_WORDS}\\b`, 'gi');
const CENTS_AFTER = new RegExp(
  `^\\s+(?:and\\s+)?((?:${NUMBER_WORD}[\\s-]+)*${NUMBER_WORD})(?:\\s+cents?|\\s+pence|\\s+p)?\\b`,
  'i',
);
const WORD_AMOUNT = new RegExp(`\\b((?:${NUMBER_WORD}[\\s-]+)*${NUMBER_WORD})\\s+${CURRENCY_WORDS}\\b`, 'gi');

/** "1.000,00" → "1000.00" and "565,80" → "565.80"; other digits as they are. */
function pointDecimal(digits: string): string {
  return /,\d{2}$/.test(digits) && !/\.\d{1,2}$/.test(digits) ? digits.replace(/\./g, '').replace(',', '.') : digits;
}

function currencyOfWord(word: string): Currency {
  const lower = word.toLowerCase().replace(/^us\s+/, '');
  if (/^(?:dollars?|bucks?)$/.test(lower)) return 'usd';
  if (/^euros?$/.test(lower)) return 'eur';
  if (/^(?:pounds?|quid)$/.test(lower)) return 'gbp';
  if (/^rupees?$/.test(lower)) return 'inr';
  if (/^(?:reais|real)$/.test(lower)) return 'brl';
  if (lower === 'yen') return 'jpy';
  return lower as Currency;
}

/** An amount found in text, with where it stands. */
export interface AmountSpan {
  amount: number;
  currency: Currency;
  start: number;
  end: number;
}

/**
 * Every amount of money written in a text, in order: a symbol and digits ("$150", "€20.50", "$1.5k"), digits and
 * a code or word ("150 EUR", "45.99 usd", "40 bucks"), or words ("forty dollars", "fifty quid").
 */
export function amountSpans(text: string): AmountSpan[] {
  const found: AmountSpan[] = [];
  const push = (amount: number | undefined, currency: Currency, start: number, length: number) => {
    if (amount === undefined || found.some((other) => start < other.end && other.start < start + length)) return;
    found.push({ amount, currency, start, end: start + length });
  };
  for (const match of text.matchAll(SYMBOL_AFTER)) {
    const currency = SYMBOLS[match[2] ?? '$'] ?? 'usd';
    push(parseMajorUnits(pointDecimal(match[1] ?? ''), currency), currency, match.index ?? 0, match[0].length);
  }
  for (const match of text.matchAll(CODE_FIRST)) {
    const code = (match[1] ?? 'usd').toLowerCase();
    const currency = (code.startsWith('rs') ? 'inr' : code) as Currency;
    push(parseMajorUnits(pointDecimal(match[2] ?? ''), currency), currency, match.index ?? 0, match[0].length);
  }
  for (const match of text.matchAll(SYMBOL_AMOUNT)) {
    const currency = SYMBOLS[(match[1] ?? '$').toLowerCase()] ?? 'usd';
    const major = parseMajorUnits(pointDecimal(match[2] ?? ''), currency);
    push(
      major === undefined ? undefined : match[3] ? major * 1000 : major,
      currency,
      match.index ?? 0,
      match[0].trimEnd().length,
    );
  }
  for (const match of text.matchAll(CODE_AMOUNT)) {
    const currency = currencyOfWord(match[3] ?? 'usd');
    const major = parseMajorUnits(pointDecimal(match[1] ?? ''), currency);
    push(
      major === undefined ? undefined : match[2] ? major * 1000 : major,
      currency,
      match.index ?? 0,
      match[0].length,
    );
  }
  for (const match of text.matchAll(CODE_FIRST_WORDS)) {
    const code = (match[1] ?? '').toLowerCase();
    const currency = (match[2] ? SYMBOLS[match[2]] : code.startsWith('rs') ? 'inr' : code) as Currency;
    const number = wordsToNumber(match[3] ?? '');
    if (number === undefined || !currency || /^(?:and|a|an)$/i.test((match[3] ?? '').trim())) continue;
    push(parseMajorUnits(String(number), currency), currency, match.index ?? 0, match[0].length);
  }
  for (const match of text.matchAll(WORD_AMOUNT)) {
    const currency = currencyOfWord(match[2] ?? 'usd');
    const number = wordsToNumber(match[1] ?? '');
    // "twelve dollars fifty", "ten euros and twenty cents": the words after the currency are its cents.
    const after = CENTS_AFTER.exec(text.slice((match.index ?? 0) + match[0].length));
    const cents = after?.[1] ? wordsToNumber(after[1]) : undefined;
    const decimal =
      number === undefined
        ? undefined
        : cents !== undefined && cents < 100
          ? `${number}.${String(cents).padStart(2, '0')}`
          : String(number);
    const major = decimal === undefined ? undefined : parseMajorUnits(decimal, currency);
    push(
      major,
      currency,
      match.index ?? 0,
      match[0].length + (cents !== undefined && cents < 100 ? (after?.[0].length ?? 0) : 0),
    );
  }
  return found.sort((a, b) => a.start - b.start);
}

/** "half of", "a third of", "a quarter of", "20% of" before an amount: the share of it meant. */
const SHARE_BEFORE =
  /\b(?:(half)|(?:a\s+|one\s+)?(third|quarter)|(\d{1,3}(?:\.\d+)?)\s*(?:%|percent))\s+of\s+(?:the\s+|their\s+|a\s+)?$/i;

/**
 * The first amount of money written in the request ("$150", "€20.50", "150 EUR", "forty dollars"); "half of
 * ninety-nine bucks" or "20% of $500" is that share of it.
 */
export function parseAmount(text: string): { amount: number; currency: Currency } | undefined {
  const [first] = amountSpans(text);
  if (!first) return undefined;
  const share = SHARE_BEFORE.exec(text.slice(Math.max(0, first.start - 24), first.start));
  const factor = share?.[1]
    ? 0.5
    : share?.[2] === 'third'
      ? 1 / 3
      : share?.[2]
        ? 0.25
        : share?.[3]
          ? Number(share[3]) / 100
          : 1;
  return { amount: Math.round(first.amount * factor), currency: first.currency };
}

/** Units and tens words for prices said aloud ("nine fifty" is 9.50, "twelve ninety-nine" is 12.99). */
const SPOKEN_PRICE = /^([a-z]+)\s+([a-z]+(?:-[a-z]+)?)$/;

const BARE_AMOUNT = new RegExp(
  String.raw`\b(?:refund|credit|give|back|return)\s+(?:them\s+|him\s+|her\s+|us\s+)?(?:only\s+|just\s+)?(?:an?\s+)?(tenner|fiver|\d+(?:[.,]\d{1,2})?(?![\d%.,])(?!\s*(?:%|percent|days?|months?|weeks?|years?|times|invoices?|charges?|payments?|subscriptions?|customers?))|(?:${NUMBER_WORD}[\s-]+)*${NUMBER_WORD})\b(?!\s+(?:of\s+(?:them|these|those|us|you)|invoices?|charges?|payments?)\b)`,
  'i',
);

/**
 * An amount written without a currency where a refund or credit says how much ("refund nine fifty of ch_…",
 * "refund 9.50 on INV-…", "a tenner", "a fiver"), in major units; undefined when there is none.
 */
export function bareAmount(text: string): number | undefined {
  const found = BARE_AMOUNT.exec(text);
  const written = found?.[1]?.toLowerCase();
  if (!written) return undefined;
  if (written === 'tenner') return 10;
  if (written === 'fiver') return 5;
  if (/^\d/.test(written)) return Number(written.replace(',', '.'));
  const spoken = SPOKEN_PRICE.exec(written);
  if (spoken?.[1] && spoken[2]) {
    const major = wordsToNumber(spoken[1]);
    const minor = wordsToNumber(spoken[2]);
    if (
      major !== undefined &&
      minor !== undefined &&
      minor >= 10 &&
      minor < 100 &&
      !(major % 10 === 0 && major >= 20 && minor < 10)
    )
      return major + minor / 100;
  }
  const whole = wordsToNumber(written);
  return whole !== undefined && whole > 0 ? whole : undefined;
}

const LEADING_VERB =
  /^(?:cancel|terminate|end|show|give|put|upgrade|downgrade|move|switch|refund|apply|change|update|summari[sz]e|was|is|did|does|has|check|find|credit|send|email|draft|retry|void|explain|list|what|how|why|who|when|please)\s+/i;

/** The customer a request names ("customer acme-corp", "for Acme Corp", "Give widget-inc a credit"), as written. */
export function customerReference(text: string): string | undefined {
  const email = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/.exec(text)?.[0];
  const patterns = [
    new RegExp(`\\bcustomer(?:\\s+(?:id|named|called))?\\s+[\`'"]?(cus_[A-Za-z0-9]+|[^\`'"]+?)[\`'"]?${STOP}`, 'i'),
    // "Give widget-inc a credit", "Cancel Globex's subscription": a slug or a capitalised name after the verb.
    /^(?:[Pp]lease\s+)?(?:[Gg]ive|[Ss]end|[Ii]ssue|[Cc]redit|[Rr]efund|[Cc]harge|[Bb]ill|[Ee]mail|[Cc]ancel|[Tt]erminate|[Uu]pgrade|[Dd]owngrade|[Mm]ove|[Ss]witch|[Cc]heck|[Ss]how|[Ff]ind|[Ll]ook\s+up|[Pp]ut)\s+(?:customer\s+)?([a-z0-9]+(?:[-_.][a-z0-9]+)+|[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*?)(?:'s)?\s+(?:a|an|the|to|from|at|on|for|with|subscription|plan|account|invoices?|payments?|[$€£])\b/,
    new RegExp(
      `\\b(?:for|of|to|from|on|about)\\s+(?:the\\s+)?(?:account\\s+)?([A-Z0-9][\\w&.'-]*(?:\\s+[A-Z0-9][\\w&.'-]*)*)${STOP}`,
    ),
    new RegExp(
      `^(?:who\\s+is|look\\s+up|lookup|find|show(?:\\s+me)?)\\s+(?:customer\\s+)?([A-Z0-9][\\w&.'-]*(?:\\s+[A-Z0-9][\\w&.'-]*)*)${STOP}`,
    ),
    /\b([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)'s\b/,
    // Any capitalised name after the first word ("Was Globex charged twice?", "What plan is Initech on?").
    /(?<=\s)([A-Z][a-z][\w&.-]*(?:\s+(?:[A-Z][\w&.-]*|Inc|Ltd|LLC|Co))*)/,
  ];
  for (const pattern of patterns) {
    const found = pattern.exec(text)?.[1]?.trim().replace(LEADING_VERB, '');
    if (found && !isNoise(found)) return found.replace(/^(?:the|customer)\s+/i, '');
  }
  return email && !/\b(?:with|new)\s+(?:the\s+)?email\b/i.test(text) ? email : undefined;
}

const NOISE =
  /^(?:all|every|everyone|each|them|these|those|it|this|that|me|us|our|my|the|a|an|customers?|invoices?|subscriptions?|payments?|q[1-4]|i|id|mrr|us customers|last|this|next|month|week|year|today|\d+|summer\d*|confirm|yes|no|what|that|it|who|here|there|let|he|she|they|we|you|break|please|also|then|and|thanks|note|reason|check|tell|type|ticket|system|admin|just|only|could|would|can|any|some|hi|hello|ok|okay|sorry|kindly|maybe|perhaps|max|pls|thx|merci|danke|bitte)$/i;

const VERB_START =
  /^(?:says|said|say|wants|want|is|was|were|has|had|asked|asks|they|he|she|who|that|complains|complained|reports|reported|claims|claimed|called|emailed|writes|wrote|thinks|thought|needs|with|overdue|invoices?)\b/i;

function isNoise(candidate: string): boolean {
  return (
    NOISE.test(candidate) ||
    VERB_START.test(candidate) ||
    /^\d[\d,.]*\s*(?:k|usd|eur|gbp|inr|brl|jpy|dollars?|euros?|pounds?|days?|months?|weeks?|%)?$/i.test(candidate) ||
    /^(?:Q[1-4]|Germany|France|Japan|India|Brazil|Poland|January|February|March|April|May|June|July|August|September|October|November|December)\b/.test(
      candidate,
    )
  );
}

/** An invoice the request names: an id (`in_…`), a number (`INV-001`), or an order number (`#5678`). */
export function invoiceReference(text: string): { invoice_id: string } | { number: string } | undefined {
  const id = /\b(in_[A-Za-z0-9]+)\b/.exec(text)?.[1];
  if (id) return { invoice_id: id };
  const number =
    /\binv[-\s]?(\d{1,9})\b/i.exec(text)?.[1] ??
    /(?:#|\b(?:order|invoice|number|no\.?)\s+#?)(\d{1,9})\b/i.exec(text)?.[1];
  if (number) return { number: invoiceNumber(number) };
  return undefined;
}

/** The ledger's invoice number for the digits a person wrote ("5678" → "INV-005678"). */
export function invoiceNumber(digits: string): string {
  return `INV-${digits.padStart(6, '0')}`;
}

/** A charge id (`ch_…`) in the request. */
export function chargeReference(text: string): string | undefined {
  return /\b(ch_[A-Za-z0-9]+)\b/.exec(text)?.[1];
}

/** A country segment ("US customers", "customers in Germany"), as an ISO code. */
export function countryOf(text: string): string | undefined {
  const lower = text.toLowerCase();
  for (const [name, code] of Object.entries(COUNTRIES)) {
    const pattern = new RegExp(
      `(?:(?:^|,\\s*)${name}\\s*(?:,|$)|\\b(?:in|from|based\\s+in|located\\s+in|(?:moved|moving|relocated|relocating)\\s+(?:[a-z]+\\s+){0,3}to)\\s+(?:the\\s+)?${name}\\b|\\b${name}(?:\\s+|-)(?:customers|clients|accounts|subscribers|users|based|company)\\b|\\bin\\s+${name}\\b)`,
    );
    if (pattern.test(lower)) return code;
  }
  return undefined;
}

/** "top 10", "last three", "first 5" → the number. */
export function countOf(text: string): number | undefined {
  const match =
    /\b(?:top|last|first|latest|recent|next)\s+(\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twenty)\b/i.exec(
      text,
    ) ??
    /\b(\d{1,4}|three|five|ten|twenty)\s+(?:biggest|largest|smallest|best|top|most|latest|newest|oldest|recent)\b/i.exec(
      text,
    ) ??
    // "just 10", "at most 20": a cap on a listing, never an amount ("only 10 dollars").
    /\b(?:just|only|max(?:imum)?|at\s+most|no\s+more\s+than)\s+(\d{1,4}|five|ten|twenty)\b(?!\s*(?:[%$€£]|percent|dollars?|euros?|pounds?|bucks|usd|eur|gbp|inr|brl|jpy|days?|weeks?|months?|years?|hours?))/i.exec(
      text,
    );
  if (!match?.[1]) return undefined;
  return wordsToNumber(match[1]) ?? Number(match[1]);
}

/** The reason a request gives ("Reason: outage", "for the delayed onboarding", "because …"). */
export function reasonOf(text: string): string | undefined {
  const explicit = /\breason\s*[:\-–]\s*(.+)$/is.exec(text)?.[1];
  if (explicit) return tidy(explicit);
  const because = /\b(?:because(?:\s+of)?|due\s+to|as\s+a\s+goodwill|as\s+compensation\s+for)\s+(.+)$/is.exec(
    text,
  )?.[1];
  if (because) return tidy(because);
  const forWhat = /\bfor\s+(?:the|a|an|their|our|his|her)\s+(.+)$/is.exec(text)?.[1];
  if (forWhat) return tidy(forWhat);
  return undefined;
}

function tidy(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.\s]+$/, '');
}

/** The first email address in the request. */
export function emailOf(text: string): string | undefined {
  return /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/.exec(text)?.[0];
}

/** A coupon code after the word "coupon" or "code" ("coupon `SUMMER20`"). */
export function couponCode(text: string): string | undefined {
  const before = /\b([A-Z][A-Z0-9_-]{2,39})\s+(?:coupon|code|promo)\b/.exec(text)?.[1];
  if (before) return before;
  const after = /\b(?:coupon|code|promo(?:tion)?(?:\s+code)?)\s+[`'"]?([A-Za-z0-9_-]{2,40})[`'"]?/i.exec(text)?.[1];
  if (after) return after;
  // After "discount" only something shaped like a code ("discount SPRING25"), not "a discount for 3 months".
  return /\bdiscount\s+[`'"]?((?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{2,40}|[A-Z][A-Z0-9_-]{2,39})[`'"]?/.exec(text)?.[1];
}

/** A percentage in the request ("20%", "20 percent"). */
export function percentOf(text: string): number | undefined {
  const match = /(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b)/i.exec(text);
  return match?.[1] ? Number(match[1]) : undefined;
}
