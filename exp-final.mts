import { readFileSync } from 'node:fs';
import { parseCsvRecords } from './src/tickets/csv.ts';
import { evaluate, loadTrainingData, trainClassifier, TICKET_CLASSES } from './src/tickets/classifier.ts';
const { train, test } = loadTrainingData();
const saasTexts = new Set(parseCsvRecords(readFileSync('data/classify/saas-billing.csv', 'utf8')).map(r => r.text));
const times: number[] = [];
let model = trainClassifier(train);
for (let i = 0; i < 5; i++) { const t0 = performance.now(); model = trainClassifier(train); times.push(performance.now() - t0); }
const all = trainClassifier([...train, ...test]);
let t0 = performance.now(); trainClassifier([...train, ...test]); const allMs = performance.now() - t0;
console.log('train rows', train.length, 'test rows', test.length, 'train ms', times.map(t => t.toFixed(0)).join(','), 'all-rows ms', allMs.toFixed(0));
for (const [name, rows] of [['all', test], ['saas', test.filter(r => saasTexts.has(r.text))], ['banking', test.filter(r => !saasTexts.has(r.text))]] as const) {
  const e = evaluate(model, rows);
  console.log(name, rows.length, 'acc', e.accuracy.toFixed(4), 'macroF1', e.macroF1.toFixed(4));
  for (const c of TICKET_CLASSES) { const p = e.perClass[c]; if (p.support) console.log('  ', c.padEnd(16), p.precision.toFixed(3), p.recall.toFixed(3), p.f1.toFixed(3), p.support); }
  if (name === 'all') for (const c of TICKET_CLASSES) console.log('    ', c.padEnd(16), TICKET_CLASSES.map(p => String(e.confusion[c][p]).padStart(5)).join(''));
}
const saasTrain = train.filter(r => saasTexts.has(r.text)).length;
console.log('saas train', saasTrain, 'counts train', Object.fromEntries(TICKET_CLASSES.map(c => [c, train.filter(r => r.label === c).length])), 'test', Object.fromEntries(TICKET_CLASSES.map(c => [c, test.filter(r => r.label === c).length])));
t0 = performance.now(); let n = 0; while (performance.now() - t0 < 1000) { for (const r of test) model.classify(r.text); n += test.length; }
console.log('classify/s', Math.round(n / ((performance.now() - t0) / 1000)));
