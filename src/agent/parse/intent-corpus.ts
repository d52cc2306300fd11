/**
 * The intent corpus: hand-written phrasings per operation (data/intents/<operation>.txt, plus unsupported.txt for
 * chit-chat and requests that are not billing), expanded from their placeholders into training rows. Each
 * phrasing gives one row with the placeholders as entity tokens — the form the parser classifies, because it
 * replaces the mentions it resolved the same way — and two rows filled with varied surface forms (names in any
 * case, slugs, amounts in digits and words, dates), for what it could not resolve. Deterministic: a seeded
 * generator picks the fillers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../text/text-classifier.ts';

/** The label for chit-chat and requests that are not billing. */
export const UNSUPPORTED = 'unsupported';

/** Entity tokens: what a resolved mention or slot becomes in the text the classifier sees. */
export const ENTITY_TOKENS = {
  customer: 'entcustomer',
  customer2: 'entcustomer',
  email: 'entemail',
  invoice: 'entinvoice',
  charge: 'entcharge',
  subscription: 'entsubscription',
  amount: 'entamount',
  amount2: 'entamount',
  percent: 'entpercent',
  plan: 'entplan',
  plan2: 'entplan',
  coupon: 'entcoupon',
  member: 'entemail',
} as const satisfies Record<string, string>;

/** Surface forms a placeholder is filled with in the lexical rows. */
const FILLERS: Record<string, readonly string[]> = {
  customer: [
    'Contoso',
    'contoso',
    'Fabrikam Inc',
    'fabrikam',
    'northwind-traders',
    "Tailspin's",
    'Wingtip Toys',
    'wingtip',
    'Litware LLC',
    'adatum',
    'Proseware GmbH',
    'Lucerne Publishing',
  ],
  email: ['ops@fabrikam.example', 'billing@contoso.test', 'jane.doe@litware.io', 'finance@adatum.com'],
  invoice: ['INV-000123', 'INV-1042', 'inv 5678', '#5678', 'INV-002201', 'invoice 77'],
  charge: ['ch_3Pq8x', 'ch_demo000000042', 'ch_1NvA2b'],
  subscription: ['sub_demo000000007', 'sub_1Pz9Q'],
  amount: ['$40', 'forty dollars', '€25', '150 EUR', '$1,200', 'fifty bucks', '£30', '$9.99', '$1.5k', '20 usd'],
  percent: ['20%', '15 percent', '10%', 'fifty percent'],
  date: ['March 15', 'the 3rd', 'yesterday', '2026-10-01', 'last Friday', 'Nov 2'],
  period: ['last week', 'this month', 'in Q1', 'since the 3rd', 'the last 30 days', 'in October', 'yesterday', 'ytd'],
  plan: ['Pro', 'Business', 'Basic', 'the legacy Starter', 'Enterprise', 'Growth'],
  coupon: ['SUMMER20', 'welcome10', 'LAUNCH50', 'BLACKFRIDAY'],
  country: ['Germany', 'the US', 'France', 'India', 'Brazil', 'UK'],
  count: ['5', '10', 'three', '20', 'top 3'],
  role: ['finance', 'clerk', 'admin', 'support lead', 'reader', 'manager'],
  member: ['dana@northwind.test', 'sam@northwind.test', 'new.hire@northwind.test'],
  ticket: ['T-12', 'ticket 42', 'tkt_7QxA'],
  metric: ['api_calls', 'seats', 'GB of storage', 'messages'],
  code: ['SPRING25', 'VIP15', 'FRIENDS10'],
  name: ['Growth', 'Team Plus', 'Jane Doe', 'Acme Labs'],
};

/** A labelled training row. */
export interface IntentRow {
  text: string;
  label: string;
}

/** The repository's data/intents directory, found from this module's own location. */
export function intentDataDir(): string {
  return fileURLToPath(new URL('../../../data/intents/', import.meta.url));
}

/** The phrasings of every label (file name without `.txt`), comments and blank lines dropped. */
export function loadPhrasings(dir: string = intentDataDir()): Map<string, string[]> {
  const phrasings = new Map<string, string[]>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.txt')) continue;
    const lines = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    phrasings.set(file.slice(0, -4), lines);
  }
  return phrasings;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** A phrasing with each placeholder replaced by its entity token (slots that stay words keep a filler). */
export function delexicalise(phrasing: string, pick: (slot: string) => string = (slot) => FILLERS[slot]?.[0] ?? slot) {
  return phrasing.replace(PLACEHOLDER, (_whole, slot: string) =>
    slot in ENTITY_TOKENS ? ENTITY_TOKENS[slot as keyof typeof ENTITY_TOKENS] : pick(slot),
  );
}

const PREFIXES = [
  'can you ',
  'could you please ',
  'please ',
  'pls ',
  'I need to ',
  'we need to ',
  "I'd like to ",
  'hey, ',
  'quick one: ',
];
const SUFFIXES = [' please', ' asap', ', thanks', ' when you get a chance', ' today', ' thx'];
const IMPERATIVE =
  /^(?:refund|credit|cancel|apply|remove|retry|void|upgrade|downgrade|move|switch|change|update|create|add|give|issue|send|draft|show|list|check|find|look|pull|explain|summari[sz]e|get|record|open|make|set|put|take|invoice|charge|bill|terminate|stop|end)\b/i;

/** A generated paraphrase: half the lines get a polite or urgent prefix (before a verb) or a suffix. */
function wrap(line: string, random: () => number): string {
  const roll = random();
  if (roll < 0.3 && IMPERATIVE.test(line)) return `${PREFIXES[Math.floor(random() * PREFIXES.length)] ?? ''}${line}`;
  if (roll < 0.5) return `${line}${SUFFIXES[Math.floor(random() * SUFFIXES.length)] ?? ''}`;
  return line;
}

/** Training rows from the phrasings: one with entity tokens and `lexical` filled with surface forms per phrasing. */
export function expandCorpus(phrasings: Map<string, string[]>, lexical = 1, seed = 20_261_203): IntentRow[] {
  const random = seededRandom(seed);
  const pick = (slot: string) => {
    const options = FILLERS[slot] ?? [slot];
    return options[Math.floor(random() * options.length)] ?? slot;
  };
  const rows: IntentRow[] = [];
  for (const [label, lines] of phrasings) {
    for (const line of lines) {
      rows.push({ text: delexicalise(line, pick), label });
      if (!line.includes('{')) continue;
      for (let copy = 0; copy < lexical; copy += 1)
        rows.push({
          text: wrap(
            line.replace(PLACEHOLDER, (_w, slot: string) => pick(slot)),
            random,
          ),
          label,
        });
    }
  }
  return rows;
}
