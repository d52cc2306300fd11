/**
 * Request forms that only read: insights (MRR movements, failure rates, expansion, churn, overdue) and
 * look-ups (customers, invoices, subscriptions, plans, usage, activity). Each runs one or two read operations
 * and answers with their figures and explanation.
 */
import { CHARGE_SORT_COLUMNS, CUSTOMER_SORT_COLUMNS, INVOICE_SORT_COLUMNS } from '../../operations/list-sort.ts';
import { countOf, countryOf, parseAmount, percentOf } from './entities.ts';
import type { Form } from './form.ts';
import { whatIf } from './forms-what-if.ts';
import { sortOf, withoutExcluded } from './qualifiers.ts';
import type { Turn } from './turn.ts';

/** A currency the request filters by ("in EUR", "euro invoices", "gbp"). */
function currencyOf(lower: string): string | undefined {
  const code = /\b(usd|eur|gbp|inr|brl|jpy)\b/.exec(lower)?.[1];
  if (code) return code;
  if (/\b(?:in\s+)?euros?\b/.test(lower)) return 'eur';
  if (/\b(?:in\s+)?(?:pounds?|sterling)\b/.test(lower)) return 'gbp';
  if (/\b(?:in\s+)?(?:us\s+)?dollars?\b/.test(lower)) return 'usd';
  return undefined;
}

function currencyInput(turn: Turn): { currency?: string } {
  const currency = currencyOf(turn.lower);
  return currency ? { currency } : {};
}

function limitInput(turn: Turn): { limit?: number } {
  const count = countOf(turn.text);
  return count ? { limit: count } : {};
}

/** The order asked for ("largest refunds first"), among the listing's own sort columns. */
function sortInput(turn: Turn, columns: readonly string[]): { sort?: string } {
  const sort = sortOf(turn.lower, columns);
  return sort ? { sort } : {};
}

function customerInput(turn: Turn): { customer?: string } {
  const customer = turn.customerRef();
  return customer ? { customer } : {};
}

/** A form that runs one read with an input built from the request. */
function readForm(
  name: string,
  examples: string[],
  operation: string,
  input: (turn: Turn) => Promise<Record<string, unknown>> | Record<string, unknown>,
  lead: (turn: Turn) => string = () => '',
): Form {
  return {
    name,
    examples,
    intents: [operation],
    async run(turn) {
      await turn.call(operation, await input(turn));
      return turn.reply(lead(turn));
    },
  };
}

/** A form about one customer: asks which customer when the request names none. */
function customerForm(
  name: string,
  examples: string[],
  operation: string,
  extra: (turn: Turn) => Record<string, unknown> = () => ({}),
): Form {
  return {
    name,
    examples,
    intents: [operation],
    async run(turn) {
      const customer = turn.customerRef();
      if (!customer) return turn.ask(`Which customer? e.g. "${examples[0]}".`);
      await turn.call(operation, { customer, ...extra(turn) });
      return turn.reply('');
    },
  };
}

const topExpansion = readForm(
  'top expansion',
  ['Show me the top 10 customers by expansion revenue in Q1. What plans are they on?'],
  'top_expansion',
  async (turn) => ({ ...(await turn.windowInput()), ...limitInput(turn), ...currencyInput(turn) }),
);

const involuntaryChurn = readForm(
  'involuntary churn',
  ['How much revenue are we losing to involuntary churn? What would a 20% improvement in recovery be worth?'],
  'involuntary_churn',
  async (turn) => {
    const improvement = percentOf(turn.text);
    return {
      ...(await turn.windowInput()),
      ...currencyInput(turn),
      ...(improvement !== undefined ? { improvement } : {}),
    };
  },
);

const failureRates = readForm(
  'payment failure rates',
  ['What is the payment failure rate by region this month? Which regions got worse?'],
  'payment_failure_rates',
  (turn) => turn.windowInput(),
);

const mrr = readForm(
  'MRR movements',
  ['Why did MRR drop last week? Break it down by new, expansion, contraction, and churned'],
  'mrr_movements',
  async (turn) => ({ ...(await turn.windowInput()), ...currencyInput(turn) }),
);

const failedPayments = readForm(
  'failed payments',
  ["What's going on with failed payments this week?"],
  'failed_payments',
  async (turn) => ({ ...(await turn.windowInput()), ...customerInput(turn) }),
);

const overdueCustomers = readForm(
  'customers with overdue invoices',
  ['Show me all customers with overdue invoices'],
  'overdue_summary',
  (turn) => limitInput(turn),
);

const doubleCharges: Form = {
  name: 'double charges',
  examples: [
    'Customer says they were double-charged. Check their last three invoices and issue a credit if confirmed.',
    'Was Acme Corp charged twice?',
  ],
  intents: ['find_double_charges'],
  async run(turn) {
    const customer = customerInput(turn);
    const found = await turn.read<{ doubleCharges: unknown[] }>('find_double_charges', {
      ...customer,
      ...(await turn.windowInput()),
    });
    if (customer.customer)
      await turn.call('list_invoices', { customer: customer.customer, limit: countOf(turn.text) ?? 3 });
    // A request about one customer who was not named ("customer says they were double-charged") is answered for
    // everyone, and says so; a request about everyone ("find double charges this quarter") is not told that.
    const aboutOne = /\b(?:customer|client|they|their|them|he|she|his|her)\b/.test(turn.lower);
    const lead =
      customer.customer || !aboutOne
        ? ''
        : 'No customer was named, so I checked every customer; name one to see their last invoices.';
    const next =
      /\b(?:credit|refund)\b/.test(turn.lower) && (found?.doubleCharges.length ?? 0) > 0
        ? '\n\nIf one is confirmed, say "refund the first one" and I will propose refunding its second charge.'
        : '';
    const reply = turn.reply(lead);
    return { ...reply, text: `${reply.text}${next}` };
  },
};

const duplicateSubscriptions = readForm(
  'duplicate subscriptions',
  ['Find customers with duplicate subscriptions'],
  'find_duplicate_subscriptions',
  (turn) => customerInput(turn),
);

const paymentHistory = customerForm(
  'payment history',
  ['Show me payment history for customer ID xyz'],
  'payment_history',
  (turn) => ({ ...limitInput(turn), ...sortInput(turn, CHARGE_SORT_COLUMNS) }),
);

const subscriptionHistory = customerForm(
  'subscription history',
  ["Summarise Acme Corp's subscription history"],
  'subscription_history',
);

const listSubscriptions = readForm(
  'list subscriptions',
  ['Show me all subscriptions created this month'],
  'list_subscriptions',
  async (turn) => {
    const status = /\b(active|trialing|canceled|past_due)\b/.exec(
      withoutExcluded(turn.lower).replace('past due', 'past_due').replace('cancelled', 'canceled'),
    )?.[1];
    return {
      ...(await turn.windowInput()),
      ...(status ? { status } : {}),
      ...customerInput(turn),
      ...limitInput(turn),
    };
  },
);

const usage = readForm(
  'usage against limits',
  ['What is the current usage for customer Acme Corp?'],
  'usage_against_limits',
  // For one customer, all their usage; across customers, the ones pressing on a limit.
  (turn) => {
    const customer = customerInput(turn);
    // "the previous period, not the current one": last period only when it is the one asked for.
    const previous = /\b(?:previous|last|prior)\s+(?:billing\s+)?(?:period|month|cycle)\b/.test(
      withoutExcluded(turn.lower),
    );
    return { ...(customer.customer ? { ...customer, min_share: 0 } : {}), ...(previous ? { period: 'previous' } : {}) };
  },
);

const explainPlan = customerForm(
  'explain a customer plan',
  ['Explain the plan Acme Corp is on and its limits'],
  'explain_plan',
);

const listPlans = readForm('list plans', ['What plans are available?'], 'list_plans', () => ({}));

const billingDate = readForm(
  'billing date',
  ["What is today's date in the billing system?"],
  'get_billing_date',
  () => ({}),
);

const activity = readForm('activity log', ['List the latest activity logs'], 'list_activity', (turn) =>
  limitInput(turn),
);

const upcoming = readForm(
  'upcoming invoices',
  ['Generate invoice previews for all customers with active subscriptions'],
  'upcoming_invoices',
  (turn) => ({ ...customerInput(turn), ...limitInput(turn) }),
);

const tickets: Form = {
  name: 'tickets',
  examples: ['Show open tickets', 'Show ticket T-12'],
  intents: ['list_tickets', 'get_ticket'],
  async run(turn) {
    const ticket = /\b(tkt_[A-Za-z0-9]+|T-\d+)\b/i.exec(turn.text)?.[1];
    if (ticket) await turn.call('get_ticket', { ticket });
    else {
      const status =
        /\bwaiting[_\s-]+(?:for\s+|on\s+)?(?:an?\s+)?(?:approval|sign-?off)|\b(?:awaiting|pending|needs?)\s+(?:an?\s+)?(?:approval|sign-?off)/.test(
          turn.lower,
        )
          ? 'waiting_approval'
          : /\b(open|closed|resolved)\b/.exec(turn.lower)?.[1];
      await turn.call('list_tickets', { ...customerInput(turn), ...(status ? { status } : {}), ...limitInput(turn) });
    }
    return turn.reply('');
  },
};

const invoice: Form = {
  name: 'one invoice',
  examples: ['Download invoice INV-001', 'What is the status of invoice INV-000123?'],
  intents: ['get_invoice'],
  async run(turn) {
    const reference = turn.invoiceRef();
    const customer = reference ? undefined : turn.customerRef();
    if (!reference && !customer)
      return turn.ask('Which invoice? Give its number (INV-000123) or the customer, for their latest.');
    await turn.call('get_invoice', reference ?? { customer });
    const download = /\bdownload|pdf\b/.test(turn.lower)
      ? 'Leash shows invoices here; PDFs come from the billing provider.'
      : '';
    return turn.reply(download);
  },
};

const invoices: Form = {
  name: 'list invoices',
  examples: [
    'Show invoices over $1,000 from last month',
    'What are the number of invoices generated last week?',
    'Show me some invoices',
  ],
  intents: ['list_invoices'],
  async run(turn) {
    const over = /\b(?:over|above|more\s+than|greater\s+than|at\s+least)\s+/i.test(turn.text)
      ? parseAmount(turn.text)
      : undefined;
    const overdue = /\b(?:overdue|past[-\s]+due|late|outstanding)\b|\bpast\s+(?:their|the|its)\s+due\s+dates?\b/.test(
      turn.lower,
    );
    // "the unpaid ones, not the paid ones": filters come from what is asked for, not what is ruled out.
    const asked = withoutExcluded(turn.lower);
    const unpaid = /\b(?:unpaid|not\s+(?:been\s+)?paid|open)\b/.test(asked);
    // Overdue invoices are open ones past due; "unpaid and past due" says both.
    const status = overdue
      ? unpaid
        ? 'open'
        : undefined
      : (/\b(draft|open|paid|void|uncollectible)(?:ed)?\b/.exec(asked)?.[1] ?? (unpaid ? 'open' : undefined));
    const counting = /\b(?:how\s+many|number\s+of|count)\b/.test(turn.lower);
    const currency = over?.currency ?? currencyOf(turn.lower);
    await turn.call('list_invoices', {
      ...(await turn.windowInput()),
      ...(over ? { min_amount: over.amount } : {}),
      ...(currency ? { currency } : {}),
      ...(status ? { status } : {}),
      ...(overdue ? { overdue: true } : {}),
      ...customerInput(turn),
      ...(counting ? { limit: 10 } : limitInput(turn)),
      ...sortInput(turn, INVOICE_SORT_COLUMNS),
    });
    return turn.reply('');
  },
};

const customers: Form = {
  name: 'find customers',
  examples: ['Show customers in Germany', 'Look up Acme Corp'],
  intents: ['get_customer', 'search_customers'],
  async run(turn) {
    const country = countryOf(turn.text);
    const reference = turn.customerRef();
    if (reference && !/\bcustomers\b/.test(turn.lower)) await turn.call('get_customer', lookupOf(reference));
    else
      await turn.call('search_customers', {
        ...(country ? { country } : {}),
        ...(reference ? { query: reference } : {}),
        ...limitInput(turn),
        ...sortInput(turn, CUSTOMER_SORT_COLUMNS),
      });
    return turn.reply('');
  },
};

function lookupOf(reference: string): Record<string, string> {
  if (reference.startsWith('cus_')) return { customer_id: reference };
  return reference.includes('@') ? { email: reference } : { name: reference };
}

/** The reading forms, most specific first. */
export const ASK_FORMS: readonly Form[] = [
  whatIf,
  doubleCharges,
  involuntaryChurn,
  failureRates,
  mrr,
  topExpansion,
  failedPayments,
  overdueCustomers,
  duplicateSubscriptions,
  paymentHistory,
  subscriptionHistory,
  upcoming,
  listSubscriptions,
  usage,
  explainPlan,
  listPlans,
  activity,
  billingDate,
  tickets,
  invoice,
  invoices,
  customers,
];
