/**
 * The ticket classifier: held-out quality per source (our SaaS rows, BANKING77, CLINC150), out-of-domain false
 * positives, calibration, determinism, the split, realistic messages, and the CSV reader.
 */
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from '../text/text-classifier.ts';
import {
  defaultClassifier,
  evaluate,
  evaluateBySource,
  isHeldOut,
  isTrainingRow,
  loadLabelledRows,
  loadTrainingData,
  TICKET_CLASSES,
  TICKET_SOURCES,
  type TicketClass,
  tokenize,
  trainClassifier,
} from './classifier.ts';
import { parseCsv, parseCsvRecords } from './csv.ts';

const { train, test } = loadTrainingData();

/** The split compares texts the way isHeldOut sees them: lowercased words. */
const normalised = (text: string) => tokenize(text).join(' ');

/**
 * Held-out floors per source, a little under the measured figures (docs/decisions/0004-ticket-classifier.md):
 * macro-F1 and accuracy, and a ceiling on the out-of-domain false-positive rate (truly-`other` rows predicted as a
 * billing class). Our SaaS rows meet the 0.85 macro-F1 target since the train-only rows (measured 0.911; 0.830
 * before them).
 */
const FLOORS = {
  saas: { macroF1: 0.89, accuracy: 0.9, oodFalsePositiveRate: 0.03 },
  banking77: { macroF1: 0.91, accuracy: 0.915, oodFalsePositiveRate: 0.1 },
  clinc150: { macroF1: 0.89, accuracy: 0.98, oodFalsePositiveRate: 0.02 },
} as const;

describe('ticket classifier', () => {
  it('scores well on the held-out split of every source (measured macro-F1: SaaS 0.911, BANKING77 0.920, CLINC150 0.910)', () => {
    const results = evaluateBySource(defaultClassifier(), test);
    expect(results.map((result) => result.source)).toEqual([...TICKET_SOURCES]);
    for (const result of results) {
      const floor = FLOORS[result.source];
      expect(result.rows, result.source).toBeGreaterThan(200);
      expect(result.macroF1, result.source).toBeGreaterThan(floor.macroF1);
      expect(result.accuracy, result.source).toBeGreaterThan(floor.accuracy);
      // Measured: SaaS 1.3%, BANKING77 8.6%, CLINC150 1.1% (before the out-of-domain data: 8.0%, 74%, 23%).
      expect(result.oodFalsePositiveRate, result.source).toBeLessThan(floor.oodFalsePositiveRate);
    }
    const all = evaluate(defaultClassifier(), test);
    expect(all.macroF1).toBeGreaterThan(0.89); // measured 0.905
    for (const name of TICKET_CLASSES) expect(all.perClass[name].f1, name).toBeGreaterThan(0.8); // lowest 0.833
    const total = TICKET_CLASSES.reduce(
      (sum, actual) => sum + TICKET_CLASSES.reduce((row, predicted) => row + all.confusion[actual][predicted], 0),
      0,
    );
    expect(total).toBe(test.length);
  });

  it('has a calibrated confidence: expected calibration error on the held-out rows (measured 0.006 overall)', () => {
    const answers = test.map((row) => {
      const { label, confidence } = defaultClassifier().classify(row.text);
      return { confidence, correct: label === row.label };
    });
    expect(expectedCalibrationError(answers)).toBeLessThan(0.015);
    for (const result of evaluateBySource(defaultClassifier(), test)) {
      expect(result.calibrationError, result.source).toBeLessThan(0.05); // measured at most 0.028 (SaaS)
    }
    // Below the workflow's threshold (run-ticket.ts CONFIDENT = 0.5) answers are right about half the time or less.
    const unsure = answers.filter((answer) => answer.confidence < 0.5);
    expect(unsure.filter((answer) => answer.correct).length).toBeLessThanOrEqual(unsure.length * 0.7);
  });

  it('is deterministic: two trainings on the same rows give identical scores', () => {
    const rows = train.filter((_, index) => index % 3 === 0); // a third of the rows: the same check, a third of the time
    const first = trainClassifier(rows);
    const second = trainClassifier(rows);
    for (const row of test.slice(0, 200)) expect(second.classify(row.text)).toEqual(first.classify(row.text));
  });

  it('answers probabilities that sum to 1, with the label the most probable class', () => {
    for (const text of ['Where is my invoice?', '', '!!!', 'a'.repeat(5_000)]) {
      const { label, confidence, scores } = defaultClassifier().classify(text);
      const values = TICKET_CLASSES.map((name) => scores[name]);
      expect(values.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 9);
      expect(confidence).toBe(scores[label]);
      expect(Math.max(...values)).toBe(confidence);
    }
  });

  const examples: [string, TicketClass[]][] = [
    ['I was charged twice for March', ['invoice', 'refund']],
    ['Can I get my money back for last month?', ['refund']],
    ['Please cancel my subscription at the end of the month', ['cancellation']],
    ['My card was declined when renewing', ['payment_failure']],
    ["What's the seat limit on the Pro plan?", ['plan']],
    ['We hit our API call limit, what happens with overage?', ['usage']],
    ['Please add our VAT number to the invoices', ['tax']],
    ["I can't log in to the dashboard", ['other']],
    // Issue 16: non-billing questions that used to land in billing classes. Still missed, and left out here:
    // "My transfer has been pending for three days" → payment_failure (docs/decisions/0004, remaining errors).
    ["What's the exchange rate for euros today?", ['other']],
    ['When will my new card be delivered?', ['other']],
    ['I forgot my passcode and cannot get into my account', ['other']],
    ['What is the weather like in Berlin tomorrow?', ['other']],
  ];
  it.each(examples)('"%s" is classified as %j', (text, expected) => {
    expect(expected).toContain(defaultClassifier().classify(text).label);
  });
});

describe('training data', () => {
  it('never trains on a held-out row', () => {
    const trainTexts = new Set(train.map((row) => normalised(row.text)));
    expect(test.filter((row) => trainTexts.has(normalised(row.text)))).toEqual([]);
    expect(train.every((row) => (row.trainOnly || !isHeldOut(row.text)) && isTrainingRow(row))).toBe(true);
    expect(test.every((row) => isHeldOut(row.text) && !row.trainOnly)).toBe(true);
  });

  it('trains on every row of saas-billing-extra.csv and never tests on one: the SaaS test set is the held-out rows of saas-billing.csv', () => {
    const rows = loadLabelledRows();
    const extra = rows.filter((row) => row.trainOnly);
    expect(extra.length).toBe(480);
    expect(extra.every((row) => row.source === 'saas')).toBe(true);
    for (const name of TICKET_CLASSES) expect(extra.filter((row) => row.label === name).length, name).toBe(60);
    // Some of them hash into the held-out band; they are trained on all the same.
    expect(extra.some((row) => isHeldOut(row.text))).toBe(true);
    expect(train.filter((row) => row.trainOnly)).toEqual(extra);
    const original = rows.filter((row) => row.source === 'saas' && !row.trainOnly);
    expect(test.filter((row) => row.source === 'saas')).toEqual(original.filter((row) => isHeldOut(row.text)));
    expect(test.filter((row) => row.source === 'saas').length).toBe(237);
  });

  it('holds out about 20% of every source, with every class of the source on both sides', () => {
    const rows = loadLabelledRows();
    for (const source of TICKET_SOURCES) {
      const mine = rows.filter((row) => row.source === source && !row.trainOnly);
      const heldOut = mine.filter((row) => isHeldOut(row.text));
      expect(heldOut.length / mine.length, source).toBeGreaterThan(0.17);
      expect(heldOut.length / mine.length, source).toBeLessThan(0.23);
      for (const name of new Set(mine.map((row) => row.label))) {
        expect(
          train.some((row) => row.source === source && row.label === name),
          `${source} ${name}`,
        ).toBe(true);
        expect(
          test.some((row) => row.source === source && row.label === name),
          `${source} ${name}`,
        ).toBe(true);
      }
    }
  });

  it('reads BANKING77 (all 10,003 train rows), CLINC150 and our own rows, and trains on a share of the public "other" rows', () => {
    const rows = loadLabelledRows();
    const count = (source: string, other?: boolean) =>
      rows.filter((row) => row.source === source && (other === undefined || (row.label === 'other') === other)).length;
    expect(count('banking77', false)).toBe(3_696);
    expect(count('banking77', true)).toBe(6_307);
    // 150 intents × 120 rows plus 200 out-of-scope, less the three intents left out (transactions,
    // spending_history, credit_limit_change).
    expect(count('clinc150')).toBe(150 * 120 + 200 - 3 * 120);
    expect(count('clinc150', false)).toBe(7 * 120);
    expect(count('saas')).toBe(1_112 + 480); // saas-billing.csv and the train-only saas-billing-extra.csv
    for (const name of ['plan', 'usage', 'tax', 'other'] as const) {
      expect(rows.filter((row) => row.source === 'saas' && row.label === name).length, name).toBeGreaterThanOrEqual(80);
    }
    // Every billing row and every row of ours that is not held out is trained on; of the public "other" rows, a share.
    const trainedOther = (source: string) => train.filter((row) => row.source === source && row.label === 'other');
    expect(trainedOther('banking77').length / count('banking77', true)).toBeCloseTo(0.8 * 0.35, 1);
    expect(trainedOther('clinc150').length / count('clinc150', true)).toBeCloseTo(0.8 * 0.25, 1);
    expect(train.length).toBeLessThan(10_500); // keeps training near a second (10,128 rows)
  });
});

describe('CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF line ends', () => {
    const text = 'text,class\r\n"Hello, ""world""",other\r\n"two\nlines",plan\r\nplain,tax\r\n';
    expect(parseCsv(text)).toEqual([
      ['text', 'class'],
      ['Hello, "world"', 'other'],
      ['two\nlines', 'plan'],
      ['plain', 'tax'],
    ]);
    expect(parseCsvRecords(text)[0]).toEqual({ text: 'Hello, "world"', class: 'other' });
  });

  it('keeps empty fields and refuses malformed input', () => {
    expect(parseCsv('a,,c\n,,\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
    expect(() => parseCsv('"never closed,1\n')).toThrow(/quoted field/);
    expect(() => parseCsvRecords('a,b\n1,2,3\n')).toThrow(/3 fields/);
  });
});
