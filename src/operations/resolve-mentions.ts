/**
 * resolve_mentions: what a piece of text names among the org's own records — customers (by name in any case,
 * slug, possessive, small typo, legal-form-less name, email, email domain or id), plans, coupons, invoices,
 * charges and subscriptions — each with where it stands in the text. A name that fits several customers comes
 * back with every candidate, so the caller asks instead of picking one. The built-in planner calls it once per
 * request; a model gets it as a tool; both resolve names the same way.
 */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Customer, Product } from '../domain/billing.ts';
import { isEverydayWord } from '../domain/everyday-words.ts';
import {
  domainsIn,
  emailsIn,
  idsIn,
  invoiceNumbersIn,
  type MatchKind,
  matchName,
  type Phrase,
  phrasesOf,
  slug,
} from '../domain/mentions.ts';
import { storableText } from '../domain/storable-text.ts';
import { defineRead } from './define-operation.ts';

/** Input of resolve_mentions. */
export const resolveMentionsInput = z
  .object({
    // NUL and lone surrogates become harmless characters of the same length (offsets hold; SQL never sees them).
    text: z.string().min(1).max(4000).transform(storableText),
  })
  .strict();

/** A span of the text. */
export interface Span {
  text: string;
  start: number;
  end: number;
}

/** A customer mention and every customer it may mean, best first (one candidate: resolved). */
export interface CustomerMention extends Span {
  how: MatchKind | 'email' | 'domain' | 'id' | 'invoice';
  candidates: { id: string; name: string; email: string }[];
}

/** What resolve_mentions answers. */
export interface Mentions {
  customers: CustomerMention[];
  plans: (Span & { candidates: { id: string; name: string; legacy: boolean }[] })[];
  coupons: (Span & { id: string; code: string })[];
  invoices: (Span & { id: string; number: string; customer_id: string; status: string })[];
  charges: (Span & { id: string; invoice_id: string | null; customer_id: string })[];
  subscriptions: (Span & { id: string; customer_id: string; status: string })[];
  /** Ids and numbers written in the text that this org does not have. */
  unknown: Span[];
}

const PLAN_WORDS = /^\s*(?:plans?|tiers?|packages?|subscriptions?|monthly|annual|yearly|prices?)\b/i;

/** Plans the text names: a product's name (without "(legacy)"), capitalised or followed by "plan". */
function planMentions(text: string, phrases: Phrase[], products: Product[]): Mentions['plans'] {
  const found: Mentions['plans'] = [];
  for (const phrase of phrases) {
    const said = slug(phrase.text.replace(/^(?:the\s+)?(?:legacy|old|new)\s+/i, ''));
    const matching = products.filter((product) => slug(product.name.replace(/\(.*?\)/g, '')) === said);
    if (matching.length === 0) continue;
    const followed = PLAN_WORDS.test(text.slice(phrase.end));
    const before = text.slice(Math.max(0, phrase.start - 16), phrase.start).toLowerCase();
    // Lowercase plan names count after "to", "onto", "on", "from" ("move them over to basic").
    const placed = /\b(?:to|onto|on|from|into)\s+(?:the\s+)?$/.test(before);
    if (!followed && !placed && !/^\p{Lu}/u.test(phrase.text)) continue;
    const wantsLegacy = /\b(?:legacy|old|grandfathered)\s+$/.test(before) || /\blegacy\b/i.test(phrase.text);
    const wantsNew = /\bnew\s+$/.test(before);
    const ranked = matching
      .map((product) => ({ product, fit: product.legacy === wantsLegacy || (wantsNew && !product.legacy) ? 1 : 0 }))
      .sort((a, b) => b.fit - a.fit);
    const best = ranked[0]?.fit ?? 0;
    found.push({
      text: phrase.text,
      start: phrase.start,
      end: phrase.end,
      candidates: ranked
        .filter((entry) => entry.fit === best)
        .map(({ product }) => ({ id: product.id, name: product.name, legacy: product.legacy })),
    });
  }
  return keepLongest(found);
}

/** Drops spans inside or overlapping a longer (earlier-listed wins on ties) span. */
function keepLongest<T extends Span>(spans: T[]): T[] {
  const sorted = [...spans].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: T[] = [];
  for (const span of sorted)
    if (!kept.some((other) => span.start < other.end && other.start < span.end)) kept.push(span);
  return kept.sort((a, b) => a.start - b.start);
}

const within = (span: Span, others: readonly Span[]) => others.some((o) => span.start < o.end && o.start < span.end);

const candidateOf = (customer: Customer) => ({ id: customer.id, name: customer.name, email: customer.email });

/** Customers the text names by words: the strongest match of each phrase, longest phrases first. */
async function namedCustomers(
  connector: BillingConnector,
  phrases: Phrase[],
  taken: readonly Span[],
  domains: Span[],
): Promise<CustomerMention[]> {
  const usable = phrases.filter((phrase) => !within(phrase, taken) && slug(phrase.text).length >= 2);
  const wanted = usable
    .filter((phrase) => !(phrase.words === 1 && isEverydayWord(phrase.text) && !phrase.capitalised))
    .filter((phrase) => !/^\d+$/.test(slug(phrase.text)));
  const customers = await connector.findCustomerCandidates({
    phrases: wanted.map((phrase) => phrase.text.toLowerCase()),
    domains: domains.map((domain) => domain.text),
    limit: 300,
  });
  const mentions: (CustomerMention & { score: number })[] = [];
  for (const phrase of wanted) {
    const scored = customers
      .map((customer) => ({ customer, match: matchName(phrase, customer.name, isEverydayWord) }))
      .filter((entry) => entry.match !== undefined);
    if (scored.length === 0) continue;
    const best = Math.max(...scored.map((entry) => entry.match?.score ?? 0));
    const top = scored.filter((entry) => entry.match?.score === best);
    mentions.push({
      text: phrase.text,
      start: phrase.start,
      end: phrase.end,
      how: top[0]?.match?.kind ?? 'prefix',
      score: best,
      candidates: top.map((entry) => candidateOf(entry.customer)),
    });
  }
  for (const domain of domains) {
    const at = customers.filter((customer) => customer.email.toLowerCase().endsWith(`@${domain.text}`));
    if (at.length > 0) mentions.push({ ...domain, how: 'domain', score: 1, candidates: at.map(candidateOf) });
  }
  // Longer and stronger phrases win their words; a weaker overlapping phrase is dropped.
  const ranked = [...mentions].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: CustomerMention[] = [];
  for (const mention of ranked) {
    if (within(mention, kept)) continue;
    const { score: _score, ...rest } = mention;
    kept.push(rest);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Mentions of nothing (a fresh object: findMentions fills its lists). */
export function emptyMentions(): Mentions {
  return { customers: [], plans: [], coupons: [], invoices: [], charges: [], subscriptions: [], unknown: [] };
}

/** Finds every mention in `text` for the org behind `connector`. */
export async function findMentions(connector: BillingConnector, text: string): Promise<Mentions> {
  const result = emptyMentions();
  const [products, coupons] = await Promise.all([connector.listProducts(), connector.listCoupons()]);
  const taken: Span[] = [];
  for (const id of idsIn(text)) {
    taken.push(id);
    if (id.prefix === 'cus') {
      const customer = await connector.getCustomer(id.text);
      if (customer) result.customers.push({ ...id, how: 'id', candidates: [candidateOf(customer)] });
      else result.unknown.push(id);
    } else if (id.prefix === 'in') {
      const invoice = await connector.getInvoice(id.text);
      if (invoice)
        result.invoices.push({
          ...spanOf(id),
          id: invoice.id,
          number: invoice.number,
          customer_id: invoice.customerId,
          status: invoice.status,
        });
      else result.unknown.push(spanOf(id));
    } else if (id.prefix === 'ch') {
      const charge = await connector.getCharge(id.text);
      if (charge)
        result.charges.push({
          ...spanOf(id),
          id: charge.id,
          invoice_id: charge.invoiceId,
          customer_id: charge.customerId,
        });
      else result.unknown.push(spanOf(id));
    } else if (id.prefix === 'sub') {
      const subscription = await connector.getSubscription(id.text);
      if (subscription)
        result.subscriptions.push({
          ...spanOf(id),
          id: subscription.id,
          customer_id: subscription.customerId,
          status: subscription.status,
        });
      else result.unknown.push(spanOf(id));
    }
  }
  for (const written of invoiceNumbersIn(text)) {
    if (within(written, taken)) continue;
    taken.push(written);
    const invoice = await connector.getInvoiceByNumber(written.number);
    const span = { text: text.slice(written.start, written.end), start: written.start, end: written.end };
    if (invoice)
      result.invoices.push({
        ...span,
        id: invoice.id,
        number: invoice.number,
        customer_id: invoice.customerId,
        status: invoice.status,
      });
    else result.unknown.push(span);
  }
  for (const email of emailsIn(text)) {
    taken.push(email);
    const [customer] = await connector.findCustomers({ email: email.text, limit: 1 });
    if (customer) result.customers.push({ ...email, how: 'email', candidates: [candidateOf(customer)] });
  }
  const phrases = phrasesOf(text);
  for (const phrase of phrases) {
    if (within(phrase, taken) || phrase.words > 2) continue;
    const coupon = coupons.find((candidate) => candidate.code.toLowerCase() === phrase.text.toLowerCase());
    if (coupon) result.coupons.push({ ...spanOf(phrase), id: coupon.id, code: coupon.code });
  }
  taken.push(...result.coupons);
  result.plans = planMentions(
    text,
    phrases.filter((phrase) => !within(phrase, taken)),
    products,
  );
  taken.push(...result.plans);
  const domains = domainsIn(text).filter((domain) => !within(domain, taken));
  result.customers.push(...(await namedCustomers(connector, phrases, [...taken, ...domains], domains)));
  result.customers.sort((a, b) => a.start - b.start);
  return result;
}

function spanOf(span: Span): Span {
  return { text: span.text, start: span.start, end: span.end };
}

/** Resolves what a text names; reads only. */
export const resolveMentions = defineRead({
  name: 'resolve_mentions',
  description:
    "Find the customers, plans, coupons, invoices, charges and subscriptions a text names, matched against this org's own records (names in any case, slugs, possessives, small typos, emails, domains, ids, invoice numbers). A name that fits several customers lists every candidate: ask which one.",
  kind: 'data.read',
  input: resolveMentionsInput,
  run: (_context, input, connector) => findMentions(connector, input.text),
  subjects: (_input, output) => {
    const ids = new Set(output.customers.flatMap((mention) => mention.candidates.map((candidate) => candidate.id)));
    return ids.size === 1 ? { customerId: [...ids][0] ?? null } : {};
  },
});
