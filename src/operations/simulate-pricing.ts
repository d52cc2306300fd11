/**
 * simulate_pricing: a pricing what-if on a plan. It reprices the last N months of the plan's actual invoice lines
 * (and, for a usage component, its subscribers' recorded usage) under a proposed change and answers the revenue
 * difference by month, the customers most affected up and down, and a chart. A read (data.read): nothing in the
 * catalogue or the ledger changes; `next` names the write ("make it so") that would make the change real.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Invoice, Price, Product } from '../domain/billing.ts';
import { badInput, notFound } from '../domain/errors.ts';
import { CURRENCIES, type Currency } from '../domain/money.ts';
import { mainCurrency } from '../insights/mrr-movements.ts';
import {
  annualDiscountBps,
  discountedAnnual,
  monthlyPriceIn,
  mostAffected,
  type PlanLine,
  type PricingChange,
  type RepricedAmount,
  type RevenueSeries,
  repriceLine,
  revenueSeries,
  usageCharge,
} from '../insights/reprice.ts';
import { defineRead } from './define-operation.ts';
import { limitOfMetric } from './explain-plan.ts';
import { type Chart, describeWindow, monthKey, monthStart, monthsIn, resolveWindow, show } from './period.ts';

const amount = z.number().int().min(0).max(100_000_000_000);
const currency = z.enum(CURRENCIES as [Currency, ...Currency[]]);

/** The proposed change: a new price, an added usage component, or a different annual discount. */
export const pricingChangeInput = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('price'), amount, currency, interval: z.enum(['month', 'year']).default('month') })
    .strict(),
  z
    .object({
      kind: z.literal('usage_component'),
      unit_amount: amount,
      free_units: z.number().int().min(0).max(1_000_000_000_000).optional(),
      meter: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a usage metric like api_calls_thousands'),
      currency: currency.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('annual_discount'), percent: z.number().min(0).max(100) }).strict(),
]);

/** Input of simulate_pricing. */
export const simulatePricingInput = z
  .object({
    plan: z.string().min(1).max(200),
    change: pricingChangeInput,
    months: z.number().int().min(1).max(24).default(6),
  })
  .strict();

type Input = z.infer<typeof simulatePricingInput>;
const PAGE = 1_000;
const AFFECTED = 5;

/** The plan (product) by id, exact name, or the one name containing the words ("Starter" → "Starter (legacy)"). */
async function resolvePlan(connector: BillingConnector, reference: string): Promise<Product> {
  const products = await connector.listProducts();
  const wanted = reference
    .trim()
    .toLowerCase()
    .replace(/\s+plan$/, '');
  const exact = products.find((product) => product.id === reference || product.name.toLowerCase() === wanted);
  if (exact) return exact;
  const partial = products.filter((product) => product.name.toLowerCase().includes(wanted));
  if (partial.length === 1 && partial[0]) return partial[0];
  if (partial.length > 1)
    throw badInput('plan', `"${reference}" fits ${partial.map((product) => product.name).join(', ')}: name one`);
  throw notFound('plan', reference);
}

/** Every issued (not draft, not void) invoice created in [from, until), page by page. */
async function issuedInvoices(connector: BillingConnector, from: Date, until: Date): Promise<Invoice[]> {
  const invoices: Invoice[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await connector.listInvoices({ createdFrom: from, createdTo: until, limit: PAGE, offset });
    invoices.push(...page.filter((invoice) => invoice.status !== 'draft' && invoice.status !== 'void'));
    if (page.length < PAGE) return invoices;
  }
}

/** A line of the plan with the period it covers (for a usage component: which months a subscriber was on it). */
interface CoveredLine extends PlanLine {
  periodStart: Date | null;
  periodEnd: Date | null;
}

function planLines(invoices: readonly Invoice[], prices: ReadonlyMap<string, Price>): CoveredLine[] {
  const lines: CoveredLine[] = [];
  for (const invoice of invoices)
    for (const line of invoice.lines) {
      const price = line.priceId ? prices.get(line.priceId) : undefined;
      if (!price) continue;
      lines.push({
        customerId: invoice.customerId,
        subscriptionId: invoice.subscriptionId,
        month: monthKey(invoice.createdAt),
        currency: invoice.currency,
        amount: line.amount,
        quantity: line.quantity,
        price,
        periodStart: line.periodStart ?? invoice.periodStart,
        periodEnd: line.periodEnd ?? invoice.periodEnd,
      });
    }
  return lines;
}

/**
 * The currency the answer leads with: the org's main one (most customers) when the plan billed in it, else the
 * one with most of the plan's lines (counted, not summed: minor units of different currencies do not compare).
 */
async function leadCurrency(connector: BillingConnector, lines: readonly PlanLine[], prices: readonly Price[]) {
  const counts = new Map<Currency, number>();
  for (const line of lines) counts.set(line.currency, (counts.get(line.currency) ?? 0) + 1);
  const org = await mainCurrency(connector, undefined);
  if (counts.has(org) || counts.size === 0)
    return counts.size === 0 ? (prices.find((price) => price.interval === 'month')?.currency ?? org) : org;
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? org;
}

/** The change in minor units and basis points, with a usage component's currency and free units settled. */
function settleChange(input: Input['change'], product: Product, fallback: Currency): PricingChange {
  if (input.kind === 'price') return input;
  if (input.kind === 'annual_discount')
    return { kind: 'annual_discount', basisPoints: Math.round(input.percent * 100) };
  const { limit, factor } = limitOfMetric(input.meter);
  const included = product.limits[limit];
  const freeUnits = input.free_units ?? (typeof included === 'number' ? Math.floor(included / factor) : 0);
  return {
    kind: 'usage_component',
    unitAmount: input.unit_amount,
    freeUnits,
    meter: input.meter,
    currency: input.currency ?? fallback,
  };
}

/**
 * What a usage component would have billed: each subscription on the plan (an issued plan line in the change's
 * currency covers the month), each calendar month of the window, units over the free allowance × unit amount.
 */
async function usageAmounts(
  connector: BillingConnector,
  lines: readonly CoveredLine[],
  change: Extract<PricingChange, { kind: 'usage_component' }>,
  months: readonly string[],
  window: { from: Date; until: Date },
): Promise<RepricedAmount[]> {
  const covered = new Map<string, { customerId: string; months: Set<string> }>();
  for (const line of lines) {
    if (!line.subscriptionId || line.currency !== change.currency || line.price.usageMetric) continue;
    if (!line.periodStart || !line.periodEnd) continue;
    const entry = covered.get(line.subscriptionId) ?? { customerId: line.customerId, months: new Set<string>() };
    for (const month of months) {
      const start = new Date(`${month}-01T00:00:00Z`);
      if (line.periodStart < monthStart(start, 1) && line.periodEnd > start) entry.months.add(month);
    }
    covered.set(line.subscriptionId, entry);
  }
  const amounts: RepricedAmount[] = [];
  for (const [subscriptionId, entry] of covered) {
    const records = await connector.listUsage({ subscriptionId, metric: change.meter, ...window });
    const units = new Map<string, number>();
    for (const record of records) {
      const month = monthKey(record.timestamp);
      units.set(month, (units.get(month) ?? 0) + record.quantity);
    }
    for (const month of entry.months) {
      const charge = usageCharge(units.get(month) ?? 0, change);
      if (charge > 0)
        amounts.push({ customerId: entry.customerId, month, currency: change.currency, actual: 0, simulated: charge });
    }
  }
  return amounts;
}

/** The lead currency's series first, the others by code. */
function leadFirst(series: RevenueSeries[], lead: Currency): RevenueSeries[] {
  const rank = (entry: RevenueSeries) => (entry.currency === lead ? '' : entry.currency);
  return [...series].sort((a, b) => rank(a).localeCompare(rank(b)));
}

/** "1,000 api calls" for api_calls_thousands, "seats" for seats; with a count, "100,000 api calls". */
function meterWords(meter: string, units?: number): string {
  const { limit, factor } = limitOfMetric(meter);
  const name = limit.replaceAll('_', ' ');
  if (units !== undefined) return `${(units * factor).toLocaleString('en-US')} ${name}`;
  return factor === 1 ? name.replace(/s$/, '') : `${factor.toLocaleString('en-US')} ${name}`;
}

/** The catalogue write that would make the change real, for "make it so". */
function nextStep(product: Product, change: PricingChange, prices: readonly Price[], currency: Currency) {
  if (change.kind === 'usage_component')
    return {
      operation: 'create_usage_price',
      input: {
        product: product.id,
        metric: change.meter,
        currency: change.currency,
        interval: 'month',
        free_allowance: change.freeUnits,
        tiers: [{ up_to: null, unit_amount: change.unitAmount }],
        nickname: `${product.name} ${change.meter.replaceAll('_', ' ')}`,
      },
    };
  const monthly = monthlyPriceIn(prices, currency);
  const annualAmount =
    change.kind === 'annual_discount' && monthly ? discountedAnnual(monthly.unitAmount, change.basisPoints) : null;
  if (change.kind === 'annual_discount' && annualAmount === null) return null;
  const priceCurrency = change.kind === 'price' ? change.currency : currency;
  const interval = change.kind === 'price' ? change.interval : 'year';
  const scheme =
    prices.find((price) => price.currency === priceCurrency && price.interval === interval && !price.usageMetric)
      ?.scheme ?? 'flat';
  return {
    operation: 'create_price',
    input: {
      product_id: product.id,
      currency: priceCurrency,
      interval,
      scheme: scheme === 'tiered' ? 'flat' : scheme,
      unit_amount: change.kind === 'price' ? change.amount : (annualAmount ?? 0),
      nickname: `${product.name} ${interval === 'month' ? 'monthly' : 'annual'}`,
    },
  };
}

/** The change in words ("Starter at $12.00/month"). */
function describeChange(product: Product, change: PricingChange, prices: readonly Price[], currency: Currency): string {
  if (change.kind === 'price') return `${product.name} at ${show(change.amount, change.currency)}/${change.interval}`;
  if (change.kind === 'usage_component')
    return `${product.name} plus ${show(change.unitAmount, change.currency)} per ${meterWords(change.meter)} over ${meterWords(change.meter, change.freeUnits)} a month`;
  const monthly = monthlyPriceIn(prices, currency);
  const annual = prices.find((price) => price.currency === currency && price.interval === 'year' && !price.usageMetric);
  const now = annual ? ` (now ${(annualDiscountBps(annual, monthly) / 100).toFixed(1)}%)` : '';
  return `${product.name} annual at ${change.basisPoints / 100}% off 12 months${now}`;
}

/** Simulates a pricing change on a plan against its actual recent revenue. */
export const simulatePricing = defineRead({
  name: 'simulate_pricing',
  description:
    "Pricing what-if for a plan: reprice the last N months (default 6) of its actual invoices and usage under a new price, an added usage component or a different annual discount; answers revenue actual vs simulated by month, the customers most affected up and down, and a chart. Changes nothing; 'next' names the catalogue change that would.",
  kind: 'data.read',
  input: simulatePricingInput,
  async run(_context, input, connector) {
    const product = await resolvePlan(connector, input.plan);
    const prices = await connector.listPrices({ productId: product.id });
    const window = resolveWindow({}, await connector.now(), input.months);
    const months = monthsIn(window);
    const lookback = input.change.kind === 'usage_component' ? monthStart(window.from, -12) : window.from;
    const invoices = await issuedInvoices(connector, lookback, window.until);
    const all = planLines(invoices, new Map(prices.map((price) => [price.id, price])));
    const inWindow = all.filter((line) => months.includes(line.month));
    const currency = await leadCurrency(connector, inWindow, prices);
    const change = settleChange(input.change, product, currency);
    const amounts: RepricedAmount[] = inWindow.map((line) => ({
      customerId: line.customerId,
      month: line.month,
      currency: line.currency,
      actual: line.amount,
      simulated: repriceLine(line, change, prices),
    }));
    if (change.kind === 'usage_component')
      amounts.push(...(await usageAmounts(connector, all, change, months, window)));
    const series = leadFirst(revenueSeries(amounts, months), currency);
    const affected = mostAffected(amounts, AFFECTED);
    const names = new Map<string, string>();
    for (const row of [...affected.up, ...affected.down])
      if (!names.has(row.customerId))
        names.set(row.customerId, (await connector.getCustomer(row.customerId))?.name ?? row.customerId);
    const named = (rows: typeof affected.up) => rows.map((row) => ({ ...row, name: names.get(row.customerId) ?? '' }));
    const main = series.find((entry) => entry.currency === currency) ?? series[0];
    const chart: Chart = {
      kind: 'line',
      x: months,
      series: main
        ? [
            { name: `actual (${main.currency.toUpperCase()})`, values: main.months.map((row) => row.actual) },
            { name: `simulated (${main.currency.toUpperCase()})`, values: main.months.map((row) => row.simulated) },
          ]
        : [],
      unit: 'minor units',
    };
    const described = describeChange(product, change, prices, currency);
    const next = nextStep(product, change, prices, currency);
    return {
      plan: { id: product.id, name: product.name },
      change: { ...change, description: described },
      window: { from: window.from, until: window.until, label: describeWindow(window) },
      series,
      customers: { up: named(affected.up), down: named(affected.down) },
      chart,
      next,
      catalogueChanged: false,
      explanation: explain(described, series, named(affected.up), named(affected.down), window, next),
    };
  },
});

function explain(
  described: string,
  series: ReturnType<typeof revenueSeries>,
  up: { name: string; difference: number; currency: Currency }[],
  down: { name: string; difference: number; currency: Currency }[],
  window: { from: Date; until: Date },
  next: { operation: string } | null,
): string {
  if (series.length === 0)
    return `No issued invoice of the plan in ${describeWindow(window)}, so there is nothing to reprice. Nothing was changed.`;
  const moved = series.filter((entry, index) => index === 0 || entry.difference !== 0);
  const still = series.length - moved.length;
  const totals = moved
    .map(
      (entry) =>
        `${show(entry.actual, entry.currency)} actual vs ${show(entry.simulated, entry.currency)} simulated (${entry.difference >= 0 ? '+' : '−'}${show(Math.abs(entry.difference), entry.currency)})`,
    )
    .join('; ');
  const unchanged = still > 0 ? ` (${still} other currenc${still === 1 ? 'y' : 'ies'} unchanged)` : '';
  const who = (rows: typeof up, word: string) =>
    rows.length
      ? ` Would pay ${word}: ${rows
          .slice(0, 3)
          .map(
            (row) => `${row.name} (${row.difference >= 0 ? '+' : '−'}${show(Math.abs(row.difference), row.currency)})`,
          )
          .join(', ')}.`
      : '';
  const then = next
    ? ` Nothing was changed; say "make it so" to propose it (${next.operation}), which adds the price for new sign-ups and waits for confirmation.`
    : ' Nothing was changed.';
  return `With ${described}, ${describeWindow(window)}: ${totals}${unchanged}.${who(up, 'more')}${who(down, 'less')}${then}`;
}
