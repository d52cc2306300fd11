/**
 * The intent classifier: which operation a request (one clause of it) asks for, or "unsupported". The ticket
 * classifier's features and model (src/agent/text/text-classifier.ts) trained on the intent corpus
 * (intent-corpus.ts), once per process on first use. It reads the clause with its resolved mentions replaced by
 * entity tokens ("refund entinvoice for entcustomer"), so a name never decides the operation.
 */
import { type TextClassifier, trainTextClassifier } from '../text/text-classifier.ts';
import { expandCorpus, type IntentRow, loadPhrasings } from './intent-corpus.ts';

/** One ranked intent. */
export interface RankedIntent {
  intent: string;
  probability: number;
}

let memoized: TextClassifier<string> | undefined;

/** Trains an intent classifier on rows (tests and the bench train on splits; the planner uses the default). */
export function trainIntentClassifier(rows: readonly IntentRow[]): TextClassifier<string> {
  const labels = [...new Set(rows.map((row) => row.label))].sort();
  return trainTextClassifier(labels, rows, { epochs: 5, balance: 0.5 });
}

/** The classifier trained on the whole corpus in data/intents, trained once per process. */
export function intentClassifier(): TextClassifier<string> {
  memoized ??= trainIntentClassifier(expandCorpus(loadPhrasings()));
  return memoized;
}

/**
 * Billing shorthand and common misspellings a team types ("pmt history", "open invs", "thier sub"), spelled out
 * before the clause is classified: the corpus is written in whole words. Whole words only, any case.
 */
const SHORTHAND: Readonly<Record<string, string>> = {
  inv: 'invoice',
  invs: 'invoices',
  sub: 'subscription',
  subs: 'subscriptions',
  subscr: 'subscription',
  acct: 'account',
  accts: 'accounts',
  pmt: 'payment',
  pmts: 'payments',
  pymt: 'payment',
  pymts: 'payments',
  cust: 'customer',
  custs: 'customers',
  amt: 'amount',
  hist: 'history',
  thier: 'their',
  recieve: 'receive',
  recieved: 'received',
  invoce: 'invoice',
  invocie: 'invoice',
  subscripton: 'subscription',
  refnd: 'refund',
  cancell: 'cancel',
  facture: 'invoice',
  factures: 'invoices',
  rechnung: 'invoice',
  rechnungen: 'invoices',
  abonnement: 'subscription',
  abonnements: 'subscriptions',
};

const SHORTHAND_WORD = new RegExp(String.raw`\b(${Object.keys(SHORTHAND).join('|')})\b`, 'gi');

/** `text` with billing shorthand spelled out. */
export function spelledOut(text: string): string {
  return text.replace(SHORTHAND_WORD, (word) => SHORTHAND[word.toLowerCase()] ?? word);
}

/** The `count` most probable intents of a (delexicalised) clause, best first. */
export function rankIntents(text: string, count = 3, classifier = intentClassifier()): RankedIntent[] {
  const { scores } = classifier.classify(spelledOut(text));
  return Object.entries(scores)
    .map(([intent, probability]) => ({ intent, probability: probability as number }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}
