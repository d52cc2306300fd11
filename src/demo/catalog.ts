/** The demo business's catalogue: plans with limits (incl. a legacy Starter), local prices, an API add-on, coupons. */
import type { Coupon, Price, PriceTier, Product } from '../domain/billing.ts';
import type { IdKind } from '../domain/ids.ts';
import type { Currency } from '../domain/money.ts';

/** Plan keys, cheapest first. */
export const PLAN_KEYS = ['starter', 'basic', 'pro', 'business'] as const;
/** A plan key. */
export type PlanKey = (typeof PLAN_KEYS)[number];

const PLANS: Record<
  PlanKey,
  { name: string; usd: number; limits: Product['limits']; legacy: boolean; overage: string }
> = {
  starter: {
    name: 'Starter (legacy)',
    usd: 900,
    limits: { seats: 1, api_calls: 1_000, projects: 1 },
    legacy: true,
    overage: 'Requests over the limit are refused; no longer sold to new customers.',
  },
  basic: {
    name: 'Basic',
    usd: 2_900,
    limits: { seats: 3, api_calls: 10_000, projects: 5 },
    legacy: false,
    overage: 'API calls over the limit are throttled to 1 per second until the next period.',
  },
  pro: {
    name: 'Pro',
    usd: 9_900,
    limits: { seats: 10, api_calls: 100_000, projects: 25 },
    legacy: false,
    overage: 'API calls over the limit bill through the API usage add-on.',
  },
  business: {
    name: 'Business',
    usd: 29_900,
    limits: { seats: 50, api_calls: 1_000_000, projects: null },
    legacy: false,
    overage: 'API calls over the limit bill through the API usage add-on; seats over 50 at the Pro seat price.',
  },
};

/** How a USD amount is priced locally (minor units): rounded to a price ending a person would set. */
const LOCAL: Record<Currency, (usdCents: number) => number> = {
  usd: (cents) => cents,
  eur: (cents) => cents,
  gbp: (cents) => Math.round((cents * 0.8) / 100) * 100,
  inr: (cents) => Math.round((cents * 83) / 10_000) * 10_000 - 100,
  brl: (cents) => Math.round((cents * 5) / 100) * 100 - 10,
  jpy: (cents) => Math.round((cents * 1.5) / 100) * 100,
};

/** The catalogue as created through the ledger engine's types. */
export interface DemoCatalog {
  products: Product[];
  prices: Price[];
  coupons: Coupon[];
  /** price by plan, currency and interval */
  planPrice: (plan: PlanKey, currency: Currency, interval: 'month' | 'year') => Price;
  /** the metered API add-on price in a currency */
  apiPrice: (currency: Currency) => Price;
  coupon: (code: string) => Coupon;
  productOfPrice: (priceId: string) => Product;
  planOfPrice: (priceId: string) => PlanKey | undefined;
}

/** Builds the catalogue at `at` with ids from `newId`. */
export function buildCatalog(orgId: string, newId: (kind: IdKind) => string, at: Date): DemoCatalog {
  const currencies: Currency[] = ['usd', 'eur', 'gbp', 'inr', 'brl', 'jpy'];
  const products: Product[] = [];
  const prices: Price[] = [];
  const byKey = new Map<string, Price>();
  const planByPrice = new Map<string, PlanKey>();
  const productById = new Map<string, Product>();
  const price = (product: Product, fields: Partial<Price> & Pick<Price, 'currency' | 'interval' | 'scheme'>): Price => {
    const created: Price = {
      id: newId('price'),
      orgId,
      productId: product.id,
      nickname: '',
      unitAmount: 0,
      tiers: [],
      usageMetric: null,
      freeAllowance: 0,
      trialDays: 0,
      active: true,
      createdAt: at,
      ...fields,
    };
    prices.push(created);
    return created;
  };
  for (const key of PLAN_KEYS) {
    const plan = PLANS[key];
    const product: Product = {
      id: newId('product'),
      orgId,
      name: plan.name,
      description: `${plan.name} plan`,
      limits: plan.limits,
      overage: plan.overage,
      legacy: plan.legacy,
      active: true,
      createdAt: at,
    };
    products.push(product);
    productById.set(product.id, product);
    for (const currency of currencies) {
      const monthly = LOCAL[currency](plan.usd);
      const month = price(product, {
        currency,
        interval: 'month',
        scheme: 'flat',
        unitAmount: monthly,
        nickname: `${plan.name} monthly`,
        trialDays: key === 'starter' ? 0 : 14,
      });
      // Annual: two months free.
      const year = price(product, {
        currency,
        interval: 'year',
        scheme: 'flat',
        unitAmount: monthly * 10,
        nickname: `${plan.name} annual`,
      });
      byKey.set(`${key}:${currency}:month`, month);
      byKey.set(`${key}:${currency}:year`, year);
      planByPrice.set(month.id, key);
      planByPrice.set(year.id, key);
    }
  }
  const api: Product = {
    id: newId('product'),
    orgId,
    name: 'API usage',
    description: 'API calls beyond the plan, per thousand',
    limits: {},
    overage: '',
    legacy: false,
    active: true,
    createdAt: at,
  };
  products.push(api);
  productById.set(api.id, api);
  for (const currency of currencies) {
    const tiers: PriceTier[] = [
      {
        upTo: 500,
        unitAmount: LOCAL[currency](50) > 0 ? Math.max(1, Math.round(LOCAL[currency](50))) : 1,
        flatAmount: 0,
      },
      { upTo: null, unitAmount: Math.max(1, Math.round(LOCAL[currency](30))), flatAmount: 0 },
    ];
    byKey.set(
      `api:${currency}`,
      price(api, {
        currency,
        interval: 'month',
        scheme: 'tiered',
        tiers,
        usageMetric: 'api_calls_thousands',
        freeAllowance: 100,
        nickname: 'API calls per 1,000',
      }),
    );
  }
  const coupon = (code: string, name: string, fields: Partial<Coupon>): Coupon => ({
    id: newId('coupon'),
    orgId,
    code,
    name,
    percentOffBps: null,
    amountOff: null,
    currency: null,
    duration: 'once',
    durationInMonths: null,
    countries: [],
    maxRedemptions: null,
    timesRedeemed: 0,
    valid: true,
    createdAt: at,
    ...fields,
  });
  const coupons = [
    coupon('SUMMER20', 'Summer sale 20% off', { percentOffBps: 2000, duration: 'once' }),
    coupon('WELCOME10', 'Welcome 10% off for 3 months', {
      percentOffBps: 1000,
      duration: 'repeating',
      durationInMonths: 3,
    }),
    coupon('LAUNCH50', 'Launch 50% off for 3 months', {
      percentOffBps: 5000,
      duration: 'repeating',
      durationInMonths: 3,
    }),
    coupon('INDIA40', 'Regional pricing India 40% off', {
      percentOffBps: 4000,
      duration: 'forever',
      countries: ['IN'],
    }),
    coupon('BRAZIL35', 'Regional pricing Brazil 35% off', {
      percentOffBps: 3500,
      duration: 'forever',
      countries: ['BR'],
    }),
  ];
  const couponByCode = new Map(coupons.map((item) => [item.code, item]));
  return {
    products,
    prices,
    coupons,
    planPrice: (plan, currency, interval) => byKey.get(`${plan}:${currency}:${interval}`) as Price,
    apiPrice: (currency) => byKey.get(`api:${currency}`) as Price,
    coupon: (code) => couponByCode.get(code) as Coupon,
    productOfPrice: (priceId) =>
      productById.get(prices.find((item) => item.id === priceId)?.productId ?? '') as Product,
    planOfPrice: (priceId) => planByPrice.get(priceId),
  };
}
