/**
 * A small trained classifier for billing support tickets: which of eight classes a customer's message is about.
 *
 * The features and the model (hashed word and character n-grams, TF-IDF, softmax regression by AdaGrad) are the
 * shared text classifier in src/agent/text/text-classifier.ts; this module fixes the label set, reads the
 * training data and holds the process-wide default model. Data and split: data/classify/README.md; why this
 * model: docs/decisions/0004-ticket-classifier.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TICKET_CLASSES, type TicketClass } from '../../domain/tickets.ts';
import {
  type ClassScore,
  evaluateTextClassifier,
  isHeldOutText,
  type TextClassification,
  type TextEvaluation,
  type TextTrainOptions,
  tokenize,
  trainTextClassifier,
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
 * Knobs of the trainer; the defaults are the best measured by 4-fold cross-validation on the train split
 * (docs/decisions/0004-ticket-classifier.md). `balance` is the exponent of the class weights (0 = none, 1 = fully
 * balanced).
 */
export type TrainOptions = TextTrainOptions;

/** Scores of a classifier on labelled rows. */
export type Evaluation = TextEvaluation<TicketClass>;

const TEST_PERCENT = 20;

/**
 * Trains a classifier on labelled texts (`options` only to experiment; the defaults are the measured best).
 * Deterministic: the same rows in the same order give the same model.
 */
export function trainClassifier(rows: LabelledText[], options: Partial<TrainOptions> = {}): TicketClassifier {
  if (rows.length === 0) throw new Error('trainClassifier needs at least one row');
  return trainTextClassifier(TICKET_CLASSES, rows, options);
}

// --- Data ---------------------------------------------------------------------------------------------------

/** The repository's data/classify directory, found from this module's own location. */
function defaultDataDir(): string {
  return fileURLToPath(new URL('../../../data/classify/', import.meta.url));
}

/** Whether a text belongs to the held-out test split: 20% of texts, chosen by a hash of the normalised text. */
export function isHeldOut(text: string): boolean {
  return isHeldOutText(text, TEST_PERCENT);
}

/** Narrows a string to a {@link TicketClass}, or throws naming the file it came from. */
function asTicketClass(value: string | undefined, source: string): TicketClass {
  const found = TICKET_CLASSES.find((name) => name === value);
  if (!found) throw new Error(`${source}: unknown class "${value}"`);
  return found;
}

/** Reads the BANKING77 rows (label: mapped_class) and our own SaaS rows (label: class). */
function readRows(dataDir: string): LabelledText[] {
  const banking = parseCsvRecords(readFileSync(join(dataDir, 'banking77_billing_train.csv'), 'utf8'));
  const saas = parseCsvRecords(readFileSync(join(dataDir, 'saas-billing.csv'), 'utf8'));
  return [
    ...banking.map((row) => ({ text: row.text ?? '', label: asTicketClass(row.mapped_class, 'banking77') })),
    ...saas.map((row) => ({ text: row.text ?? '', label: asTicketClass(row.class, 'saas-billing') })),
  ].filter((row) => row.text.trim() !== '');
}

/** Reads both training files from `dataDir` (default: the repository's data/classify) and splits them 80/20. */
export function loadTrainingData(dataDir: string = defaultDataDir()): { train: LabelledText[]; test: LabelledText[] } {
  const train: LabelledText[] = [];
  const test: LabelledText[] = [];
  for (const row of readRows(dataDir)) (isHeldOut(row.text) ? test : train).push(row);
  return { train, test };
}

let memoized: TicketClassifier | undefined;

/** The classifier trained on the train split of the repository's data, trained once per process. */
export function defaultClassifier(): TicketClassifier {
  memoized ??= trainClassifier(loadTrainingData().train);
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
