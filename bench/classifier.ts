/**
 * The ticket classifier: time to first use (reading the data and training), training time on the train split,
 * classification throughput over the held-out rows, and per source (our SaaS rows, BANKING77, CLINC150) the held-out
 * accuracy, macro-F1, out-of-domain false-positive rate and calibration error (docs/decisions/0004-ticket-classifier.md).
 */

import { withTemperature } from '../src/agent/text/text-classifier.ts';
import {
  evaluate,
  evaluateBySource,
  type LabelledText,
  loadTrainingData,
  type SourceEvaluation,
  TEMPERATURE,
  type TicketClassifier,
  type TicketSource,
  tokenize,
  trainClassifier,
} from '../src/agent/ticket/classifier.ts';
import { perSecond, quantile } from './stats.ts';

/** One source's held-out figures. */
export interface SourceFigures {
  source: TicketSource;
  rows: number;
  accuracy: number;
  macroF1: number;
  /** Share of truly-`other` rows predicted as a billing class. */
  oodFalsePositiveRate: number;
  /** Expected calibration error of the calibrated confidence (10 bins). */
  calibrationError: number;
}

/** What {@link benchClassifier} measures. */
export interface ClassifierFigures {
  /** Wall time to read data/classify and split it, in milliseconds (part of the first use). */
  loadMs: number;
  /** Median wall time of three trainings on the train split, in milliseconds. */
  trainMs: number;
  trainRows: number;
  /** Held-out texts classified per second, one after another on one core. */
  classificationsPerSecond: number;
  /** The baseline: held-out texts only tokenised (no features, no model) per second. */
  tokenizePerSecond: number;
  /** Over all held-out rows. */
  accuracy: number;
  macroF1: number;
  testRows: number;
  sources: SourceFigures[];
}

const TRAININGS = 3;
const THROUGHPUT_MS = 1_000;

/** Trains `TRAININGS` times; returns the last model (calibrated as the default one is) and the median time. */
function timeTraining(train: LabelledText[]): { classifier: TicketClassifier; trainMs: number } {
  const durations: number[] = [];
  let classifier: TicketClassifier | undefined;
  for (let run = 0; run < TRAININGS; run += 1) {
    const started = performance.now();
    classifier = withTemperature(trainClassifier(train), TEMPERATURE);
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

/** The figures the bench prints of one source. */
function sourceFigures(evaluation: SourceEvaluation): SourceFigures {
  const { source, rows, accuracy, macroF1, oodFalsePositiveRate, calibrationError } = evaluation;
  return { source, rows, accuracy, macroF1, oodFalsePositiveRate, calibrationError };
}

/** Measures the classifier: load and training time, throughput, and held-out scores overall and per source. */
export async function benchClassifier(): Promise<ClassifierFigures> {
  const loadStarted = performance.now();
  const { train, test } = loadTrainingData();
  const loadMs = performance.now() - loadStarted;
  const { classifier, trainMs } = timeTraining(train);
  const classificationsPerSecond = throughput(test, (text) => classifier.classify(text));
  const tokenizePerSecond = throughput(test, tokenize);
  const { accuracy, macroF1 } = evaluate(classifier, test);
  return {
    loadMs,
    trainMs,
    trainRows: train.length,
    classificationsPerSecond,
    tokenizePerSecond,
    accuracy,
    macroF1,
    testRows: test.length,
    sources: evaluateBySource(classifier, test).map(sourceFigures),
  };
}
