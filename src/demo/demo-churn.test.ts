/**
 * The default demo (`leash demo`, `npm start`: 300 customers, 24 months, seed "leash", ending today) always has
 * subscriptions lost to failed payments in its last three months, whatever the day it ends (issue 21: the demo
 * ending 4 Dec 2026 had none, so the involuntary-churn insight and its suggestions came up empty). They are on
 * customers without a story of their own. Real store (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { describe, expect, it } from 'vitest';
import { MANAGER, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import type { Suggestion } from '../insights/suggest.ts';
import { runRead } from '../operations/run-operation.ts';
import { NAMED_COMPANIES } from './companies.ts';
import { generateDemo } from './generate-demo.ts';

type Churn = { lost: { customerId: string; endedAt: string | Date }[]; suggestions: Suggestion[] };

const DAY = 86_400_000;

describe(`involuntary churn in the default demo (${testStoreKind})`, () => {
  it.each(['2026-12-04', '2026-12-20', '2027-03-01'])(
    'the demo ending %s lost subscriptions to failed payments in its last three months, and churn suggests replies',
    async (day) => {
      const fixture = await openLeashFixture();
      try {
        const endAt = new Date(`${day}T00:00:00Z`);
        // The options `leash demo` and `npm start` use (src/cli/commands/demo.ts).
        const summary = await generateDemo(fixture.store, {
          orgId: fixture.orgId,
          customers: 300,
          seed: 'leash',
          months: 24,
          endAt,
          plantChurn: true,
        });
        const churn = (await runRead(await fixture.context(MANAGER), 'involuntary_churn', {})) as Churn;
        expect(churn.lost.length).toBeGreaterThan(0);
        expect(churn.suggestions.length).toBeGreaterThan(0);
        expect(churn.suggestions.every((suggestion) => suggestion.operation === 'draft_reply')).toBe(true);

        const named = await fixture.store.db
          .selectFrom('customers')
          .select('id')
          .where('orgId', '=', fixture.orgId)
          .where('name', 'in', NAMED_COMPANIES)
          .execute();
        const storied = new Set([
          ...named.map((row) => row.id),
          ...summary.duplicateSubscriptions,
          ...summary.doubleCharges,
        ]);
        const recent = churn.lost.filter(
          (row) => new Date(row.endedAt).getTime() > endAt.getTime() - 92 * DAY && !storied.has(row.customerId),
        );
        expect(recent.length, JSON.stringify(churn.lost)).toBeGreaterThanOrEqual(2);
      } finally {
        await fixture.close();
      }
    },
    120_000,
  );
});
