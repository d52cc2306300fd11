/**
 * A small trained classifier for billing support tickets: which of eight classes a customer's message is about.
 *
 * Features: lowercased word unigrams and bigrams plus character 3–5-grams inside words, hashed into 2^18
 * buckets, weighted by sublinear TF-IDF and L2-normalised. Model: multinomial logistic regression (softmax)
 * trained by AdaGrad over a seeded shuffle, with balanced class weights. Deterministic: the same rows give the
 * same model. Data and split: data/classify/README.md; why this model: docs/decisions/0004-ticket-classifier.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvRecords } from './csv.ts';

/** The classes a ticket can be given, in a fixed order. */
export const TICKET_CLASSES = [
  'invoice',
  'plan',
  'usage',
  'refund',
  'cancellation',
  'tax',
  'payment_failure',
  'other',
] as const;

/** One of {@link TICKET_CLASSES}. */
export type TicketClass = (typeof TICKET_CLASSES)[number];

/** A classifier's answer: the most probable class, its probability, and every class's probability (sum 1). */
export interface Classification {
  label: TicketClass;
  confidence: number;
  scores: Record<TicketClass, number>;
}

/** A training or evaluation example. */
export interface LabelledText {
  text: string;
  label: TicketClass;
}

/** A trained model. */
export interface TicketClassifier {
  classify(text: string): Classification;
}

/** Knobs of the trainer; the defaults are the measured best (docs/decisions/0004-ticket-classifier.md). */
export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  balance: number;
  model: 'softmax' | 'cnb';
  alpha: number;
}

const DEFAULT_OPTIONS: TrainOptions = {
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-6,
  seed: 20_240_601,
  balance: 1,
  model: 'softmax',
  alpha: 0.3,
};
const CLASS_COUNT = TICKET_CLASSES.length;
const BUCKET_BITS = 18;
const BUCKETS = 1 << BUCKET_BITS;
const TEST_PERCENT = 20;

// --- Features -----------------------------------------------------------------------------------------------

const WORD_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x2c1b3c6d;
const CHAR_SEED = 0x297a2d39;
const FNV_PRIME = 0x01000193;
const BUCKET_MASK = BUCKETS - 1;
const SENTENCE_START = 0x5bd1e995;
const SENTENCE_END = 0x27d4eb2f;

/** Murmur3's finaliser: spreads every input bit over the low bits that pick the bucket. */
function avalanche(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, from `seed`, without the final avalanche. */
function fnv(text: string, seed: number): number {
  let hash = seed;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash;
}

/** A well-mixed 32-bit hash of a string. */
function hashString(text: string): number {
  return avalanche(fnv(text, WORD_SEED));
}

/** Lowercased words: letters and digits, apostrophes dropped ("don't" → "dont"). */
export function tokenize(text: string): string[] {
  const normalised = text.normalize('NFKC').toLowerCase().replace(/['’`]/g, '');
  return normalised.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A sparse vector: parallel bucket indices (ascending) and values. */
interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Feature buckets of a text with their raw counts (indices ascending, no repeats). */
interface FeatureCounts {
  indices: Int32Array;
  counts: Float64Array;
}

/** A growable list of bucket numbers, reused between texts so featurising allocates little. */
class BucketList {
  values = new Int32Array(1024);
  length = 0;

  push(bucket: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length] = bucket;
    this.length += 1;
  }
}

const scratch = new BucketList();
const PAD_START = 0x3c; // '<'
const PAD_END = 0x3e; // '>'

/** The code unit at `position` of `<word>`: the padding marks the word's start and end. */
function paddedCode(word: string, position: number): number {
  if (position === 0) return PAD_START;
  if (position === word.length + 1) return PAD_END;
  return word.charCodeAt(position - 1);
}

/** Appends the buckets of the character 3–5-grams of `<word>` (hashed in place, no substrings built). */
function pushCharGrams(word: string, buckets: BucketList): void {
  const length = word.length + 2;
  for (let start = 0; start + 3 <= length; start += 1) {
    let hash = CHAR_SEED;
    for (let size = 1; size <= 5 && start + size <= length; size += 1) {
      hash = Math.imul(hash ^ paddedCode(word, start + size - 1), FNV_PRIME);
      if (size >= 3) buckets.push(avalanche(hash ^ size) & BUCKET_MASK);
    }
  }
}

/** Fills `buckets` with a text's features: word unigrams, word bigrams (start and end marked), character n-grams. */
function collectBuckets(text: string, buckets: BucketList): void {
  buckets.length = 0;
  let previous = SENTENCE_START;
  for (const word of tokenize(text)) {
    const wordHash = fnv(word, WORD_SEED);
    buckets.push(avalanche(wordHash) & BUCKET_MASK);
    buckets.push(avalanche(Math.imul(previous, 31) ^ wordHash ^ BIGRAM_SEED) & BUCKET_MASK);
    previous = wordHash;
    pushCharGrams(word, buckets);
  }
  if (buckets.length > 0) buckets.push(avalanche(Math.imul(previous, 31) ^ SENTENCE_END ^ BIGRAM_SEED) & BUCKET_MASK);
}

/** Raw counts of a text's feature buckets, ascending by bucket. */
function featureCounts(text: string): FeatureCounts {
  collectBuckets(text, scratch);
  const sorted = scratch.values.subarray(0, scratch.length).sort();
  let distinct = 0;
  for (let index = 0; index < sorted.length; index += 1) if (index === 0 || sorted[index] !== sorted[index - 1]) distinct += 1;
  const indices = new Int32Array(distinct);
  const counts = new Float64Array(distinct);
  let position = -1;
  for (let index = 0; index < sorted.length; index += 1) {
    const bucket = sorted[index] ?? 0;
    if (position < 0 || indices[position] !== bucket) {
      position += 1;
      indices[position] = bucket;
    }
    counts[position] = (counts[position] ?? 0) + 1;
  }
  return { indices, counts };
}

/** Sublinear TF (1 + ln tf) times IDF, L2-normalised. */
function weigh(features: FeatureCounts, idf: Float64Array): SparseVector {
  const { indices, counts } = features;
  const values = new Float64Array(indices.length);
  let norm = 0;
  for (let position = 0; position < indices.length; position += 1) {
    const value = (1 + Math.log(counts[position] ?? 1)) * (idf[indices[position] ?? 0] ?? 1);
    values[position] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < values.length; index += 1) values[index] = (values[index] ?? 0) * scale;
  return { indices, values };
}

/** Smoothed inverse document frequency of every bucket over the training texts. */
function fitIdf(documents: FeatureCounts[]): Float64Array {
  const frequency = new Float64Array(BUCKETS);
  for (const { indices } of documents) for (const bucket of indices) frequency[bucket] = (frequency[bucket] ?? 0) + 1;
  const idf = new Float64Array(BUCKETS);
  for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
    idf[bucket] = Math.log((1 + documents.length) / (1 + (frequency[bucket] ?? 0))) + 1;
  }
  return idf;
}

// --- Model --------------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32) for the training order. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates shuffle of 0..length-1 with a seeded PRNG. */
function shuffledOrder(length: number, random: () => number): Int32Array {
  const order = new Int32Array(length);
  for (let index = 0; index < length; index += 1) order[index] = index;
  for (let index = length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const swap = order[index] ?? 0;
    order[index] = order[other] ?? 0;
    order[other] = swap;
  }
  return order;
}

/** Softmax-regression weights: one row of CLASS_COUNT weights per bucket, plus a bias per class. */
interface Weights {
  matrix: Float64Array;
  bias: Float64Array;
}

/** Class probabilities of one vector, written into `out`. */
function probabilities(weights: Weights, vector: SparseVector, out: Float64Array): void {
  for (let k = 0; k < CLASS_COUNT; k += 1) out[k] = weights.bias[k] ?? 0;
  for (let index = 0; index < vector.indices.length; index += 1) {
    const row = (vector.indices[index] ?? 0) * CLASS_COUNT;
    const value = vector.values[index] ?? 0;
    for (let k = 0; k < CLASS_COUNT; k += 1) out[k] = (out[k] ?? 0) + (weights.matrix[row + k] ?? 0) * value;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < CLASS_COUNT; k += 1) max = Math.max(max, out[k] ?? 0);
  let sum = 0;
  for (let k = 0; k < CLASS_COUNT; k += 1) {
    const exp = Math.exp((out[k] ?? 0) - max);
    out[k] = exp;
    sum += exp;
  }
  for (let k = 0; k < CLASS_COUNT; k += 1) out[k] = (out[k] ?? 0) / sum;
}

/** Balanced class weights: n / (classes × n_c), so every class counts the same in the loss. */
function classWeights(labels: Int32Array, balance = 1): Float64Array {
  const counts = new Float64Array(CLASS_COUNT);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  const present = counts.filter((value) => value > 0).length;
  return counts.map((value) => (value > 0 ? (labels.length / (present * value)) ** balance : 0));
}

/** Trains softmax regression with AdaGrad over a seeded shuffle each epoch (weighted cross-entropy, small L2). */
function fitSoftmax(vectors: SparseVector[], labels: Int32Array, options: TrainOptions): Weights {
  const weights: Weights = { matrix: new Float64Array(BUCKETS * CLASS_COUNT), bias: new Float64Array(CLASS_COUNT) };
  const squaredMatrix = new Float64Array(BUCKETS * CLASS_COUNT);
  const squaredBias = new Float64Array(CLASS_COUNT);
  const perClass = classWeights(labels, options.balance);
  const random = seededRandom(options.seed);
  const probs = new Float64Array(CLASS_COUNT);
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const example of shuffledOrder(vectors.length, random)) {
      const vector = vectors[example];
      const label = labels[example] ?? 0;
      if (!vector) continue;
      probabilities(weights, vector, probs);
      const sampleWeight = perClass[label] ?? 1;
      for (let k = 0; k < CLASS_COUNT; k += 1) {
        const gradient = ((probs[k] ?? 0) - (k === label ? 1 : 0)) * sampleWeight;
        squaredBias[k] = (squaredBias[k] ?? 0) + gradient * gradient;
        weights.bias[k] =
          (weights.bias[k] ?? 0) - (options.learningRate * gradient) / Math.sqrt((squaredBias[k] ?? 0) + 1e-8);
        probs[k] = gradient;
      }
      for (let index = 0; index < vector.indices.length; index += 1) {
        const row = (vector.indices[index] ?? 0) * CLASS_COUNT;
        const value = vector.values[index] ?? 0;
        for (let k = 0; k < CLASS_COUNT; k += 1) {
          const cell = row + k;
          const current = weights.matrix[cell] ?? 0;
          const gradient = (probs[k] ?? 0) * value + options.l2 * current;
          squaredMatrix[cell] = (squaredMatrix[cell] ?? 0) + gradient * gradient;
          weights.matrix[cell] =
            current - (options.learningRate * gradient) / Math.sqrt((squaredMatrix[cell] ?? 0) + 1e-8);
        }
      }
    }
  }
  return weights;
}

/** Complement naive Bayes (Rennie et al. 2003) as a linear model; scores are softmaxed like the regression. */
function fitComplementNb(vectors: SparseVector[], labels: Int32Array, options: TrainOptions): Weights {
  const perClass = classWeights(labels, options.balance);
  const totals = new Float64Array(BUCKETS);
  const byClass = new Float64Array(BUCKETS * CLASS_COUNT);
  vectors.forEach((vector, example) => {
    const label = labels[example] ?? 0;
    const w = perClass[label] ?? 1;
    for (let index = 0; index < vector.indices.length; index += 1) {
      const bucket = vector.indices[index] ?? 0;
      const value = (vector.values[index] ?? 0) * w;
      totals[bucket] = (totals[bucket] ?? 0) + value;
      byClass[bucket * CLASS_COUNT + label] = (byClass[bucket * CLASS_COUNT + label] ?? 0) + value;
    }
  });
  const classMass = new Float64Array(CLASS_COUNT);
  let allMass = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
    allMass += totals[bucket] ?? 0;
    for (let k = 0; k < CLASS_COUNT; k += 1)
      classMass[k] = (classMass[k] ?? 0) + (byClass[bucket * CLASS_COUNT + k] ?? 0);
  }
  const matrix = new Float64Array(BUCKETS * CLASS_COUNT);
  const norms = new Float64Array(CLASS_COUNT);
  for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
    for (let k = 0; k < CLASS_COUNT; k += 1) {
      const complement = (totals[bucket] ?? 0) - (byClass[bucket * CLASS_COUNT + k] ?? 0) + options.alpha;
      const complementMass = allMass - (classMass[k] ?? 0) + options.alpha * BUCKETS;
      const value = Math.log(complement / complementMass);
      matrix[bucket * CLASS_COUNT + k] = value;
      norms[k] = (norms[k] ?? 0) + Math.abs(value);
    }
  }
  for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
    for (let k = 0; k < CLASS_COUNT; k += 1) {
      const cell = bucket * CLASS_COUNT + k;
      matrix[cell] = (-(matrix[cell] ?? 0) / (norms[k] ?? 1)) * options.epochs * 1000;
    }
  }
  return { matrix, bias: new Float64Array(CLASS_COUNT) };
}

/** Turns a probability vector into a {@link Classification}. */
function toClassification(probs: Float64Array): Classification {
  const scores = {} as Record<TicketClass, number>;
  let best = 0;
  TICKET_CLASSES.forEach((name, k) => {
    scores[name] = probs[k] ?? 0;
    if ((probs[k] ?? 0) > (probs[best] ?? 0)) best = k;
  });
  const label = TICKET_CLASSES[best] ?? 'other';
  return { label, confidence: scores[label], scores };
}

/** Trains a classifier on labelled texts. Deterministic: the same rows in the same order give the same model. */
export function trainClassifier(rows: LabelledText[], options: Partial<TrainOptions> = {}): TicketClassifier {
  if (rows.length === 0) throw new Error('trainClassifier needs at least one row');
  const settings = { ...DEFAULT_OPTIONS, ...options };
  const counts = rows.map((row) => featureCounts(row.text));
  const idf = fitIdf(counts);
  const vectors = counts.map((row) => weigh(row, idf));
  const labels = Int32Array.from(rows, (row) => TICKET_CLASSES.indexOf(row.label));
  const weights =
    settings.model === 'cnb' ? fitComplementNb(vectors, labels, settings) : fitSoftmax(vectors, labels, settings);
  return {
    classify(text: string): Classification {
      const probs = new Float64Array(CLASS_COUNT);
      probabilities(weights, weigh(featureCounts(text), idf), probs);
      return toClassification(probs);
    },
  };
}

// --- Data ---------------------------------------------------------------------------------------------------

/** The repository's data/classify directory, found from this module's own location. */
function defaultDataDir(): string {
  return fileURLToPath(new URL('../../data/classify/', import.meta.url));
}

/** Whether a text belongs to the held-out test split: 20% of texts, chosen by a hash of the normalised text. */
export function isHeldOut(text: string): boolean {
  return hashString(`split:${tokenize(text).join(' ')}`) % 100 < TEST_PERCENT;
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

/** Per-class precision, recall, F1 and support. */
export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Scores of a classifier on labelled rows. */
export interface Evaluation {
  accuracy: number;
  macroF1: number;
  perClass: Record<TicketClass, ClassScore>;
  confusion: Record<TicketClass, Record<TicketClass, number>>;
}

/** An all-zero confusion matrix, rows = true class, columns = predicted class. */
function emptyConfusion(): Record<TicketClass, Record<TicketClass, number>> {
  const zeros = () => Object.fromEntries(TICKET_CLASSES.map((name) => [name, 0])) as Record<TicketClass, number>;
  return Object.fromEntries(TICKET_CLASSES.map((name) => [name, zeros()])) as Record<
    TicketClass,
    Record<TicketClass, number>
  >;
}

/** Precision, recall and F1 of one class from the confusion matrix. */
function scoreClass(confusion: Record<TicketClass, Record<TicketClass, number>>, name: TicketClass): ClassScore {
  const truePositives = confusion[name][name];
  const support = TICKET_CLASSES.reduce((sum, predicted) => sum + confusion[name][predicted], 0);
  const predictedCount = TICKET_CLASSES.reduce((sum, actual) => sum + confusion[actual][name], 0);
  const precision = predictedCount > 0 ? truePositives / predictedCount : 0;
  const recall = support > 0 ? truePositives / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

/**
 * Accuracy, macro-F1 (mean F1 over the classes that occur in `rows`), per-class scores and the confusion matrix
 * (rows = true class, columns = predicted).
 */
export function evaluate(classifier: TicketClassifier, rows: LabelledText[]): Evaluation {
  const confusion = emptyConfusion();
  let correct = 0;
  for (const row of rows) {
    const predicted = classifier.classify(row.text).label;
    confusion[row.label][predicted] += 1;
    if (predicted === row.label) correct += 1;
  }
  const perClass = Object.fromEntries(TICKET_CLASSES.map((name) => [name, scoreClass(confusion, name)])) as Record<
    TicketClass,
    ClassScore
  >;
  const present = TICKET_CLASSES.filter((name) => perClass[name].support > 0);
  const macroF1 = present.reduce((sum, name) => sum + perClass[name].f1, 0) / Math.max(1, present.length);
  return { accuracy: rows.length > 0 ? correct / rows.length : 0, macroF1, perClass, confusion };
}
