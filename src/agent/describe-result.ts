/**
 * Words for what a call returned: the operation's own explanation or summary when it has one, otherwise a
 * short numbered list, plus the things a follow-up may point at ("the first one", "all of these"). Server
 * data only: amounts and names come from the result, never from a model.
 */
import { formatMoney, money } from '../domain/money.ts';
import { asDate, DEFAULT_TIME_ZONE, personDate, personDuration, plural } from '../domain/person-time.ts';
import type { Chart } from '../operations/period.ts';
import type { AgentCall, Referent } from './agent-types.ts';

/** How a call's result reads in a reply. */
export interface Described {
  text: string;
  referents: Referent[];
  chart?: Chart | null;
}

type Row = Record<string, unknown>;

const LIST_LIMIT = 10;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function amount(value: unknown, currency: unknown): string {
  return typeof value === 'number' && typeof currency === 'string' ? formatMoney(money(value, currency)) : '';
}

/**
 * The zone the call being described is read in. describeCall is synchronous, so it sets this for its own run
 * and puts it back: no other description can interleave.
 */
let readerZone = DEFAULT_TIME_ZONE;

/** A moment's day in the reader's zone; midnight UTC is a calendar date (a due day, a period's edge) as it is. */
function date(value: unknown): string {
  const at = asDate(value);
  if (!at) return '';
  const midnight = at.getUTCHours() === 0 && at.getUTCMinutes() === 0 && at.getUTCSeconds() === 0;
  return personDate(at, midnight ? DEFAULT_TIME_ZONE : readerZone);
}

function numbered(lines: string[], total: number, noun: string): string {
  const shown = lines.slice(0, LIST_LIMIT).map((line, index) => `${index + 1}. ${line}`);
  const more = total > shown.length ? `\n…and ${total - shown.length} more ${noun}.` : '';
  return `${shown.join('\n')}${more}`;
}

function invoiceLine(invoice: Row): string {
  const due = invoice.dueDate ? `, due ${date(invoice.dueDate)}` : '';
  const name = text(invoice.customerName);
  return `${text(invoice.number)}${name ? ` — ${name}` : ''} — ${amount(invoice.total, invoice.currency)} — ${text(invoice.status)}${due}`;
}

function rows(value: unknown): Row[] {
  return Array.isArray(value) ? (value as Row[]) : [];
}

function describeInvoices(result: Row): Described {
  const invoices = rows(result.invoices);
  const total = typeof result.count === 'number' ? result.count : invoices.length;
  if (invoices.length === 0) return { text: 'No invoice matches.', referents: [] };
  return {
    text: `${total} invoice${total === 1 ? '' : 's'} match${total === 1 ? 'es' : ''}:\n${numbered(invoices.map(invoiceLine), total, 'invoices')}`,
    referents: invoices.map((invoice) => ({ kind: 'invoice', id: text(invoice.id), label: text(invoice.number) })),
  };
}

function describeCustomers(result: Row): Described {
  const customers = rows(result.customers);
  if (customers.length === 0) return { text: 'No customer matches.', referents: [] };
  return {
    text: `${customers.length} customer${customers.length === 1 ? '' : 's'}:\n${numbered(
      customers.map(
        (customer) =>
          `${text(customer.name)} (${text(customer.id)}) — ${text(customer.email)}, ${text(customer.country)}`,
      ),
      customers.length,
      'customers',
    )}`,
    referents: customers.map((customer) => ({ kind: 'customer', id: text(customer.id), label: text(customer.name) })),
  };
}

function describeSubscriptions(result: Row): Described {
  const subscriptions = rows(result.subscriptions);
  const total = typeof result.count === 'number' ? result.count : subscriptions.length;
  if (subscriptions.length === 0) return { text: 'No subscription matches.', referents: [] };
  return {
    text: `${total} subscription${total === 1 ? '' : 's'}:\n${numbered(
      subscriptions.map(
        (subscription) =>
          `${text(subscription.customerName) || text(subscription.customerId)} — ${text(subscription.plan) || text(subscription.id)} — ${text(subscription.status)}, since ${date(subscription.createdAt)}`,
      ),
      total,
      'subscriptions',
    )}`,
    referents: subscriptions.map((subscription) => ({
      kind: 'subscription',
      id: text(subscription.id),
      label: `${text(subscription.customerName) || text(subscription.customerId)}'s subscription`,
    })),
  };
}

function describeCustomer(result: Row): Described {
  const customer = (result.customer ?? {}) as Row;
  const subscriptions = rows(result.subscriptions);
  const invoices = rows(result.invoices);
  const live = subscriptions.filter((subscription) =>
    ['active', 'trialing', 'past_due'].includes(text(subscription.status)),
  );
  const lines = [
    `${text(customer.name)} (${text(customer.id)}), ${text(customer.email)}, ${text(customer.country)}.`,
    `${live.length} live subscription${live.length === 1 ? '' : 's'}; ${invoices.length} recent invoice${invoices.length === 1 ? '' : 's'}.`,
  ];
  if (invoices.length > 0) lines.push(numbered(invoices.map(invoiceLine), invoices.length, 'invoices'));
  return {
    text: lines.join('\n'),
    referents: [
      { kind: 'customer', id: text(customer.id), label: text(customer.name) },
      ...invoices.map((invoice): Referent => ({ kind: 'invoice', id: text(invoice.id), label: text(invoice.number) })),
    ],
  };
}

function describeInvoice(result: Row): Described {
  const invoice = (result.invoice ?? {}) as Row;
  const customer = (result.customer ?? {}) as Row;
  const charges = rows(result.charges);
  const paid = charges.filter((charge) => charge.status === 'succeeded').length;
  const failed = charges.length - paid;
  const lines = rows(invoice.lines).map(
    (line) => `  ${text(line.description)}: ${amount(line.amount, invoice.currency)}`,
  );
  return {
    text: [
      `${text(invoice.number)} for ${text(customer.name)}: ${amount(invoice.total, invoice.currency)}, ${text(invoice.status)}${invoice.dueDate ? `, due ${date(invoice.dueDate)}` : ''}; ${amount(invoice.amountPaid, invoice.currency)} paid, ${amount(invoice.amountRemaining, invoice.currency)} remaining.`,
      `${charges.length} payment attempt${charges.length === 1 ? '' : 's'} (${paid} succeeded, ${failed} failed).`,
      ...lines,
    ].join('\n'),
    referents: [
      { kind: 'invoice', id: text(invoice.id), label: text(invoice.number) },
      { kind: 'customer', id: text(customer.id), label: text(customer.name) },
    ],
  };
}

function describeFailures(result: Row): Described {
  const failures = rows(result.failures);
  const lines = failures.map(
    (charge) =>
      `${text(charge.customerName)} — ${amount(charge.amount, charge.currency)} — ${text(charge.failureCode) || 'declined'}, ${date(charge.createdAt)}`,
  );
  return {
    text: `${text(result.summary)}${lines.length > 0 ? `\n${numbered(lines, failures.length, 'failures')}` : ''}`,
    referents: failures
      .filter((charge) => typeof charge.invoiceId === 'string')
      .map((charge) => ({
        kind: 'invoice',
        id: text(charge.invoiceId),
        label: `${text(charge.customerName)}'s failed invoice`,
      })),
  };
}

/** The window a read searched, in words: "1 Sep 2026 to 3 Dec 2026" (until is exclusive). */
function windowWords(window: unknown): string {
  const bounds = (window ?? {}) as Row;
  const from = asDate(bounds.from);
  const until = asDate(bounds.until);
  return from && until ? `${personDate(from)} to ${personDate(new Date(until.getTime() - 1))}` : '';
}

/** A wider look-back than the window searched, in months: 12, or 24 once 12 were searched. */
function widerMonths(window: unknown): number {
  const from = asDate((window as Row | undefined)?.from);
  const until = asDate((window as Row | undefined)?.until);
  const months = from && until ? (until.getTime() - from.getTime()) / (30 * 86_400_000) : 0;
  return months >= 11 ? 24 : 12;
}

/** One suspected double charge: who, how much, how far apart, on which invoices; no internal ids. */
function doubleChargeLine(pair: Row): string {
  const charges = rows(pair.charges);
  const [first, second] = charges;
  const name = text((pair.customer as Row | undefined)?.name);
  if (!first || !second) return text(pair.summary);
  const apart = (asDate(second.createdAt)?.getTime() ?? 0) - (asDate(first.createdAt)?.getTime() ?? 0);
  const invoices = [...new Set(charges.map((charge) => text(charge.invoiceNumber)).filter(Boolean))];
  const refunded = typeof second.amountRefunded === 'number' && second.amountRefunded > 0;
  return `${name} was charged ${amount(second.amount, second.currency)} twice, ${personDuration(apart)} apart on ${date(first.createdAt)}${
    invoices.length > 0 ? ` (${invoices.join(' and ')})` : ''
  }${refunded ? `; ${amount(second.amountRefunded, second.currency)} of the second is already refunded` : ''}`;
}

function describeDoubleCharges(result: Row): Described {
  const found = rows(result.doubleCharges);
  const searched = windowWords(result.window);
  if (found.length === 0)
    return {
      text: searched
        ? `No double charge found from ${searched}. Ask again with a wider window to look further back, e.g. "in the last ${widerMonths(result.window)} months".`
        : 'No double charge found in that window.',
      referents: [],
    };
  return {
    text: `${plural(found.length, 'possible double charge')}${searched ? ` from ${searched}` : ''}:\n${numbered(
      found.map(doubleChargeLine),
      found.length,
      'pairs',
    )}`,
    referents: found.flatMap((pair) => {
      const charges = rows(pair.charges);
      const second = charges[1];
      return second
        ? [
            {
              kind: 'charge' as const,
              id: text(second.id),
              label: `${text((pair.customer as Row)?.name)}'s second charge`,
            },
          ]
        : [];
    }),
  };
}

/** Customers subscribed twice to one product: who, which plan, since when, and what the extra one bills. */
function describeDuplicates(result: Row): Described {
  const groups = rows(result.groups);
  if (groups.length === 0)
    return {
      text: 'No duplicate subscription found: no customer has two live subscriptions to one plan.',
      referents: [],
    };
  const line = (group: Row) => {
    const subscriptions = rows(group.subscriptions);
    const since = subscriptions.map((subscription) => date(subscription.createdAt)).join(' and ');
    return `${text((group.customer as Row)?.name)} has ${plural(subscriptions.length, `live ${text((group.product as Row)?.name)} subscription`)} (started ${since}); the extra ${
      subscriptions.length > 2 ? 'ones bill' : 'one bills'
    } ${amount(group.extraPerPeriod, group.currency)} per period`;
  };
  return {
    text: `${plural(groups.length, 'customer')} with a duplicate subscription:\n${numbered(groups.map(line), groups.length, 'customers')}`,
    referents: groups.flatMap((group) =>
      rows(group.subscriptions)
        .slice(1)
        .map((subscription) => ({
          kind: 'subscription' as const,
          id: text(subscription.subscriptionId),
          label: `${text((group.customer as Row)?.name)}'s extra ${text((group.product as Row)?.name)} subscription`,
        })),
    ),
  };
}

function describePlans(result: Row): Described {
  const plans = rows(result.plans);
  if (plans.length === 0) return { text: 'No plan is on sale.', referents: [] };
  return {
    text: `${plans.length} plan${plans.length === 1 ? '' : 's'}:\n${numbered(
      plans.map((plan) => {
        const product = (plan.product ?? {}) as Row;
        const prices = rows(plan.prices)
          .map(
            (price) =>
              `${amount(price.unitAmount, price.currency) || text(price.scheme)}/${text(price.interval) || 'use'}`,
          )
          .slice(0, 4)
          .join(', ');
        return `${text(product.name)}${prices ? ` — ${prices}` : ''}`;
      }),
      plans.length,
      'plans',
    )}`,
    referents: [],
  };
}

function describeActivity(result: Row): Described {
  const events = rows(result.events);
  if (events.length === 0) return { text: 'No activity yet.', referents: [] };
  return {
    text: `The latest ${events.length} event${events.length === 1 ? '' : 's'}:\n${numbered(
      events.map(
        (event) =>
          `${date(event.at)} ${text(event.event)}${event.operation ? ` ${text(event.operation)}` : ''}${event.actor ? ` by ${text(event.actor)}` : ''}${event.summary ? ` — ${text(event.summary)}` : ''}`,
      ),
      events.length,
      'events',
    )}`,
    referents: [],
  };
}

function describeUpcoming(result: Row): Described {
  const invoices = rows(result.invoices);
  const totals = rows(result.totals).map((total) => amount(total.amount, total.currency));
  const total = typeof result.count === 'number' ? result.count : invoices.length;
  return {
    text: `${total} upcoming invoice${total === 1 ? '' : 's'}${totals.length > 0 ? `, totalling ${totals.join(' + ')}` : ''}:\n${numbered(
      invoices.map(
        (invoice) =>
          `${text(invoice.customerName)} — ${amount(invoice.amount, invoice.currency)} on ${date(invoice.date)}`,
      ),
      total,
      'invoices',
    )}`,
    referents: invoices.map((invoice) => ({
      kind: 'customer',
      id: text(invoice.customerId),
      label: text(invoice.customerName),
    })),
  };
}

function describeTickets(result: Row): Described {
  const tickets = rows(result.tickets);
  if (tickets.length === 0) return { text: 'No ticket matches.', referents: [] };
  return {
    text: `${tickets.length} ticket${tickets.length === 1 ? '' : 's'}:\n${numbered(
      tickets.map(
        (ticket) =>
          `${text(ticket.number) || text(ticket.id)} — ${text(ticket.customerName) || text(ticket.customerId)} — ${text(ticket.class)}, ${text(ticket.status)}`,
      ),
      tickets.length,
      'tickets',
    )}`,
    referents: tickets.map((ticket) => ({
      kind: 'ticket',
      id: text(ticket.id),
      label: text(ticket.number) || text(ticket.id),
    })),
  };
}

const SPECIFIC: Record<string, (result: Row) => Described> = {
  list_invoices: describeInvoices,
  search_customers: describeCustomers,
  list_subscriptions: describeSubscriptions,
  get_customer: describeCustomer,
  get_invoice: describeInvoice,
  failed_payments: describeFailures,
  find_double_charges: describeDoubleCharges,
  find_duplicate_subscriptions: describeDuplicates,
  list_plans: describePlans,
  list_activity: describeActivity,
  upcoming_invoices: describeUpcoming,
  list_tickets: describeTickets,
  get_billing_date: (result) => ({
    text: `Today in the billing system is ${text(result.today)} (UTC; the ledger's clock).`,
    referents: [],
  }),
};

/** The words and referents for one call, its times in `timeZone` (the member's; UTC by default). */
export function describeCall(call: AgentCall, timeZone: string = DEFAULT_TIME_ZONE): Described {
  const previous = readerZone;
  readerZone = timeZone;
  try {
    return describe(call);
  } finally {
    readerZone = previous;
  }
}

function describe(call: AgentCall): Described {
  if (call.error) return { text: call.error.message, referents: [] };
  if (call.proposal)
    return {
      text: call.proposal.preview.summary,
      referents: [{ kind: 'proposal', id: call.proposal.id, label: call.proposal.preview.summary }],
    };
  const result = (call.result ?? {}) as Row;
  const specific = SPECIFIC[call.operation];
  if (specific) return specific(result);
  const words = text(result.explanation) || text(result.summary) || `${call.operation} answered.`;
  const referents: Referent[] = [];
  for (const customer of rows(result.customers))
    if (typeof customer.customerId === 'string' || typeof customer.id === 'string')
      referents.push({
        kind: 'customer',
        id: text(customer.customerId) || text(customer.id),
        label: text(customer.name),
      });
  const chart = (result.chart as Chart | undefined) ?? null;
  return { text: words, referents, chart };
}
