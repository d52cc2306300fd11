/**
 * Mentions: the phrases of a request that may name one of the org's own records, and how well a phrase
 * matches a name. Pure text work shared by `resolve_mentions` (which asks the store for candidates) and the
 * request parser. A customer is found by its whole name in any case or spacing ("widget inc" → "widget-inc"),
 * by its name without the legal form ("Apex Health" → "Apex Health AG"), by a possessive ("Hooli's"), by a
 * small typo ("Initec" → "Initech"), and by a distinctive first word ("Apex" → every Apex, so the parser asks).
 */

/** A phrase of the text: its words as written, and where it stands (UTF-16 offsets, end exclusive). */
export interface Phrase {
  text: string;
  start: number;
  end: number;
  /** Number of words. */
  words: number;
  /** True when the phrase begins with a capital letter that does not just start a sentence. */
  capitalised: boolean;
}

/** How a name matched a phrase, strongest first. */
export type MatchKind = 'exact' | 'core' | 'typo' | 'prefix';

/** A scored match of a phrase against one name. */
export interface NameMatch {
  kind: MatchKind;
  score: number;
}

const SCORES: Record<MatchKind, number> = { exact: 1, core: 0.95, typo: 0.75, prefix: 0.6 };

/** Legal forms and filler ending company names ("Inc", "LLC", "sp. z o.o."). */
const LEGAL_FORM =
  /(?:[\s,]+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|ltda|co|corp|corporation|company|plc|ag|gmbh|sas|sarl|s\.?a|s\.?a\.?s|gk|kk|bv|nv|oy|ab|as|pvt(?:\s+ltd)?|pty(?:\s+ltd)?|sp\.?\s*z\s*o\.?\s*o|technologies|group|holdings))+\.?$/i;

/** Words that never start or end a name phrase on their own. */
const EDGE_WORDS = new Set(
  'a an the to for of from on in at by with and or but is are was were be been has have had do does did can could would should will shall may might must i we you they he she it me us them our your their his her its my this that these those there here who what which when where why how please pls plz thanks thank hi hello hey yes no not ok okay also then than just all any every each some one two three last next first second third new old current customer customers client clients account accounts company'.split(
    ' ',
  ),
);

/** Lowercase letters and digits only: "Widget-Inc." → "widgetinc". */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

/** A company name without its legal form: "Apex Health AG" → "apex health"; "widget-inc" stays as it is. */
export function coreName(name: string): string {
  const lower = name.toLowerCase().trim();
  const core = lower.replace(LEGAL_FORM, '').trim();
  return core.length >= 2 ? core : lower;
}

/** The words of a name ("Apex Health AG" → ["apex", "health", "ag"]). */
function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Optimal-string-alignment distance (Damerau–Levenshtein with adjacent swaps), stopping early past `limit`. */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (previous2[j - 2] ?? 0) + 1);
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/**
 * How `phrase` matches `name`, or undefined. `common` says whether a one-word phrase is an everyday word
 * ("data", "cloud", "pro"): those match a name only exactly and only when written with a capital.
 */
export function matchName(phrase: Phrase, name: string, common: (word: string) => boolean): NameMatch | undefined {
  const said = slug(phrase.text);
  if (said.length < 2) return undefined;
  const everyday = phrase.words === 1 && common(phrase.text.toLowerCase());
  if (everyday && !phrase.capitalised) return undefined;
  const whole = slug(name);
  const core = slug(coreName(name));
  if (said === whole) return { kind: 'exact', score: SCORES.exact };
  if (said === core) return { kind: 'core', score: SCORES.core };
  if (everyday) return undefined;
  // A small typo of a distinctive name: one edit from five letters, two from nine.
  const allowed = said.length >= 9 ? 2 : said.length >= 5 ? 1 : 0;
  if (allowed > 0 && Math.min(editDistance(said, core, allowed), editDistance(said, whole, allowed)) <= allowed)
    return { kind: 'typo', score: SCORES.typo };
  // The leading words of the name ("Apex", "Nova Systems"): every customer so named is a candidate.
  const words = nameWords(coreName(name));
  const saidWords = nameWords(phrase.text);
  if (saidWords.length >= 1 && saidWords.length < words.length && saidWords.every((word, i) => word === words[i]))
    return { kind: 'prefix', score: SCORES.prefix };
  return undefined;
}

/** Where sentences start, so that a capital there is not taken as a name's. */
function sentenceStarts(text: string): Set<number> {
  const starts = new Set<number>([0]);
  for (const match of text.matchAll(/[.!?:;\n]["')\]]*\s+/g)) starts.add((match.index ?? 0) + match[0].length);
  const first = /\S/.exec(text)?.index;
  if (first !== undefined) starts.add(first);
  return starts;
}

/** Words as written, with their offsets: letters, digits and inner `-`, `.`, `&`, `'` ("widget-inc", "AT&T"). */
function wordsOf(text: string): { text: string; start: number; end: number }[] {
  const words: { text: string; start: number; end: number }[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:[-.&'’][\p{L}\p{N}]+)*/gu)) {
    let word = match[0];
    const start = match.index ?? 0;
    // A possessive belongs to the sentence, not the name ("Hooli's" → "Hooli").
    word = word.replace(/['’]s$/i, '');
    words.push({ text: word, start, end: start + word.length });
  }
  return words;
}

/**
 * Every phrase of one to `maxWords` words that could name something: no phrase starts or ends with an everyday
 * word ("for", "the", "customer"), and none crosses a sentence or clause break.
 */
export function phrasesOf(text: string, maxWords = 4): Phrase[] {
  const words = wordsOf(text);
  const starts = sentenceStarts(text);
  const phrases: Phrase[] = [];
  for (let first = 0; first < words.length; first += 1) {
    const head = words[first];
    if (!head || EDGE_WORDS.has(head.text.toLowerCase())) continue;
    for (let last = first; last < Math.min(words.length, first + maxWords); last += 1) {
      const tail = words[last];
      if (!tail) break;
      if (last > first) {
        const gap = text.slice(words[last - 1]?.end ?? 0, tail.start);
        if (/[,;:!?()"\n]|\.\s/.test(gap)) break;
      }
      if (EDGE_WORDS.has(tail.text.toLowerCase())) continue;
      const capitalised = /^\p{Lu}/u.test(head.text) && !starts.has(head.start);
      phrases.push({
        text: text.slice(head.start, tail.end),
        start: head.start,
        end: tail.end,
        words: last - first + 1,
        capitalised: capitalised || (/^\p{Lu}/u.test(head.text) && last > first),
      });
    }
  }
  return phrases;
}

/** Email addresses in a text, with offsets. */
export function emailsIn(text: string): { text: string; start: number; end: number }[] {
  return [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((match) => ({
    text: match[0].replace(/\.$/, ''),
    start: match.index ?? 0,
    end: (match.index ?? 0) + match[0].replace(/\.$/, '').length,
  }));
}

/** Web or mail domains written alone ("acme-corp.example", "@hooli.com"), with offsets; not inside an email. */
export function domainsIn(text: string): { text: string; start: number; end: number }[] {
  const emails = emailsIn(text);
  return [
    ...text.matchAll(
      /(?<![\w.+-])@?((?:[a-z0-9-]+\.)+(?:com|net|org|io|co|dev|app|ai|example|test|de|fr|uk|in|br|jp|pl|es|it|nl|au|ca))\b/gi,
    ),
  ]
    .map((match) => ({
      text: (match[1] ?? '').toLowerCase(),
      start: match.index ?? 0,
      end: (match.index ?? 0) + match[0].length,
    }))
    .filter((domain) => !emails.some((email) => domain.start >= email.start && domain.end <= email.end));
}

/** Record ids written in a text (`cus_…`, `sub_…`, `in_…`, `ch_…`, `co_…`, `prod_…`, `price_…`), with offsets. */
export function idsIn(text: string): { prefix: string; text: string; start: number; end: number }[] {
  return [...text.matchAll(/\b(cus|sub|in|ch|co|prod|price|pi|re|tkt)_[A-Za-z0-9]{3,}\b/g)].map((match) => ({
    prefix: match[1] ?? '',
    text: match[0],
    start: match.index ?? 0,
    end: (match.index ?? 0) + match[0].length,
  }));
}

/** Invoice numbers written in a text ("INV-001493", "inv 1493", "#1493", "order 5678"), as the ledger writes them. */
export function invoiceNumbersIn(text: string): { number: string; text: string; start: number; end: number }[] {
  const found: { number: string; text: string; start: number; end: number }[] = [];
  for (const match of text.matchAll(
    /\binv(?:oice)?[-\s#]*(?:no\.?\s*|number\s*)?(\d{1,9})\b|(?:#|\border\s+#?|\bnumber\s+#?)(\d{1,9})\b|(?<![\w$€£.,-])(0\d{5})(?![\w.,])/gi,
  )) {
    // A six-digit number with leading zeros ("001359") is an invoice number written without "INV-".
    const digits = match[1] ?? match[2] ?? match[3] ?? '';
    found.push({
      number: `INV-${digits.padStart(6, '0')}`,
      text: match[0],
      start: match.index ?? 0,
      end: (match.index ?? 0) + match[0].length,
    });
  }
  return found;
}
