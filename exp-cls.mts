import { evaluate, loadTrainingData, trainClassifier, TICKET_CLASSES } from './src/tickets/classifier.ts';
const { train, test } = loadTrainingData();
console.log('train', train.length, 'test', test.length);
const counts = (rows: {label:string}[]) => Object.fromEntries(TICKET_CLASSES.map(c => [c, rows.filter(r => r.label === c).length]));
console.log(counts(train), counts(test));
const configs = JSON.parse(process.argv[2] ?? '[{}]');
for (const cfg of configs) {
  const t0 = performance.now();
  const model = trainClassifier(train, cfg);
  const ms = performance.now() - t0;
  const e = evaluate(model, test);
  const per = TICKET_CLASSES.map(c => `${c}=${e.perClass[c].f1.toFixed(3)}`).join(' ');
  console.log(JSON.stringify(cfg), `train ${ms.toFixed(0)}ms acc ${e.accuracy.toFixed(4)} macroF1 ${e.macroF1.toFixed(4)}`, per);
}
