/**
 * Looks outbound text up against the org's own records (issue 17): another customer's email, name or id, or an
 * id of another customer's invoice, charge or subscription. The text is reduced to a few candidate tokens first
 * (email-like tokens, prefixed ids, capitalised phrases), and only those are asked of the store: emails and ids
 * through the connector, names in one indexed query on the org's customers (the Stripe mirror's for a Stripe
 * org), so a 10,000-character reply costs a handful of indexed look-ups. A name counts only when a phrase
 * is the whole name or the name without its legal form ("Initech" for "Initech Corp"), never a typo or prefix,
 * and only when written with a capital.
 */
import { sql } from 'kysely';
import type { BillingConnector } from '../connectors/connector.ts';
import { type Executor, inMirror } from '../connectors/stripe/mirror-store.ts';
import type { Customer } from '../domain/billing.ts';
import { isEverydayWord } from '../domain/everyday-words.ts';
import { coreName, idsIn, phrasesOf, slug } from '../domain/mentions.ts';
import {
  distinctEmails,
  maskEmail,
  maskName,
  type OutboundFinding,
  type OutboundText,
  textFindings,
} from '../policy/outbound-text.ts';

/** At most this many tokens of each sort are looked up per text (a bulk list is a finding of its own). */
const MAX_LOOKUPS = 20;
const MAX_PHRASES = 1_000;

/** The customers a text is addressed to: their own data is never a finding. */
export interface Addressed {
  customerIds: readonly string[];
  /** Their own addresses (lowercase), including where the message goes. */
  emails: ReadonlySet<string>;
  /** Their names as slugs. */
  names: ReadonlySet<string>;
}

/** Builds `Addressed` from the customers an action is about (and any extra address it goes to). */
export async function addressedOf(
  connector: BillingConnector,
  customerIds: readonly string[],
  extraEmails: readonly string[] = [],
): Promise<Addressed> {
  const customers = customerIds.length > 0 ? await connector.getCustomers(customerIds) : [];
  return {
    customerIds,
    emails: new Set(
      [...customers.map((customer) => customer.email), ...extraEmails].map((email) => email.toLowerCase()),
    ),
    names: new Set(customers.map((customer) => slug(customer.name))),
  };
}

/** Everything the texts hold that is not the addressed customers' own. */
export async function scanOutbound(
  db: Executor,
  connector: BillingConnector,
  texts: readonly OutboundText[],
  addressed: Addressed,
): Promise<OutboundFinding[]> {
  const findings: OutboundFinding[] = [];
  for (const piece of texts) {
    findings.push(...textFindings(piece, addressed.emails));
    findings.push(...(await emailFindings(connector, piece, addressed)));
    findings.push(...(await idFindings(connector, piece, addressed)));
    findings.push(...(await nameFindings(db, connector, piece, addressed)));
  }
  return findings;
}

const isOther = (customer: Customer | undefined, addressed: Addressed) =>
  customer !== undefined && !addressed.customerIds.includes(customer.id);

async function emailFindings(
  connector: BillingConnector,
  piece: OutboundText,
  addressed: Addressed,
): Promise<OutboundFinding[]> {
  const findings: OutboundFinding[] = [];
  const emails = distinctEmails(piece.text).filter((email) => !addressed.emails.has(email));
  for (const email of emails.slice(0, MAX_LOOKUPS)) {
    const owners = await connector.findCustomers({ email, limit: 5 });
    if (owners.some((customer) => isOther(customer, addressed)))
      findings.push({ field: piece.field, kind: 'customer_email', shown: maskEmail(email) });
  }
  return findings;
}

async function idFindings(
  connector: BillingConnector,
  piece: OutboundText,
  addressed: Addressed,
): Promise<OutboundFinding[]> {
  const findings: OutboundFinding[] = [];
  const ids = [...new Map(idsIn(piece.text).map((id) => [id.text, id])).values()].slice(0, MAX_LOOKUPS);
  const customerIds = ids.filter((id) => id.prefix === 'cus').map((id) => id.text);
  const found = customerIds.length > 0 ? await connector.getCustomers(customerIds) : [];
  for (const customer of found) {
    if (isOther(customer, addressed))
      findings.push({ field: piece.field, kind: 'customer_id', shown: `another customer's id (${customer.id})` });
  }
  for (const id of ids) {
    const ownerId = await ownerOf(connector, id.prefix, id.text);
    if (ownerId !== undefined && !addressed.customerIds.includes(ownerId))
      findings.push({ field: piece.field, kind: 'record_id', shown: `${id.text}, which is another customer's` });
  }
  return findings;
}

/** The customer an invoice, charge or subscription id belongs to (undefined when unknown or another sort). */
async function ownerOf(connector: BillingConnector, prefix: string, id: string): Promise<string | undefined> {
  if (prefix === 'in') return (await connector.getInvoice(id))?.customerId;
  if (prefix === 'ch') return (await connector.getCharge(id))?.customerId;
  if (prefix === 'sub') return (await connector.getSubscription(id))?.customerId;
  return undefined;
}

/** Legal forms a company name may carry after the words a text uses for it ("Initech" → "Initech Corp"). */
const LEGAL_SUFFIXES = [
  '',
  ' inc',
  ' inc.',
  ', inc',
  ', inc.',
  ' llc',
  ', llc',
  ' ltd',
  ' ltd.',
  ', ltd',
  ' limited',
  ' corp',
  ' corp.',
  ' corporation',
  ' co',
  ' co.',
  ' company',
  ' plc',
  ' gmbh',
  ' ag',
  ' sa',
  ' sas',
  ' sarl',
  ' bv',
  ' nv',
  ' oy',
  ' ab',
  ' as',
  ' kk',
  ' gk',
  ' pty ltd',
  ' pvt ltd',
  ' ltda',
  ' group',
  ' holdings',
  ' technologies',
];

/**
 * The org's customers whose name, in any case, is one of `phrases` with or without a legal form: one indexed
 * query (leash_customers_named, migration 0036, so also in the org scope), on the Stripe mirror for an org billed
 * through Stripe.
 */
async function customersNamed(
  db: Executor,
  connector: BillingConnector,
  phrases: readonly string[],
): Promise<{ id: string; name: string }[]> {
  const names = [...new Set(phrases.flatMap((phrase) => LEGAL_SUFFIXES.map((suffix) => `${phrase}${suffix}`)))];
  if (names.length === 0) return [];
  const query = async (executor: Executor) =>
    (
      await sql<{ id: string; name: string }>`select id, name from customers
        where org_id = ${connector.orgId} and id in (
          select m.id from leash_customers_named(${connector.orgId}, ${names}::text[], 500) m)
        limit 500`.execute(executor)
    ).rows;
  return connector.name === 'stripe' ? inMirror(db, query) : query(db);
}

async function nameFindings(
  db: Executor,
  connector: BillingConnector,
  piece: OutboundText,
  addressed: Addressed,
): Promise<OutboundFinding[]> {
  // Names are written with a capital; a phrase that is an everyday word never names anyone on its own.
  const phrases = phrasesOf(piece.text)
    .filter((phrase) => phrase.capitalised || /^\p{Lu}/u.test(phrase.text))
    .filter((phrase) => slug(phrase.text).length >= 4 && !/^\d+$/.test(slug(phrase.text)))
    .filter((phrase) => !(phrase.words === 1 && isEverydayWord(phrase.text)))
    .filter((phrase) => !addressed.names.has(slug(phrase.text)))
    .slice(0, MAX_PHRASES);
  const wanted = [...new Set(phrases.map((phrase) => phrase.text.toLowerCase()))];
  const found = await customersNamed(db, connector, wanted);
  const others = found.filter(
    (customer) => !addressed.customerIds.includes(customer.id) && !addressed.names.has(slug(customer.name)),
  );
  // A phrase names a customer when it is the whole name or the name without its legal form (mentions.ts).
  const byName = new Map<string, { id: string; name: string }[]>();
  for (const customer of others) {
    for (const key of new Set([slug(customer.name), slug(coreName(customer.name))])) {
      if (key.length >= 4) byName.set(key, [...(byName.get(key) ?? []), customer]);
    }
  }
  const findings: OutboundFinding[] = [];
  const named = new Set<string>();
  for (const phrase of phrases) {
    for (const customer of byName.get(slug(phrase.text)) ?? []) {
      if (named.has(customer.id)) continue;
      named.add(customer.id);
      findings.push({
        field: piece.field,
        kind: 'customer_name',
        shown: `${maskName(customer.name)} (${customer.id})`,
      });
    }
  }
  return findings;
}
