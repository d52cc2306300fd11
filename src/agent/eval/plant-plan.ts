/** Eval setup: a plan planted straight through the ledger (a catalogue the scenario assumes, not an agent act). */
import { openConnector } from '../../connectors/open-connector.ts';
import { newId } from '../../domain/ids.ts';
import type { EvalStore } from './eval-store.ts';

/** Creates a product with a monthly and an annual USD price. */
export async function createPlanDirect(
  business: EvalStore,
  plan: { name: string; monthly_amount: number },
): Promise<void> {
  const connector = openConnector(business.store.db, business.orgId);
  const product = await connector.createProduct(
    { name: plan.name, limits: {}, overage: '' },
    { idempotencyKey: newId('request') },
  );
  for (const interval of ['month', 'year'] as const)
    await connector.createPrice(
      {
        productId: product.id,
        currency: 'usd',
        interval,
        scheme: 'flat',
        unitAmount: interval === 'month' ? plan.monthly_amount : plan.monthly_amount * 10,
        nickname: `${plan.name} (${interval === 'month' ? 'monthly' : 'annual'})`,
      },
      { idempotencyKey: newId('request') },
    );
}
