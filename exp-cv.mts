import { evaluate, loadTrainingData, trainClassifier, TICKET_CLASSES, type LabelledText } from './src/tickets/classifier.ts';
const { train, test } = loadTrainingData();
const configs = JSON.parse(process.argv[2] ?? "[{}]"); 
const FOLDS = 4;

for (const cfg of configs) {
  const f1s: Record<string, number> = Object.fromEntries(TICKET_CLASSES.map(c => [c, 0]));
  let macro = 0, acc = 0, ms = 0;
  for (let f = 0; f < FOLDS; f++) {
    const tr = train.filter((_, i) => i % FOLDS !== f), va = train.filter((_, i) => i % FOLDS === f);
    const t0 = performance.now(); const m = trainClassifier(tr, cfg); ms += performance.now() - t0;
    const e = evaluate(m, va); macro += e.macroF1 / FOLDS; acc += e.accuracy / FOLDS;
    for (const c of TICKET_CLASSES) f1s[c] += e.perClass[c].f1 / FOLDS;
  }
  const m = trainClassifier(train, cfg); const e = evaluate(m, test);
  console.log(JSON.stringify(cfg), `cv acc ${acc.toFixed(4)} macro ${macro.toFixed(4)} | test acc ${e.accuracy.toFixed(4)} macro ${e.macroF1.toFixed(4)} | ${(ms/FOLDS).toFixed(0)}ms`, TICKET_CLASSES.map(c => `${c.slice(0,5)}=${f1s[c].toFixed(3)}`).join(' '));
}
