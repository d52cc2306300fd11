import { evaluate, loadTrainingData, trainClassifier, TICKET_CLASSES } from './src/tickets/classifier.ts';
const { train } = loadTrainingData();
const cfg = JSON.parse(process.argv[2] ?? '{}');
const FOLDS = 4;
const conf: Record<string, Record<string, number>> = {};
for (let f = 0; f < FOLDS; f++) {
  const tr = train.filter((_, i) => i % FOLDS !== f), va = train.filter((_, i) => i % FOLDS === f);
  const m = trainClassifier(tr, cfg);
  for (const r of va) { const p = m.classify(r.text); conf[r.label] ??= {}; conf[r.label][p.label] = (conf[r.label][p.label] ?? 0) + 1;
    if (p.label !== r.label && ['plan','usage','tax','other'].includes(r.label) || (p.label !== r.label && ['plan','usage','tax','other'].includes(p.label))) console.log(`${r.label} -> ${p.label} (${p.confidence.toFixed(2)}): ${r.text}`); }
}
for (const c of TICKET_CLASSES) console.log(c.padEnd(16), TICKET_CLASSES.map(p => String(conf[c]?.[p] ?? 0).padStart(5)).join(''));
