/**
 * A small trained classifier for billing support tickets: which of eight classes a customer's message is about,
 * `other` meaning "not billing".
 *
 * The features and the model (hashed word and character n-grams, TF-IDF, softmax regression by AdaGrad) are the
 * shared text classifier in src/agent/text/text-classifier.ts; this module fixes the label set, reads the
 * training data (our SaaS rows, plus a train-only file of more of them; BANKING77 and CLINC150, whose non-billing
 * rows teach `other`), and holds the process-wide default model with its temperature-calibrated confidence. Data
 * and split: data/classify/README.md; why this model and the measured figures: docs/decisions/0004-ticket-classifier.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TICKET_CLASSES, type TicketClass } from '../../domain/tickets.ts';
import {
  type ClassScore,
  evaluateTextClassifier,
  expectedCalibrationError,
  isHeldOutText,
  type TextClassification,
  type TextClassifier,
  type TextEvaluation,
  type TextTrainOptions,
  textPercentile,
  tokenize,
  trainTextClassifier,
  withTemperature,
} from '../text/text-classifier.ts';
import { parseCsvRecords } from './csv.ts';

export { type ClassScore, TICKET_CLASSES, type TicketClass, tokenize };

/** A classifier's answer: the most probable class, its probability, and every class's probability (sum 1). */
export type Classification = TextClassification<TicketClass>;

/** A training or evaluation example. */
export interface LabelledText {
  text: string;
  label: TicketClass;
}

/** A trained model. */
export interface TicketClassifier {
  classify(text: string): Classification;
}

/**
 * Knobs of the trainer (`balance` is the exponent of the class weights: 0 = none, 1 = fully balanced);
 * {@link trainClassifier}'s defaults are the best measured by cross-validation (docs/decisions/0004).
 */
export type TrainOptions = TextTrainOptions;

/** Scores of a classifier on labelled rows. */
export type Evaluation = TextEvaluation<TicketClass>;

const TEST_PERCENT = 20;

/**
 * Trainer settings for the ticket classes (the rest are the shared defaults), chosen by 4-fold cross-validation on
 * the train split (docs/decisions/0004): balance 0.75 scored best; 8 epochs instead of 10 for training time, within
 * fold noise of it.
 */
const TICKET_TRAIN_OPTIONS: Partial<TrainOptions> = { balance: 0.75, epochs: 8 };

/**
 * Temperature scaling of the default model's probabilities, fitted (minimum log-loss) on out-of-fold answers of
 * 4-fold cross-validation on the train split, never on the held-out rows; the train-only rows train every fold and
 * are never scored. Below 1: the raw model is under-confident. Refitted 2026-12-03 with saas-billing-extra.csv:
 * 0.666 (0.667 without it), so unchanged.
 */
export const TEMPERATURE = 0.67;

/**
 * The labels the model trains on: our eight classes, except that the public sets' non-billing rows train as classes
 * of their own (`other_banking77`, `other_clinc150`) and are merged into `other` when classifying. One huge mixed
 * `other` class pulled our SaaS billing rows into it; three narrower ones do not (docs/decisions/0004).
 */
const TRAINING_LABELS = [...TICKET_CLASSES, 'other_banking77', 'other_clinc150'] as const;
type TrainingLabel = (typeof TRAINING_LABELS)[number];

/** The label a row trains as: see {@link TRAINING_LABELS}. Rows without a source are ours. */
function trainingLabel(row: LabelledText & { source?: TicketSource }): TrainingLabel {
  if (row.label !== 'other') return row.label;
  if (row.source === 'banking77') return 'other_banking77';
  if (row.source === 'clinc150') return 'other_clinc150';
  return 'other';
}

/** The model's answer over {@link TRAINING_LABELS} as one over our classes: the `other_*` probabilities join `other`. */
function mergeOther(inner: TextClassifier<TrainingLabel>): TextClassifier<TicketClass> {
  return {
    labels: TICKET_CLASSES,
    classify(text: string): Classification {
      const { scores: raw } = inner.classify(text);
      const scores = Object.fromEntries(TICKET_CLASSES.map((name) => [name, raw[name]])) as Record<TicketClass, number>;
      scores.other += raw.other_banking77 + raw.other_clinc150;
      let label: TicketClass = TICKET_CLASSES[0];
      for (const name of TICKET_CLASSES) if (scores[name] > scores[label]) label = name;
      return { label, confidence: scores[label], scores };
    },
  };
}

/**
 * Trains a classifier on labelled texts (`options` only to experiment; the defaults are the measured best). Rows
 * with a `source` of BANKING77 or CLINC150 labelled `other` train as their own sub-class ({@link TRAINING_LABELS}).
 * The answers are the model's own probabilities, not calibrated: {@link defaultClassifier} applies
 * {@link TEMPERATURE}. Deterministic: the same rows in the same order give the same model.
 */
export function trainClassifier(
  rows: (LabelledText & { source?: TicketSource })[],
  options: Partial<TrainOptions> = {},
): TextClassifier<TicketClass> {
  if (rows.length === 0) throw new Error('trainClassifier needs at least one row');
  const training = rows.map((row) => ({ text: row.text, label: trainingLabel(row) }));
  return mergeOther(trainTextClassifier(TRAINING_LABELS, training, { ...TICKET_TRAIN_OPTIONS, ...options }));
}

// --- Data ---------------------------------------------------------------------------------------------------

/** The repository's data/classify directory, found from this module's own location. */
function defaultDataDir(): string {
  return fileURLToPath(new URL('../../../data/classify/', import.meta.url));
}

/**
 * Whether a text belongs to the held-out test split: 20% of texts, chosen by a hash of the normalised text. Rows of
 * the train-only file are trained on even when this is true ({@link loadTrainingData}).
 */
export function isHeldOut(text: string): boolean {
  return isHeldOutText(text, TEST_PERCENT);
}

/** Narrows a string to a {@link TicketClass}, or throws naming the file it came from. */
function asTicketClass(value: string | undefined, source: string): TicketClass {
  const found = TICKET_CLASSES.find((name) => name === value);
  if (!found) throw new Error(`${source}: unknown class "${value}"`);
  return found;
}

/** Where a labelled row comes from: our own SaaS messages, BANKING77 or CLINC150. */
export const TICKET_SOURCES = ['saas', 'banking77', 'clinc150'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

/**
 * A labelled row with its source and, for the public sets, the source's own intent. `trainOnly`: a row of
 * saas-billing-extra.csv, always trained on and never held out, whatever its split hash (see {@link loadTrainingData}).
 */
export interface SourcedText extends LabelledText {
  source: TicketSource;
  intent: string;
  trainOnly?: true;
}

/**
 * CLINC150 intents that are billing questions, with our class (the project's label mapping). Every other intent and
 * the out-of-scope rows are `other`. `null`: left out of training and evaluation, because they are neither a
 * billing class of ours nor clearly not billing (data/classify/README.md).
 */
const CLINC150_CLASSES: Readonly<Record<string, TicketClass | null>> = {
  bill_balance: 'invoice',
  bill_due: 'invoice',
  pay_bill: 'invoice',
  min_payment: 'invoice',
  international_fees: 'invoice',
  card_declined: 'payment_failure',
  taxes: 'tax',
  transactions: null,
  spending_history: null,
  credit_limit_change: null,
};

/**
 * The share of the non-held-out `other` rows of the public sets the default model trains on, picked by the stable
 * split hash: enough to cover every intent, few enough to train in about a second
 * (docs/decisions/0004-ticket-classifier.md).
 */
const OTHER_TRAINING_SHARE: Readonly<Record<TicketSource, number>> = { saas: 1, banking77: 0.35, clinc150: 0.25 };

/**
 * Reads our SaaS rows, BANKING77 (billing intents mapped, the rest `other`), CLINC150 (as {@link CLINC150_CLASSES})
 * and, last, our train-only SaaS rows (saas-billing-extra.csv, source `saas`, `trainOnly`). A train-only row whose
 * normalised text is already in another file is left out, so that it can never repeat a held-out text.
 */
export function loadLabelledRows(dataDir: string = defaultDataDir()): SourcedText[] {
  const read = (name: string) => readFileSync(join(dataDir, name), 'utf8');
  const saas = parseCsvRecords(read('saas-billing.csv')).map(
    (row): SourcedText => ({
      text: row.text ?? '',
      label: asTicketClass(row.class, 'saas-billing'),
      source: 'saas',
      intent: '',
    }),
  );
  const bankingBilling = parseCsvRecords(read('banking77_billing_train.csv')).map(
    (row): SourcedText => ({
      text: row.text ?? '',
      label: asTicketClass(row.mapped_class, 'banking77'),
      source: 'banking77',
      intent: row.source_label ?? '',
    }),
  );
  const bankingOther = parseCsvRecords(read('banking77_other_train.csv')).map(
    (row): SourcedText => ({ text: row.text ?? '', label: 'other', source: 'banking77', intent: row.category ?? '' }),
  );
  const clinc = parseCsvRecords(read('clinc150_train_val.csv')).flatMap((row): SourcedText[] => {
    const intent = row.intent ?? '';
    const mapped = CLINC150_CLASSES[intent];
    if (mapped === null) return [];
    return [{ text: row.text ?? '', label: mapped ?? 'other', source: 'clinc150', intent }];
  });
  const rows = [...bankingBilling, ...saas, ...bankingOther, ...clinc].filter((row) => row.text.trim() !== '');
  const normalised = (text: string) => tokenize(text).join(' ');
  const known = new Set(rows.map((row) => normalised(row.text)));
  const extra = parseCsvRecords(read('saas-billing-extra.csv')).flatMap((row): SourcedText[] => {
    const text = row.text ?? '';
    const key = normalised(text);
    if (text.trim() === '' || known.has(key)) return [];
    known.add(key);
    return [
      { text, label: asTicketClass(row.class, 'saas-billing-extra'), source: 'saas', intent: '', trainOnly: true },
    ];
  });
  return [...rows, ...extra];
}

/**
 * Whether the default model trains on a row whose split percentile ({@link textPercentile}) is `percentile`: every
 * train-only row; otherwise never a held-out one; every billing row and every row of ours; of the public sets'
 * `other` rows, the share {@link OTHER_TRAINING_SHARE} says, chosen by the split hash.
 */
function trainsOn(row: SourcedText, percentile: number): boolean {
  if (row.trainOnly) return true;
  if (percentile < TEST_PERCENT) return false;
  if (row.label !== 'other') return true;
  return percentile - TEST_PERCENT < (100 - TEST_PERCENT) * OTHER_TRAINING_SHARE[row.source];
}

/** Whether the default model trains on a row (see {@link loadTrainingData}). */
export function isTrainingRow(row: SourcedText): boolean {
  return trainsOn(row, textPercentile(row.text));
}

/**
 * Reads the training data from `dataDir` (default: the repository's data/classify): `test` is the held-out 20% of
 * every source (of our rows, only saas-billing.csv's: the train-only file is never tested on); `train` the rows the
 * default model trains on: every other row of ours, every train-only row, every billing row, and a hash-chosen share
 * of the public sets' `other` rows ({@link OTHER_TRAINING_SHARE}). The rest is unused.
 */
export function loadTrainingData(dataDir: string = defaultDataDir()): { train: SourcedText[]; test: SourcedText[] } {
  const train: SourcedText[] = [];
  const test: SourcedText[] = [];
  for (const row of loadLabelledRows(dataDir)) {
    const percentile = textPercentile(row.text);
    if (percentile < TEST_PERCENT && !row.trainOnly) test.push(row);
    else if (trainsOn(row, percentile)) train.push(row);
  }
  return { train, test };
}

let memoized: TextClassifier<TicketClass> | undefined;

/**
 * The classifier trained on the train split of the repository's data ({@link isTrainingRow}), trained once per
 * process at first use, with its confidence calibrated by {@link TEMPERATURE}.
 */
export function defaultClassifier(): TextClassifier<TicketClass> {
  memoized ??= withTemperature(trainClassifier(loadTrainingData().train), TEMPERATURE);
  return memoized;
}

// --- Evaluation ---------------------------------------------------------------------------------------------

/**
 * Accuracy, macro-F1 (mean F1 over the classes that occur in `rows`), per-class scores and the confusion matrix
 * (rows = true class, columns = predicted).
 */
export function evaluate(classifier: TicketClassifier, rows: LabelledText[]): Evaluation {
  return evaluateTextClassifier({ labels: TICKET_CLASSES, classify: (text) => classifier.classify(text) }, rows);
}

/** A classifier's scores on one source's rows. */
export interface SourceEvaluation extends Evaluation {
  source: TicketSource;
  rows: number;
  /** Share of the truly-`other` rows predicted as a billing class (out-of-domain false positives). */
  oodFalsePositiveRate: number;
  /** Expected calibration error of `confidence` over 10 equal-width bins. */
  calibrationError: number;
}

/** {@link evaluate} per source, with the out-of-domain false-positive rate and the calibration error. */
export function evaluateBySource(classifier: TicketClassifier, rows: SourcedText[]): SourceEvaluation[] {
  return TICKET_SOURCES.map((source) => {
    const mine = rows.filter((row) => row.source === source);
    const answers = mine.map((row) => ({ row, answer: classifier.classify(row.text) }));
    const other = answers.filter(({ row }) => row.label === 'other');
    const falsePositives = other.filter(({ answer }) => answer.label !== 'other').length;
    return {
      ...evaluate(classifier, mine),
      source,
      rows: mine.length,
      oodFalsePositiveRate: other.length > 0 ? falsePositives / other.length : 0,
      calibrationError: expectedCalibrationError(
        answers.map(({ row, answer }) => ({ confidence: answer.confidence, correct: answer.label === row.label })),
      ),
    };
  });
}
