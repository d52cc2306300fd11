/**
 * The ticket classifier: training time on the train split, classification throughput over the held-out rows,
 * and the held-out accuracy and macro-F1 (docs/decisions/0004-ticket-classifier.md).
 */
import {
  evaluate,
  type LabelledText,
  loadTrainingData,
  type TicketClassifier,
  tokenize,
  trainClassifier,
} from '../src/agent/ticket/classifier.ts';
import { perSecond, quantile } from './stats.ts';

/** What {@link benchClassifier} measures. */
export interface ClassifierFigures {
  /** Median wall time of three trainings on the train split, in milliseconds. */
  trainMs: number;
  /** Held-out texts classified per second, one after another on one core. */
  classificationsPerSecond: number;
  /** The baseline: held-out texts only tokenised (no features, no model) per second. */
  tokenizePerSecond: number;
  accuracy: number;
  macroF1: number;
  testRows: number;
}

const TRAININGS = 3;
const THROUGHPUT_MS = 1_000;

/** Trains `TRAININGS` times; returns the last model and the median training time. */
function timeTraining(train: LabelledText[]): { classifier: TicketClassifier; trainMs: number } {
  const durations: number[] = [];
  let classifier: TicketClassifier | undefined;
  for (let run = 0; run < TRAININGS; run += 1) {
    const started = performance.now();
    classifier = trainClassifier(train);
    durations.push(performance.now() - started);
  }
  if (!classifier) throw new Error('no training ran');
  return {
    classifier,
    trainMs: quantile(
      [...durations].sort((a, b) => a - b),
      0.5,
    ),
  };
}

/** Runs `work` on every row over and over for about `THROUGHPUT_MS` (after one untimed pass); returns rows/s. */
function throughput(rows: LabelledText[], work: (text: string) => unknown): number {
  for (const row of rows) work(row.text);
  let classified = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < THROUGHPUT_MS) {
    for (const row of rows) work(row.text);
    classified += rows.length;
    elapsed = performance.now() - started;
  }
  return perSecond(classified, elapsed);
}

/** Measures the classifier: training time, throughput and held-out scores. */
export async function benchClassifier(): Promise<ClassifierFigures> {
  const { train, test } = loadTrainingData();
  const { classifier, trainMs } = timeTraining(train);
  const classificationsPerSecond = throughput(test, (text) => classifier.classify(text));
  const tokenizePerSecond = throughput(test, tokenize);
  const { accuracy, macroF1 } = evaluate(classifier, test);
  return { trainMs, classificationsPerSecond, tokenizePerSecond, accuracy, macroF1, testRows: test.length };
}
