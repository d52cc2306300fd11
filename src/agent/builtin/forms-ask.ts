/**
 * Request forms that only read: insights (MRR movements, failure rates, expansion, churn, overdue) and
 * look-ups (customers, invoices, subscriptions, plans, usage, activity). Each runs one or two read operations
 * and answers with their figures and explanation.
 */
import { countOf, countryOf, customerReference, invoiceReference, parseAmount, percentOf } from './entities.ts';
import type { Form } from './form.ts';
import type { Turn } from './turn.ts';

function limitInput(turn: Turn): { limit?: number } {
  const count = countOf(turn.text);
  return count ? { limit: count } : {};
}

function customerInput(turn: Turn): { customer?: string } {
  const customer = customerReference(turn.text);
  return customer ? { customer } : {};
}

/** A form that runs one read with an input built from the request. */
function readForm(
  name: string,
  examples: string[],
  pattern: RegExp,
  operation: string,
  input: (turn: Turn) => Promise<Record<string, unknown>> | Record<string, unknown>,
  lead: (turn: Turn) => string = () => '',
): Form {
  return {
    name,
    examples,
    matches: (turn) => pattern.test(turn.lower),
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
  pattern: RegExp,
  operation: string,
  extra: (turn: Turn) => Record<string, unknown> = () => ({}),
): Form {
  return {
    name,
    examples,
    matches: (turn) => pattern.test(turn.lower),
    async run(turn) {
      const customer = customerReference(turn.text);
      if (!customer) return turn.ask(`Which customer? e.g. "${examples[0]}".`);
      await turn.call(operation, { customer, ...extra(turn) });
      return turn.reply('');
    },
  };
}

const topExpansion = readForm(
  'top expansion',
  ['Show me the top 10 customers by expansion revenue in Q1. What plans are they on?'],
  /\b(?:top|most|biggest|largest|which|who)\b.*\b(?:expan(?:sion|ded|ding)|upsell\w*)\b|\bgrew\s+the\s+most\b/,
  'top_expansion',
  async (turn) => ({ ...(await turn.windowInput()), ...limitInput(turn) }),
);

const involuntaryChurn = readForm(
  'involuntary churn',
  ['How much revenue are we losing to involuntary churn? What would a 20% improvement in recovery be worth?'],
  /\binvoluntary\b|\bdunning\b|\brecovery\s+rate\b|\blosing\b.*\bfailed\s+payments\b/,
  'involuntary_churn',
  async (turn) => {
    const improvement = percentOf(turn.text);
    return { ...(await turn.windowInput()), ...(improvement !== undefined ? { improvement } : {}) };
  },
);

const failureRates = readForm(
  'payment failure rates',
  ['What is the payment failure rate by region this month? Which regions got worse?'],
  /\b(?:failure|decline|success)\s+rates?\b|\bfailures?\s+by\s+(?:region|country)\b/,
  'payment_failure_rates',
  (turn) => turn.windowInput(),
);

const mrr = readForm(
  'MRR movements',
  ['Why did MRR drop last week? Break it down by new, expansion, contraction, and churned'],
  /\bmrr\b|\barr\b|\brecurring\s+revenue\b|\brevenue\b.*\b(?:drop|dip|fall|fell|down|up|grow|grew|change|move)|\bwhy\s+did\s+revenue\b/,
  'mrr_movements',
  (turn) => turn.windowInput(),
);

const failedPayments = readForm(
  'failed payments',
  ["What's going on with failed payments this week?"],
  /\bfailed\s+(?:payments?|charges?|cards?)\b|\bpayment\s+failures?\b|\bdeclin(?:ed|es)\b|\bfailing\s+payments?\b/,
  'failed_payments',
  async (turn) => ({ ...(await turn.windowInput()), ...customerInput(turn) }),
);

const overdueCustomers = readForm(
  'customers with overdue invoices',
  ['Show me all customers with overdue invoices'],
  /\bcustomers?\b.*\b(?:overdue|past\s+due|late|behind)\b|\bwho\s+(?:owes|is\s+late|hasn'?t\s+paid)\b|\b(?:overdue|aging|ageing)\s+(?:summary|report)\b/,
  'overdue_summary',
  (turn) => limitInput(turn),
);

const overdueInvoices = readForm(
  'overdue invoices',
  ['Show me overdue invoices for the last 30 days'],
  /\boverdue\b|\bpast\s+due\b|\bunpaid\s+invoices\b|\blate\s+invoices\b/,
  'list_invoices',
  async (turn) => ({ overdue: true, ...(await turn.windowInput()), ...customerInput(turn), ...limitInput(turn) }),
);

const doubleCharges: Form = {
  name: 'double charges',
  examples: [
    'Customer says they were double-charged. Check their last three invoices and issue a credit if confirmed.',
    'Was Acme Corp charged twice?',
  ],
  matches: (turn) =>
    /\bdouble[-\s]?charged?\b|\bcharged\s+twice\b|\bduplicate\s+(?:charges?|payments?)\b|\bcharged\s+two\s+times\b/.test(
      turn.lower,
    ),
  async run(turn) {
    const customer = customerInput(turn);
    const found = await turn.read<{ doubleCharges: unknown[] }>('find_double_charges', {
      ...customer,
      ...(await turn.windowInput()),
    });
    if (customer.customer)
      await turn.call('list_invoices', { customer: customer.customer, limit: countOf(turn.text) ?? 3 });
    const lead = customer.customer
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
  /\bduplicate\s+subscriptions?\b|\bsubscribed\s+twice\b|\btwo\s+subscriptions\b|\bbilled\s+twice\b/,
  'find_duplicate_subscriptions',
  (turn) => customerInput(turn),
);

const paymentHistory = customerForm(
  'payment history',
  ['Show me payment history for customer ID xyz'],
  /\bpayment\s+history\b|\bpayments\s+(?:for|of|from|by)\b|\bwhat\s+has\s+.+\s+paid\b|\bcharges\s+for\b/,
  'payment_history',
  limitInput,
);

const subscriptionHistory = customerForm(
  'subscription history',
  ["Summarise Acme Corp's subscription history"],
  /\bsubscription\s+history\b|\bhistory\s+of\b.*\bsubscriptions?\b|\bsummar(?:is|iz)e\b.*\bsubscriptions?\b|\bwhat\s+happened\b.*\bsubscription/,
  'subscription_history',
);

const listSubscriptions = readForm(
  'list subscriptions',
  ['Show me all subscriptions created this month'],
  /\bsubscriptions?\b.*\b(?:created|started|new|signed|began|this|last|since)\b|\b(?:new|active|canceled|cancelled|trialing|past\s+due)\s+subscriptions\b|\b(?:list|show)\b.*\bsubscriptions\b/,
  'list_subscriptions',
  async (turn) => {
    const status = /\b(active|trialing|canceled|past_due)\b/.exec(
      turn.lower.replace('past due', 'past_due').replace('cancelled', 'canceled'),
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
  /\busage\b|\bover\s+(?:their|the|its)\s+limits?\b|\bnear(?:ing)?\s+(?:their|the|its)\s+limits?\b|\bhow\s+much\s+.+\s+(?:used|using)\b/,
  'usage_against_limits',
  // For one customer, all their usage; across customers, the ones pressing on a limit.
  (turn) => {
    const customer = customerInput(turn);
    return customer.customer ? { ...customer, min_share: 0 } : {};
  },
);

const explainPlan = customerForm(
  'explain a customer plan',
  ['Explain the plan Acme Corp is on and its limits'],
  /\b(?:what|which)\s+plan\s+is\b|\bexplain\b.*\bplan\b|\b(?:plan|limits)\s+(?:of|for)\b|\bwhat\s+are\s+.+\s+limits\b|\bon\s+which\s+plan\b/,
  'explain_plan',
);

const listPlans = readForm(
  'list plans',
  ['What plans are available?'],
  /\b(?:what|which)\s+plans\b|\b(?:list|show)\b.*\bplans\b|\bplans?\s+(?:are\s+)?(?:available|on\s+sale|do\s+we\s+(?:have|sell))\b|\bpricing\b|\bcatalog(?:ue)?\b|\bprice\s+list\b/,
  'list_plans',
  () => ({}),
);

const activity = readForm(
  'activity log',
  ['List the latest activity logs'],
  /\bactivity\b|\blogs?\b|\baudit\b|\bwho\s+did\b|\brecent\s+changes\b|\bwhat\s+changed\b/,
  'list_activity',
  (turn) => limitInput(turn),
);

const upcoming = readForm(
  'upcoming invoices',
  ['Generate invoice previews for all customers with active subscriptions'],
  /\binvoice\s+previews?\b|\bpreview\b.*\binvoices?\b|\bupcoming\s+invoices?\b|\bnext\s+invoices?\b|\bwhat\s+will\s+.+\s+be\s+(?:billed|charged)\b/,
  'upcoming_invoices',
  (turn) => ({ ...customerInput(turn), ...limitInput(turn) }),
);

const tickets: Form = {
  name: 'tickets',
  examples: ['Show open tickets', 'Show ticket T-12'],
  matches: (turn) => /\btickets?\b/.test(turn.lower),
  async run(turn) {
    const ticket = /\b(tkt_[A-Za-z0-9]+|T-\d+)\b/i.exec(turn.text)?.[1];
    if (ticket) await turn.call('get_ticket', { ticket });
    else {
      const status = /\b(open|closed|resolved)\b/.exec(turn.lower)?.[1];
      await turn.call('list_tickets', { ...customerInput(turn), ...(status ? { status } : {}), ...limitInput(turn) });
    }
    return turn.reply('');
  },
};

const invoice: Form = {
  name: 'one invoice',
  examples: ['Download invoice INV-001', 'What is the status of invoice INV-000123?'],
  matches: (turn) => invoiceReference(turn.text) !== undefined && /\binvoice|\border\b|#/.test(turn.lower),
  async run(turn) {
    await turn.call('get_invoice', invoiceReference(turn.text) ?? {});
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
  matches: (turn) => /\binvoices?\b|\bbills?\b/.test(turn.lower),
  async run(turn) {
    const over = /\b(?:over|above|more\s+than|greater\s+than|at\s+least)\s+/i.test(turn.text)
      ? parseAmount(turn.text)
      : undefined;
    const status = /\b(draft|open|paid|void|uncollectible)\b/.exec(turn.lower)?.[1];
    const counting = /\b(?:how\s+many|number\s+of|count)\b/.test(turn.lower);
    await turn.call('list_invoices', {
      ...(await turn.windowInput()),
      ...(over ? { min_amount: over.amount, currency: over.currency } : {}),
      ...(status ? { status } : {}),
      ...customerInput(turn),
      ...(counting ? { limit: 10 } : limitInput(turn)),
    });
    return turn.reply('');
  },
};

const customers: Form = {
  name: 'find customers',
  examples: ['Show customers in Germany', 'Look up Acme Corp'],
  matches: (turn) =>
    /\bcustomers?\b|\bclients?\b|\baccounts?\b|^(?:who\s+is|look\s*up|find)\b/.test(turn.lower) &&
    (countryOf(turn.text) !== undefined || customerReference(turn.text) !== undefined),
  async run(turn) {
    const country = countryOf(turn.text);
    const reference = customerReference(turn.text);
    if (reference && !/\bcustomers\b/.test(turn.lower)) await turn.call('get_customer', lookupOf(reference));
    else
      await turn.call('search_customers', {
        ...(country ? { country } : {}),
        ...(reference ? { query: reference } : {}),
        ...limitInput(turn),
      });
    return turn.reply('');
  },
};

function lookupOf(reference: string): Record<string, string> {
  if (reference.startsWith('cus_')) return { customer_id: reference };
  return reference.includes('@') ? { email: reference } : { name: reference };
}

const whatIf: Form = {
  name: 'what if (pricing)',
  examples: ['What if we added a usage-based component to the Pro plan?'],
  matches: (turn) => /^what\s+if\b|\bhypothetical|\bwhat\s+would\s+happen\s+if\b/.test(turn.lower),
  async run(turn) {
    await turn.call('usage_against_limits', { min_share: 0.8 });
    return turn.reply(
      'Leash does not simulate pricing changes. What it can show is where usage already presses on plan limits, which is what a usage-based component would bill:',
    );
  },
};

/** The reading forms, most specific first. */
export const ASK_FORMS: readonly Form[] = [
  doubleCharges,
  involuntaryChurn,
  failureRates,
  whatIf,
  mrr,
  topExpansion,
  failedPayments,
  overdueCustomers,
  overdueInvoices,
  duplicateSubscriptions,
  paymentHistory,
  subscriptionHistory,
  upcoming,
  listSubscriptions,
  usage,
  explainPlan,
  listPlans,
  activity,
  tickets,
  invoice,
  invoices,
  customers,
];
