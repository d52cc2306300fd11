/** The demo business as `npm start` builds it (src/cli/commands/demo.ts), ending today, for tests of what people see. */
import { startOfTodayUtc } from '../../src/cli/commands/demo.ts';
import { generateDemo } from '../../src/demo/generate-demo.ts';
import type { Store } from '../../src/store/db.ts';

/** Generates the default demo (300 customers, 24 months, seed leash, planted involuntary churn) into an org. */
export function generateStartDemo(store: Store, orgId: string) {
  return generateDemo(store, {
    orgId,
    customers: 300,
    seed: 'leash',
    months: 24,
    endAt: startOfTodayUtc(),
    plantChurn: true,
  });
}
