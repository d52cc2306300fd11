import { isHeldOut } from './src/tickets/classifier.ts';
for (const m of process.argv.slice(2)) console.log(isHeldOut(m) ? 'TEST ' : 'train', m);
