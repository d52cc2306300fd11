/** The shared text classifier over a generic label set: trains, classifies, evaluates, is deterministic. */
import { describe, expect, it } from 'vitest';
import {
  evaluateTextClassifier,
  expectedCalibrationError,
  fitTemperature,
  isHeldOutText,
  tokenize,
  trainTextClassifier,
  withTemperature,
} from '../../src/agent/text/text-classifier.ts';

const LABELS = ['weather', 'music', 'timer'] as const;
type Label = (typeof LABELS)[number];

const TEMPLATES: Record<Label, string[]> = {
  weather: [
    'what is the weather in {x}',
    'will it rain in {x} tomorrow',
    'how hot is it in {x} today',
    'is it sunny in {x}',
    'forecast for {x} this weekend',
  ],
  music: [
    'play some {x} music',
    'put on a {x} playlist',
    'I want to listen to {x} songs',
    'shuffle my {x} album',
    'skip this {x} track',
  ],
  timer: [
    'set a timer for {x} minutes',
    'start a {x} minute countdown',
    'remind me in {x} minutes',
    'how long is left on the {x} minute timer',
    'cancel the {x} minute timer',
  ],
};
const FILLERS: Record<Label, string[]> = {
  weather: ['paris', 'london', 'tokyo', 'berlin', 'madrid', 'oslo'],
  music: ['jazz', 'rock', 'classical', 'techno', 'folk', 'blues'],
  timer: ['five', 'ten', '15', '20', 'thirty', '45'],
};

const rows = LABELS.flatMap((label) =>
  TEMPLATES[label].flatMap((template) => FILLERS[label].map((x) => ({ text: template.replace('{x}', x), label }))),
);

describe('text classifier', () => {
  it('tokenises to lowercased words without apostrophes', () => {
    expect(tokenize("Don't STOP me-now, 42x!")).toEqual(['dont', 'stop', 'me', 'now', '42x']);
  });

  it('trains on a generic label set and classifies unseen phrasing', () => {
    const classifier = trainTextClassifier(LABELS, rows);
    expect(classifier.labels).toEqual(LABELS);
    expect(classifier.classify('what is the weather like in rome').label).toBe('weather');
    expect(classifier.classify('play a jazz song please').label).toBe('music');
    expect(classifier.classify('set a 25 minute timer').label).toBe('timer');
    const { label, confidence, scores } = classifier.classify('rain tomorrow?');
    expect(Object.keys(scores).sort()).toEqual([...LABELS].sort());
    expect(LABELS.reduce((sum, name) => sum + scores[name], 0)).toBeCloseTo(1, 9);
    expect(confidence).toBe(scores[label]);
  });

  it('evaluates: accuracy, macro-F1, per-class scores and a confusion matrix', () => {
    const result = evaluateTextClassifier(trainTextClassifier(LABELS, rows), rows);
    expect(result.accuracy).toBe(1);
    expect(result.macroF1).toBe(1);
    expect(result.perClass.music).toEqual({ precision: 1, recall: 1, f1: 1, support: 30 });
    expect(result.confusion.timer).toEqual({ weather: 0, music: 0, timer: 30 });
  });

  it('is deterministic: the same rows give identical scores', () => {
    const first = trainTextClassifier(LABELS, rows);
    const second = trainTextClassifier(LABELS, rows);
    for (const text of ['weather in rome', 'play blues', 'timer 3 minutes', '', '???']) {
      expect(second.classify(text)).toEqual(first.classify(text));
    }
  });

  it('rejects rows whose label is not in the label set', () => {
    const bad = [...rows, { text: 'book a table', label: 'restaurant' as Label }];
    expect(() => trainTextClassifier(LABELS, bad)).toThrow(/unknown label "restaurant"/);
    expect(() => evaluateTextClassifier(trainTextClassifier(LABELS, rows), bad)).toThrow(/unknown label/);
  });

  it('holds out a stable share of texts, by normalised text', () => {
    const texts = Array.from({ length: 2_000 }, (_, index) => `message number ${index}`);
    const share = texts.filter((text) => isHeldOutText(text)).length / texts.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    expect(isHeldOutText('Hello, World!')).toBe(isHeldOutText('hello world'));
    expect(texts.filter((text) => isHeldOutText(text, 0))).toEqual([]);
    expect(texts.every((text) => isHeldOutText(text, 100))).toBe(true);
  });

  it('calibrates by temperature: same labels, sharper or softer probabilities, fitted by log-loss', () => {
    const classifier = trainTextClassifier(LABELS, rows);
    const sharper = withTemperature(classifier, 0.5);
    const softer = withTemperature(classifier, 2);
    for (const text of ['weather in rome', 'play blues', 'rain tomorrow?']) {
      const raw = classifier.classify(text);
      expect(sharper.classify(text).label).toBe(raw.label);
      expect(sharper.classify(text).confidence).toBeGreaterThan(raw.confidence);
      expect(softer.classify(text).confidence).toBeLessThan(raw.confidence);
      expect(withTemperature(classifier, 1).classify(text).confidence).toBeCloseTo(raw.confidence, 12);
    }
    expect(() => withTemperature(classifier, 0)).toThrow(/positive/);
    // Answers right 3 times in 4 at confidence 0.99 are over-confident: the fitted temperature softens them.
    const overconfident = Array.from({ length: 40 }, (_, index) => ({
      label: (index % 4 === 0 ? 'music' : 'weather') as Label,
      scores: { weather: 0.99, music: 0.005, timer: 0.005 },
    }));
    expect(fitTemperature(LABELS, overconfident)).toBeGreaterThan(1);
    expect(fitTemperature(LABELS, [])).toBe(1);
  });

  it('measures the expected calibration error', () => {
    expect(expectedCalibrationError([])).toBe(0);
    const calibrated = Array.from({ length: 10 }, (_, index) => ({ confidence: 0.75, correct: index % 4 !== 0 }));
    expect(expectedCalibrationError(calibrated.slice(0, 8))).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([{ confidence: 0.9, correct: false }])).toBeCloseTo(0.9, 12);
  });
});
