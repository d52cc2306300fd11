/**
 * A small trained text classifier over any label set, shared by the ticket classifier
 * (src/agent/ticket/classifier.ts) and other classifiers of short customer or operator texts.
 *
 * Features: lowercased word unigrams and bigrams plus character 3–5-grams inside words, hashed into 2^18
 * buckets, weighted by sublinear TF-IDF and L2-normalised. Model: multinomial logistic regression (softmax)
 * trained by AdaGrad over a seeded shuffle, with power-balanced class weights. Deterministic: no Math.random; the
 * same rows in the same order give the same model. Why this model: docs/decisions/0004-ticket-classifier.md.
 */

/** A classifier's answer: the most probable label, its probability, and every label's probability (sum 1). */
export interface TextClassification<L extends string> {
  label: L;
  confidence: number;
  scores: Record<L, number>;
}

/** A trained model over the labels `labels` (in the order given to the trainer). */
export interface TextClassifier<L extends string> {
  readonly labels: readonly L[];
  classify(text: string): TextClassification<L>;
}

/**
 * Knobs of the trainer; the defaults are the best measured by cross-validation for the ticket classes
 * (docs/decisions/0004-ticket-classifier.md). `balance` is the exponent of the class weights (0 = none, 1 = fully
 * balanced).
 */
export interface TextTrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  balance: number;
}

const DEFAULT_OPTIONS: TextTrainOptions = {
  epochs: 10,
  learningRate: 0.2,
  l2: 1e-4,
  seed: 20_240_601,
  balance: 0.5,
};
const DEFAULT_HELD_OUT_PERCENT = 20;
const BUCKET_BITS = 18;
const BUCKETS = 1 << BUCKET_BITS;
/** Features in fewer training texts than this are dropped: mostly typos and hash collisions of one-off n-grams. */
const MIN_DOCUMENT_FREQUENCY = 3;

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
  for (let index = 0; index < sorted.length; index += 1) {
    if (index === 0 || sorted[index] !== sorted[index - 1]) distinct += 1;
  }
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

/**
 * The features kept from training: every bucket seen in at least MIN_DOCUMENT_FREQUENCY training texts gets a
 * dense row (so the weights stay small and cache-friendly) and its smoothed IDF. Other buckets still weigh
 * `unseenIdf` in a text's norm but carry no weight.
 */
interface Vocabulary {
  rowOf: Int32Array;
  idf: Float64Array;
  unseenIdf: number;
}

/** Keeps the buckets in at least MIN_DOCUMENT_FREQUENCY texts, numbered by first appearance; IDF `ln((1+n)/(1+df)) + 1`. */
function fitVocabulary(documents: FeatureCounts[]): Vocabulary {
  const frequency = new Int32Array(BUCKETS);
  for (const { indices } of documents) for (const bucket of indices) frequency[bucket] = (frequency[bucket] ?? 0) + 1;
  const smoothed = (df: number) => Math.log((1 + documents.length) / (1 + df)) + 1;
  const rowOf = new Int32Array(BUCKETS).fill(-1);
  const idf: number[] = [];
  for (const { indices } of documents) {
    for (const bucket of indices) {
      const df = frequency[bucket] ?? 0;
      if (df < MIN_DOCUMENT_FREQUENCY || (rowOf[bucket] ?? -1) >= 0) continue;
      rowOf[bucket] = idf.length;
      idf.push(smoothed(df));
    }
  }
  return { rowOf, idf: Float64Array.from(idf), unseenIdf: smoothed(0) };
}

/**
 * A text's model input: sublinear TF (1 + ln tf) times IDF, L2-normalised over all its features, keeping only the
 * features the vocabulary knows (as dense rows).
 */
function vectorize(features: FeatureCounts, vocabulary: Vocabulary): SparseVector {
  const { indices, counts } = features;
  const rows = new Int32Array(indices.length);
  const values = new Float64Array(indices.length);
  let known = 0;
  let norm = 0;
  for (let position = 0; position < indices.length; position += 1) {
    const row = vocabulary.rowOf[indices[position] ?? 0] ?? -1;
    const idf = row >= 0 ? (vocabulary.idf[row] ?? 0) : vocabulary.unseenIdf;
    const value = (1 + Math.log(counts[position] ?? 1)) * idf;
    norm += value * value;
    if (row < 0) continue;
    rows[known] = row;
    values[known] = value;
    known += 1;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < known; index += 1) values[index] = (values[index] ?? 0) * scale;
  return { indices: rows.subarray(0, known), values: values.subarray(0, known) };
}

// --- Model --------------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32): the training order, and anything else that must be the same on every run. */
export function seededRandom(seed: number): () => number {
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

/** Softmax-regression weights: `classes` weights per vocabulary row, plus a bias per class. */
interface Weights {
  classes: number;
  matrix: Float64Array;
  bias: Float64Array;
}

/** Class probabilities of one vector, written into `out`. */
function probabilities(weights: Weights, vector: SparseVector, out: Float64Array): void {
  const classes = weights.classes;
  out.set(weights.bias);
  const { matrix } = weights;
  const { indices, values } = vector;
  for (let index = 0; index < indices.length; index += 1) {
    const row = (indices[index] as number) * classes;
    const value = values[index] as number;
    for (let k = 0; k < classes; k += 1) out[k] = (out[k] as number) + (matrix[row + k] as number) * value;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k += 1) max = Math.max(max, out[k] ?? 0);
  let sum = 0;
  for (let k = 0; k < classes; k += 1) {
    const exp = Math.exp((out[k] ?? 0) - max);
    out[k] = exp;
    sum += exp;
  }
  for (let k = 0; k < classes; k += 1) out[k] = (out[k] ?? 0) / sum;
}

/**
 * Per-class loss weights `(n / (classes × n_c)) ^ balance`: 1 weighs every class the same in the loss, 0 weighs
 * every row the same.
 */
function classWeights(labels: Int32Array, classes: number, balance: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  const present = counts.filter((value) => value > 0).length;
  return counts.map((value) => (value > 0 ? (labels.length / (present * value)) ** balance : 0));
}

/** One AdaGrad step: `weights[cell] -= rate × gradient / sqrt(sum of squared gradients so far)`. */
function adagradStep(weights: Float64Array, squares: Float64Array, cell: number, gradient: number, rate: number): void {
  const squared = (squares[cell] ?? 0) + gradient * gradient;
  squares[cell] = squared;
  weights[cell] = (weights[cell] ?? 0) - (rate * gradient) / Math.sqrt(squared + 1e-12);
}

/**
 * Softmax regression by AdaGrad: each epoch visits the rows in a seeded shuffle; loss is class-weighted
 * cross-entropy with a small L2 penalty on the weights a row touches.
 */
function fitSoftmax(
  vectors: SparseVector[],
  labels: Int32Array,
  classes: number,
  rows: number,
  options: TextTrainOptions,
): Weights {
  const weights: Weights = {
    classes,
    matrix: new Float64Array(rows * classes),
    bias: new Float64Array(classes),
  };
  const squaredMatrix = new Float64Array(rows * classes);
  const squaredBias = new Float64Array(classes);
  const perClass = classWeights(labels, classes, options.balance);
  const random = seededRandom(options.seed);
  const residual = new Float64Array(classes);
  const { matrix } = weights;
  const { l2, learningRate: rate } = options;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const example of shuffledOrder(vectors.length, random)) {
      const vector = vectors[example];
      const label = labels[example] ?? 0;
      if (!vector) continue;
      probabilities(weights, vector, residual);
      const sampleWeight = perClass[label] ?? 1;
      for (let k = 0; k < classes; k += 1) {
        residual[k] = ((residual[k] ?? 0) - (k === label ? 1 : 0)) * sampleWeight;
        adagradStep(weights.bias, squaredBias, k, residual[k] ?? 0, options.learningRate);
      }
      // The hot loop: adagradStep inlined over local references (same arithmetic, same order).
      const { indices, values } = vector;
      for (let index = 0; index < indices.length; index += 1) {
        const row = (indices[index] as number) * classes;
        const value = values[index] as number;
        for (let k = 0; k < classes; k += 1) {
          const cell = row + k;
          const weight = matrix[cell] as number;
          const gradient = (residual[k] as number) * value + l2 * weight;
          const squared = (squaredMatrix[cell] as number) + gradient * gradient;
          squaredMatrix[cell] = squared;
          matrix[cell] = weight - (rate * gradient) / Math.sqrt(squared + 1e-12);
        }
      }
    }
  }
  return weights;
}

// --- Training and classifying -------------------------------------------------------------------------------

/** Turns a probability vector into a {@link TextClassification}: ties go to the earlier label. */
function toClassification<L extends string>(labels: readonly L[], probs: Float64Array): TextClassification<L> {
  const scores = {} as Record<L, number>;
  let best = 0;
  labels.forEach((name, k) => {
    scores[name] = probs[k] ?? 0;
    if ((probs[k] ?? 0) > (probs[best] ?? 0)) best = k;
  });
  const label = labels[best] as L;
  return { label, confidence: scores[label], scores };
}

/**
 * Trains a classifier over `labels` on labelled texts (`options` only to experiment; the defaults are the measured
 * best for the ticket classes). Deterministic: the same labels and rows in the same order give the same model.
 * Rows with a label not in `labels` throw.
 */
export function trainTextClassifier<L extends string>(
  labels: readonly L[],
  rows: readonly { text: string; label: L }[],
  options: Partial<TextTrainOptions> = {},
): TextClassifier<L> {
  if (labels.length === 0) throw new Error('trainTextClassifier needs at least one label');
  if (new Set(labels).size !== labels.length) throw new Error('trainTextClassifier: labels must be distinct');
  if (rows.length === 0) throw new Error('trainTextClassifier needs at least one row');
  const indexOf = new Map(labels.map((name, index) => [name as string, index]));
  const targets = Int32Array.from(rows, (row) => {
    const index = indexOf.get(row.label);
    if (index === undefined) throw new Error(`trainTextClassifier: unknown label "${row.label}"`);
    return index;
  });
  const settings = { ...DEFAULT_OPTIONS, ...options };
  const features = rows.map((row) => featureCounts(row.text));
  const vocabulary = fitVocabulary(features);
  const vectors = features.map((row) => vectorize(row, vocabulary));
  const weights = fitSoftmax(vectors, targets, labels.length, vocabulary.idf.length, settings);
  const frozen = Object.freeze([...labels]);
  return {
    labels: frozen,
    classify(text: string): TextClassification<L> {
      const probs = new Float64Array(frozen.length);
      probabilities(weights, vectorize(featureCounts(text), vocabulary), probs);
      return toClassification(frozen, probs);
    },
  };
}

// --- Split --------------------------------------------------------------------------------------------------

/**
 * A text's place in the stable split, 0–99: a hash of its normalised text (lowercased words), so the same text
 * always gets the same number and adding texts moves none. Bands of it pick held-out, validation or subsampled rows.
 */
export function textPercentile(text: string): number {
  return hashString(`split:${tokenize(text).join(' ')}`) % 100;
}

/** True for `percent`% of texts, chosen by a hash of the normalised text (stable split). */
export function isHeldOutText(text: string, percent: number = DEFAULT_HELD_OUT_PERCENT): boolean {
  return textPercentile(text) < percent;
}

// --- Calibration --------------------------------------------------------------------------------------------

/** Probabilities `p` re-tempered: `softmax(ln p / temperature)`, the same as dividing the model's logits by it. */
function temper(probs: readonly number[], temperature: number): number[] {
  const logits = probs.map((value) => Math.log(Math.max(value, 1e-300)) / temperature);
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * The classifier with temperature scaling: every answer's probabilities become `softmax(logits / temperature)`.
 * Above 1 it is less confident, below 1 more; the label never changes. Fit the temperature with
 * {@link fitTemperature} on rows the model did not train on.
 */
export function withTemperature<L extends string>(
  classifier: TextClassifier<L>,
  temperature: number,
): TextClassifier<L> {
  if (!(temperature > 0)) throw new Error(`withTemperature: temperature must be positive, got ${temperature}`);
  const { labels } = classifier;
  return {
    labels,
    classify(text: string): TextClassification<L> {
      const raw = classifier.classify(text);
      const probs = temper(
        labels.map((name) => raw.scores[name]),
        temperature,
      );
      return toClassification(labels, Float64Array.from(probs));
    },
  };
}

/** A model's answer on a row whose true label is known: what calibration is fitted and measured on. */
export interface ScoredRow<L extends string> {
  label: L;
  scores: Record<L, number>;
}

/** Mean negative log-likelihood of the true labels after tempering by `temperature`. */
function temperedLoss<L extends string>(
  labels: readonly L[],
  rows: readonly ScoredRow<L>[],
  temperature: number,
): number {
  let total = 0;
  for (const row of rows) {
    const probs = temper(
      labels.map((name) => row.scores[name]),
      temperature,
    );
    total -= Math.log(Math.max(probs[labels.indexOf(row.label)] ?? 0, 1e-300));
  }
  return total / Math.max(1, rows.length);
}

/**
 * The temperature that minimises the negative log-likelihood of `rows` (answers of a model on rows it did not
 * train on): a golden-section search over ln T in [ln 0.05, ln 20]. Deterministic.
 */
export function fitTemperature<L extends string>(labels: readonly L[], rows: readonly ScoredRow<L>[]): number {
  if (rows.length === 0) return 1;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(0.05);
  let high = Math.log(20);
  const loss = (logT: number) => temperedLoss(labels, rows, Math.exp(logT));
  for (let step = 0; step < 60; step += 1) {
    const left = high - ratio * (high - low);
    const right = low + ratio * (high - low);
    if (loss(left) <= loss(right)) high = right;
    else low = left;
  }
  return Math.exp((low + high) / 2);
}

/**
 * Expected calibration error: answers binned by confidence into `bins` equal-width bins; the mean over answers of
 * |accuracy of the bin − mean confidence of the bin|. 0 is perfectly calibrated.
 */
export function expectedCalibrationError(
  answers: readonly { confidence: number; correct: boolean }[],
  bins = 10,
): number {
  const count = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  for (const answer of answers) {
    const bin = Math.min(bins - 1, Math.floor(answer.confidence * bins));
    count[bin] = (count[bin] ?? 0) + 1;
    confidence[bin] = (confidence[bin] ?? 0) + answer.confidence;
    correct[bin] = (correct[bin] ?? 0) + (answer.correct ? 1 : 0);
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin += 1) {
    const n = count[bin] ?? 0;
    if (n > 0) error += Math.abs((correct[bin] ?? 0) - (confidence[bin] ?? 0));
  }
  return error / Math.max(1, answers.length);
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
export interface TextEvaluation<L extends string> {
  accuracy: number;
  macroF1: number;
  perClass: Record<L, ClassScore>;
  confusion: Record<L, Record<L, number>>;
}

/** Precision, recall and F1 of one class from the confusion matrix. */
function scoreClass<L extends string>(
  labels: readonly L[],
  confusion: Record<L, Record<L, number>>,
  name: L,
): ClassScore {
  const truePositives = confusion[name][name];
  const support = labels.reduce((sum, predicted) => sum + confusion[name][predicted], 0);
  const predictedCount = labels.reduce((sum, actual) => sum + confusion[actual][name], 0);
  const precision = predictedCount > 0 ? truePositives / predictedCount : 0;
  const recall = support > 0 ? truePositives / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

/**
 * Accuracy, macro-F1 (mean F1 over the classes that occur in `rows`), per-class scores and the confusion matrix
 * (rows = true class, columns = predicted), over the classifier's labels. Rows with a label the classifier does
 * not know throw.
 */
export function evaluateTextClassifier<L extends string>(
  classifier: TextClassifier<L>,
  rows: readonly { text: string; label: L }[],
): TextEvaluation<L> {
  const { labels } = classifier;
  const zeros = () => Object.fromEntries(labels.map((name) => [name, 0])) as Record<L, number>;
  const confusion = Object.fromEntries(labels.map((name) => [name, zeros()])) as Record<L, Record<L, number>>;
  let correct = 0;
  for (const row of rows) {
    const actual = confusion[row.label];
    if (!actual) throw new Error(`evaluateTextClassifier: unknown label "${row.label}"`);
    const predicted = classifier.classify(row.text).label;
    actual[predicted] += 1;
    if (predicted === row.label) correct += 1;
  }
  const perClass = Object.fromEntries(labels.map((name) => [name, scoreClass(labels, confusion, name)])) as Record<
    L,
    ClassScore
  >;
  const present = labels.filter((name) => perClass[name].support > 0);
  const macroF1 = present.reduce((sum, name) => sum + perClass[name].f1, 0) / Math.max(1, present.length);
  return { accuracy: rows.length > 0 ? correct / rows.length : 0, macroF1, perClass, confusion };
}
