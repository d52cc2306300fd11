/**
 * Request forms that change billing. Each resolves its targets with reads, then proposes exactly one write
 * (or one per named target) through the pipeline; none ever confirms. When a target or an amount is missing
 * or ambiguous, the form asks instead of guessing.
 */
import type { PlannerReply } from '../agent-types.ts';
import {
  chargeReference,
  countryOf,
  couponCode,
  customerReference,
  emailOf,
  invoiceReference,
  parseAmount,
  percentOf,
} from './entities.ts';
import {
  type CustomerAnswer,
  customerLookup,
  type Form,
  liveSubscriptions,
  matchPlans,
  type PlanEntry,
} from './form.ts';
import type { Turn } from './turn.ts';

const ALL = /\b(?:all|every(?:one|body)?|each)\b/;

interface InvoiceAnswer {
  invoice: { id: string; number: string; total: number; currency: string; status: string };
  customer: { id: string; name: string } | null;
}

/** The customer the request names, looked up; or a reply saying what is missing. */
async function findCustomer(turn: Turn, example: string): Promise<CustomerAnswer | PlannerReply> {
  const reference = customerReference(turn.text);
  if (!reference) return turn.ask(`Which customer? Name them, e.g. "${example}".`);
  const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
  return found ?? turn.reply('');
}

function isReply(value: unknown): value is PlannerReply {
  return typeof value === 'object' && value !== null && 'text' in value && 'referents' in value;
}

/** The invoice a request names, or the customer's last paid one ("the last invoice for acme-corp"). */
async function findInvoice(turn: Turn): Promise<InvoiceAnswer | PlannerReply> {
  const reference = invoiceReference(turn.text);
  if (reference) return (await turn.read<InvoiceAnswer>('get_invoice', reference)) ?? turn.reply('');
  const customer = customerReference(turn.text);
  if (!customer)
    return turn.ask('Which invoice? Give its number or the customer, e.g. "Refund the last invoice for Acme Corp".');
  const list = await turn.read<{ invoices: InvoiceAnswer['invoice'][] }>('list_invoices', {
    customer,
    status: 'paid',
    limit: 1,
  });
  if (!list) return turn.reply('');
  const [invoice] = list.invoices;
  if (!invoice) return turn.reply(`${customer} has no paid invoice to refund.`);
  return { invoice, customer: null };
}

const refund: Form = {
  name: 'refund',
  examples: [
    'Refund order #5678',
    'Refund the last invoice for customer acme-corp. Reason: service outage on March 15',
  ],
  matches: (turn) =>
    /^(?:please\s+|can\s+you\s+|could\s+you\s+|i\s+(?:want|need)\s+to\s+)?(?:issue\s+|process\s+|give\s+(?:them\s+)?)?(?:a\s+)?(?:full\s+|partial\s+)?refund\b/.test(
      turn.lower,
    ) || /\b(?:issue|process|make)\s+a\s+(?:full\s+|partial\s+)?refund\b/.test(turn.lower),
  async run(turn) {
    const partial = /\brefund\s+(?:r\$|[$€£₹¥])\s?\d|\b\d[\d,.]*\s*(?:usd|eur|gbp)\s+(?:of|from)\b/i.test(turn.text)
      ? parseAmount(turn.text)
      : undefined;
    const charge = chargeReference(turn.text);
    if (charge) {
      await turn.call('refund_charge', { charge_id: charge, ...(partial ?? {}), ...turn.writeContext() });
      return turn.reply('Here is the refund, worked out from the charge:');
    }
    const found = await findInvoice(turn);
    if (isReply(found)) return found;
    const { invoice } = found;
    await turn.call('refund_charge', { invoice_id: invoice.id, ...(partial ?? {}), ...turn.writeContext() });
    return turn.reply(
      `${invoice.number}${found.customer ? ` (${found.customer.name})` : ''} was for ${money(invoice.total, invoice.currency)}. Here is the refund:`,
      turn.calls.filter((call) => call.operation === 'refund_charge'),
    );
  },
};

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / (currency === 'jpy' ? 1 : 100),
  );
}

const credit: Form = {
  name: 'account credit',
  examples: ['Apply a $150 credit to customer widget-inc for the delayed onboarding'],
  matches: (turn) =>
    /\bcredit\b/.test(turn.lower) &&
    !/\bcredit\s+notes?\b/.test(turn.lower) &&
    parseAmount(turn.text) !== undefined &&
    !/\b(?:credit\s+card|show|list|how\s+much)\b/.test(turn.lower),
  async run(turn) {
    const amount = parseAmount(turn.text);
    if (!amount) return turn.ask('How much? e.g. "Apply a $150 credit to Acme Corp for the outage".');
    const found = await findCustomer(turn, 'Apply a $150 credit to customer widget-inc');
    if (isReply(found)) return found;
    await turn.call('credit_customer', { customer_id: found.customer.id, ...amount, ...turn.writeContext() });
    return turn.reply(`A credit for ${found.customer.name}, applied to their next invoices:`, []);
  },
};

const creditNote: Form = {
  name: 'credit note',
  examples: ['Issue a credit note of $20 on invoice INV-000123'],
  matches: (turn) => /\bcredit\s+note\b/.test(turn.lower) && invoiceReference(turn.text) !== undefined,
  async run(turn) {
    const amount = parseAmount(turn.text);
    if (!amount) return turn.ask('How much should the credit note be for? e.g. "Credit note of $20 on INV-000123".');
    const reference = invoiceReference(turn.text) ?? {};
    const found = await turn.read<InvoiceAnswer>('get_invoice', reference);
    if (!found) return turn.reply('');
    await turn.call('create_credit_note', {
      invoice_id: found.invoice.id,
      amount: amount.amount,
      ...turn.writeContext(),
    });
    return turn.reply(`A credit note on ${found.invoice.number}:`, []);
  },
};

const coupon: Form = {
  name: 'apply or remove a coupon',
  examples: [
    'Apply coupon SUMMER20 to customer Acme Corp',
    'Apply coupon SUMMER20 to all US customers',
    'Remove the coupon from Acme Corp',
  ],
  matches: (turn) =>
    /\b(?:apply|add|give|put)\b.*\b(?:coupon|promo|code)\b/.test(turn.lower) ||
    /\bremove\b.*\b(?:coupon|discount)\b/.test(turn.lower),
  async run(turn) {
    if (/\bremove\b/.test(turn.lower)) {
      const found = await findCustomer(turn, 'Remove the coupon from Acme Corp');
      if (isReply(found)) return found;
      const live = liveSubscriptions(found).filter((subscription) => subscription);
      const [subscription] = live;
      if (!subscription) return turn.reply(`${found.customer.name} has no live subscription.`, []);
      await turn.call('remove_coupon', { subscription_id: subscription.id, ...turn.writeContext() });
      return turn.reply(`Removing the coupon from ${found.customer.name}'s subscription:`, []);
    }
    const code = couponCode(turn.text);
    if (!code) return turn.ask('Which coupon? e.g. "Apply coupon SUMMER20 to Acme Corp".');
    if (ALL.test(turn.lower)) {
      const country = countryOf(turn.text);
      const segment: Record<string, unknown> = country ? { country } : {};
      const planPhrase = /\bon\s+(?:the\s+)?(.+?)\s+plan\b/i.exec(turn.text)?.[1];
      if (planPhrase) {
        const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
        const [plan, other] = matchPlans(plans, planPhrase);
        if (!plan || other)
          return turn.ask(
            `Which plan is "${planPhrase}"? The plans are ${plans.map((entry) => entry.product.name).join(', ')}.`,
          );
        segment.product_id = plan.product.id;
      }
      if (Object.keys(segment).length === 0)
        return turn.ask(
          `Which customers? A bulk coupon needs a segment, e.g. "Apply coupon ${code} to all US customers" or "… to everyone on the Pro plan".`,
        );
      await turn.call('bulk_apply_coupon', { coupon: code, ...segment, ...turn.writeContext() });
      return turn.reply(
        `One job applying ${code} to every live subscription in the segment; each target is listed in the preview:`,
        [],
      );
    }
    const found = await findCustomer(turn, `Apply coupon ${code} to customer Acme Corp`);
    if (isReply(found)) return found;
    await turn.call('apply_coupon', { customer_id: found.customer.id, coupon_id: code, ...turn.writeContext() });
    return turn.reply(`${code} on ${found.customer.name}'s subscription:`, []);
  },
};

const cancel: Form = {
  name: 'cancel a subscription',
  examples: ['Terminate subscription for Acme Corp', 'Cancel Globex at the end of the period'],
  matches: (turn) =>
    /\b(?:cancel|terminate|end|stop|kill|close)\b.*\b(?:subscription|plan|account)\b/.test(turn.lower) ||
    /^(?:please\s+)?(?:cancel|terminate)\b/.test(turn.lower),
  async run(turn) {
    const atPeriodEnd =
      /\b(?:at|by)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+|their\s+)?(?:current\s+)?(?:period|term|month|cycle)|period\s+end|renewal)\b/.test(
        turn.lower,
      );
    const direct = /\b(sub_[A-Za-z0-9]+)\b/.exec(turn.text)?.[1];
    if (direct) {
      await turn.call('cancel_subscription', {
        subscription_id: direct,
        at_period_end: atPeriodEnd,
        ...turn.writeContext(),
      });
      return turn.reply('', []);
    }
    const found = await findCustomer(turn, 'Terminate subscription for Acme Corp');
    if (isReply(found)) return found;
    const live = liveSubscriptions(found);
    if (live.length === 0) return turn.reply(`${found.customer.name} has no live subscription to cancel.`, []);
    if (live.length > 1)
      return {
        text: `${found.customer.name} has ${live.length} live subscriptions (${live.map((subscription) => subscription.id).join(', ')}). Which one? Say "cancel subscription sub_…".`,
        referents: live.map((subscription) => ({
          kind: 'subscription' as const,
          id: subscription.id,
          label: subscription.id,
        })),
      };
    const [subscription] = live;
    await turn.call('cancel_subscription', {
      subscription_id: subscription?.id,
      at_period_end: atPeriodEnd,
      ...turn.writeContext(),
    });
    return turn.reply(
      `${found.customer.name}'s subscription ${atPeriodEnd ? 'would end at the end of its period' : 'would end now'}:`,
      [],
    );
  },
};

const retry: Form = {
  name: 'retry payments',
  examples: [
    'Retry all failed invoices from last week',
    'List all overdue invoices and retry payments',
    'Retry invoice INV-000123',
  ],
  matches: (turn) => /\bretry\b|\btry\s+(?:charging|again)\b|\bre-?charge\b/.test(turn.lower),
  async run(turn) {
    const reference = invoiceReference(turn.text);
    if (reference) {
      const found = await turn.read<InvoiceAnswer>('get_invoice', reference);
      if (!found) return turn.reply('');
      await turn.call('retry_invoice', { invoice_id: found.invoice.id, ...turn.writeContext() });
      return turn.reply(
        `Retrying ${found.invoice.number} (${money(found.invoice.total, found.invoice.currency)}):`,
        [],
      );
    }
    if (/\boverdue\b|\bpast\s+due\b/.test(turn.lower)) {
      const overdue = await turn.read<{ invoices: { createdAt: string | Date }[]; count: number }>('list_invoices', {
        overdue: true,
        limit: 1000,
      });
      if (!overdue) return turn.reply('');
      if (overdue.invoices.length === 0) return turn.reply('No invoice is overdue, so there is nothing to retry.');
      const oldest = overdue.invoices
        .map((invoice) => new Date(invoice.createdAt).toISOString().slice(0, 10))
        .sort()[0] as string;
      const today = (await turn.now()).toISOString().slice(0, 10);
      await turn.call('bulk_retry_invoices', { from: oldest, to: today, ...turn.writeContext() });
      return turn.reply(
        `${overdue.count} invoices are overdue. One job retries every open invoice whose card payment failed since ${oldest}:`,
        turn.calls.filter((call) => call.operation === 'list_invoices'),
      );
    }
    const customer = customerReference(turn.text);
    if (customer && !ALL.test(turn.lower)) {
      const open = await turn.read<{ invoices: InvoiceAnswer['invoice'][] }>('list_invoices', {
        customer,
        status: 'open',
        limit: 5,
      });
      if (!open) return turn.reply('');
      if (open.invoices.length === 0) return turn.reply(`${customer} has no open invoice to retry.`);
      for (const invoice of open.invoices)
        await turn.call('retry_invoice', { invoice_id: invoice.id, ...turn.writeContext() });
      return turn.reply(`Retrying ${customer}'s ${open.invoices.length} open invoice(s):`, []);
    }
    const window = await turn.windowInput();
    await turn.call('bulk_retry_invoices', { ...window, ...turn.writeContext() });
    return turn.reply(
      `One job retries every open invoice whose card payment failed ${window.from ? `from ${window.from} to ${window.to}` : 'in the last 7 days'}:`,
      [],
    );
  },
};

const migrate: Form = {
  name: 'change plans',
  examples: [
    'Upgrade all customers on the legacy Starter plan to the new Starter plan. Prorate from today',
    'Upgrade Acme Corp to Business',
  ],
  matches: (turn) =>
    /\b(?:upgrade|downgrade|move|migrate|switch|change)\b.*\b(?:plan|to)\b/.test(turn.lower) &&
    !/\bemail\b/.test(turn.lower),
  async run(turn) {
    const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
    const names = plans.map((plan) => plan.product.name).join(', ');
    const prorate = !/\b(?:no|without|don'?t)\s+prorat/.test(turn.lower);
    const notify = /\b(?:notif|email|tell)\w*/.test(turn.lower)
      ? 'Leash does not email customers as part of a plan change; ask me to draft a reply once the job has run.'
      : '';
    if (ALL.test(turn.lower)) {
      const match =
        /\b(?:on|from)\s+(?:the\s+)?(.+?)\s+plan\s+(?:to|onto)\s+(?:the\s+)?(.+?)(?:\s+plan)?(?:[.,;]|$)/i.exec(
          turn.text,
        );
      if (!match?.[1] || !match[2])
        return turn.ask(
          `From which plan to which? e.g. "Move everyone on the legacy Starter plan to Basic". The plans are ${names}.`,
        );
      const [from, fromOther] = matchPlans(plans, match[1]);
      const [to, toOther] = matchPlans(plans, match[2]);
      if (!from || fromOther) return turn.ask(`I can't tell which plan "${match[1]}" is. The plans are ${names}.`);
      if (!to || toOther) return turn.ask(`There is no plan I can match to "${match[2]}". The plans are ${names}.`);
      const pairs = from.prices
        .filter((price) => price.active || true)
        .map((price) => ({
          from: price,
          to: to.prices.find(
            (candidate) =>
              candidate.active && candidate.currency === price.currency && candidate.interval === price.interval,
          ),
        }))
        .filter((pair) => pair.to !== undefined);
      if (pairs.length === 0)
        return turn.reply(
          `${to.product.name} has no price matching ${from.product.name}'s currencies and intervals.`,
          [],
        );
      for (const pair of pairs)
        await turn.call('bulk_migrate_plan', {
          from_price_id: pair.from.id,
          to_price_id: pair.to?.id,
          prorate,
          ...turn.writeContext(),
        });
      return turn.reply(
        `${from.product.name} → ${to.product.name}: one job per price (currency and interval), ${prorate ? 'prorated from today' : 'without proration'}.`,
        [],
        notify,
      );
    }
    const target = /\bto\s+(?:the\s+)?(.+?)(?:\s+plan)?(?:[.,;]|$)/i.exec(turn.text)?.[1];
    if (!target) return turn.ask(`Which plan? The plans are ${names}.`);
    const [plan, other] = matchPlans(plans, target);
    if (!plan || other) return turn.ask(`There is no plan I can match to "${target}". The plans are ${names}.`);
    const reference = customerReference(turn.text.replace(/\bto\s+(?:the\s+)?.+$/i, ''));
    if (!reference) return turn.ask(`Which customer? e.g. "Upgrade Acme Corp to ${plan.product.name}".`);
    const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
    if (!found) return turn.reply('');
    const [subscription, second] = liveSubscriptions(found);
    if (!subscription) return turn.reply(`${found.customer.name} has no live subscription to change.`, []);
    if (second) return turn.ask(`${found.customer.name} has several live subscriptions; name one (sub_…).`);
    const current = plans.flatMap((entry) => entry.prices).find((price) => price.id === subscription.items[0]?.priceId);
    const price = plan.prices.find(
      (candidate) =>
        candidate.active &&
        candidate.currency === subscription.currency &&
        candidate.interval === (current?.interval ?? 'month'),
    );
    if (!price)
      return turn.reply(
        `${plan.product.name} has no ${subscription.currency.toUpperCase()} price for that interval.`,
        [],
      );
    await turn.call('change_plan', {
      subscription_id: subscription.id,
      price_id: price.id,
      ...(subscription.items[0]?.quantity ? { quantity: subscription.items[0].quantity } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(`${found.customer.name} to ${plan.product.name}, with the proration worked out:`, [], notify);
  },
};

const COUNTRY_CURRENCY: Record<string, string> = {
  US: 'usd',
  GB: 'gbp',
  DE: 'eur',
  FR: 'eur',
  PL: 'eur',
  IN: 'inr',
  BR: 'brl',
  JP: 'jpy',
  ES: 'eur',
  IT: 'eur',
  NL: 'eur',
};

const createCustomer: Form = {
  name: 'create a customer',
  examples: ['Create a new customer with email gavin@hooli.com'],
  matches: (turn) =>
    /\b(?:create|add|new|set\s+up|onboard)\b.*\bcustomer\b/.test(turn.lower) && emailOf(turn.text) !== undefined,
  async run(turn) {
    const email = emailOf(turn.text) as string;
    const named = /\b(?:named|called|name)\s+[`'"]?([^,`'"]+?)[`'"]?(?:,|\s+(?:with|email|in|from|and)\b|$)/i.exec(
      turn.text,
    )?.[1];
    const domain = email.split('@')[1]?.split('.')[0] ?? email;
    const name = named?.trim() ?? domain.charAt(0).toUpperCase() + domain.slice(1);
    const country = countryOf(turn.text) ?? 'US';
    const currency =
      /\b(usd|eur|gbp|inr|brl|jpy)\b/i.exec(turn.text)?.[1]?.toLowerCase() ?? COUNTRY_CURRENCY[country] ?? 'usd';
    await turn.call('create_customer', { name, email, country, currency, ...turn.writeContext() });
    const assumed = [named ? '' : `name "${name}" from the address`, countryOf(turn.text) ? '' : `country ${country}`]
      .filter(Boolean)
      .join(' and ');
    return turn.reply(
      `A new customer ${email}${assumed ? ` (I assumed ${assumed}; say it again with the right ones if not)` : ''}:`,
      [],
    );
  },
};

const updateEmail: Form = {
  name: 'change a billing email',
  examples: ['Update the billing email for customer Acme Corp to billing@acme.test'],
  matches: (turn) => /\b(?:update|change|set|replace)\b.*\b(?:e-?mail|address)\b/.test(turn.lower),
  async run(turn) {
    const email = /\bto\s+[`'"]?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/i.exec(turn.text)?.[1];
    const rest = email ? turn.text.replace(email, '') : turn.text;
    const reference = customerReference(rest.replace(/\bto\s+$/i, ''));
    if (!email)
      return turn.ask(
        `What should the new billing email${reference ? ` for ${reference}` : ''} be? e.g. "Update the billing email for customer ${reference ?? 'Acme Corp'} to billing@example.com".`,
      );
    if (!reference) return turn.ask(`Which customer's billing email should become ${email}?`);
    const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
    if (!found) return turn.reply('');
    await turn.call('update_customer', { customer_id: found.customer.id, email, ...turn.writeContext() });
    return turn.reply(`${found.customer.name}'s billing email, ${found.customer.email} → ${email}:`, []);
  },
};

const createPlan: Form = {
  name: 'create a plan',
  examples: ['Create a Pro plan at $49/month with a 20% annual discount and 14-day free trial'],
  matches: (turn) =>
    /\b(?:create|add|launch|set\s+up)\b.*\bplan\b/.test(turn.lower) && parseAmount(turn.text) !== undefined,
  async run(turn) {
    const amount = parseAmount(turn.text);
    const name = /\b(?:create|add|launch|set\s+up)\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?(.+?)\s+plan\b/i
      .exec(turn.text)?.[1]
      ?.trim();
    if (!amount || !name)
      return turn.ask('Name the plan and its monthly price, e.g. "Create a Pro plan at $49/month".');
    const discount = /(\d{1,2}(?:\.\d+)?)\s*%\s+annual/i.exec(turn.text)?.[1];
    const trial = /(\d{1,3})[-\s]day\s+(?:free\s+)?trial/i.exec(turn.text)?.[1];
    await turn.call('create_plan', {
      name,
      currency: amount.currency,
      monthly_amount: amount.amount,
      ...(discount ? { annual_discount_percent: Number(discount) } : {}),
      ...(trial ? { trial_days: Number(trial) } : {}),
      ...turn.writeContext(),
    });
    const webhook = /\bwebhook\b/.test(turn.lower)
      ? 'Webhooks are not something Leash configures; set that endpoint up in your billing provider.'
      : '';
    return turn.reply(`The ${name} plan, with a monthly and an annual price:`, [], webhook);
  },
};

const createCoupon: Form = {
  name: 'create a coupon',
  examples: ['Create a coupon WELCOME10 for 10% off once'],
  matches: (turn) => /\b(?:create|add|make|set\s+up)\b.*\b(?:coupon|promo\s+code|discount\s+code)\b/.test(turn.lower),
  async run(turn) {
    const code = /\b(?:coupon|code)\s+[`'"]?([A-Z0-9_-]{2,40})\b/i.exec(turn.text)?.[1];
    const percent = percentOf(turn.text);
    const amount = percent === undefined ? parseAmount(turn.text) : undefined;
    if (!code || (percent === undefined && !amount))
      return turn.ask('Give the code and the discount, e.g. "Create a coupon WELCOME10 for 10% off once".');
    const months = /\bfor\s+(\d{1,2})\s+months\b/i.exec(turn.text)?.[1];
    const duration = /\bforever\b/.test(turn.lower) ? 'forever' : months ? 'repeating' : 'once';
    await turn.call('create_coupon', {
      code: code.toUpperCase(),
      name: `${code.toUpperCase()} ${percent !== undefined ? `${percent}% off` : 'amount off'}`,
      ...(percent !== undefined
        ? { percent_off: percent }
        : { amount_off: amount?.amount, currency: amount?.currency }),
      duration,
      ...(months ? { duration_in_months: Number(months) } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(`A new coupon ${code.toUpperCase()}:`, []);
  },
};

const voidInvoice: Form = {
  name: 'void an invoice',
  examples: ['Void invoice INV-000123'],
  matches: (turn) => /\bvoid\b/.test(turn.lower) && invoiceReference(turn.text) !== undefined,
  async run(turn) {
    const found = await turn.read<InvoiceAnswer>('get_invoice', invoiceReference(turn.text) ?? {});
    if (!found) return turn.reply('');
    await turn.call('void_invoice', { invoice_id: found.invoice.id, ...turn.writeContext() });
    return turn.reply(`Voiding ${found.invoice.number} (${money(found.invoice.total, found.invoice.currency)}):`, []);
  },
};

const draft: Form = {
  name: 'draft a reply',
  examples: ['Draft a reply to Acme Corp saying the refund is on its way'],
  matches: (turn) =>
    /\b(?:draft|write|compose|prepare)\b.*\b(?:reply|e-?mail|message|note|response)\b/.test(turn.lower),
  async run(turn) {
    const body = /\b(?:saying|that says|telling them|to say|:)\s*(.+)$/is.exec(turn.text)?.[1]?.trim();
    const reference = customerReference(turn.text.replace(/\b(?:saying|that says|telling them|to say|:)\s*.+$/is, ''));
    if (!reference)
      return turn.ask('Who is the reply for? e.g. "Draft a reply to Acme Corp saying the refund is on its way".');
    if (!body) return turn.ask(`What should it say? e.g. "Draft a reply to ${reference} saying …".`);
    await turn.call('draft_reply', { customer: reference, body, ...turn.writeContext() });
    return turn.reply('A draft; nothing is sent until someone sends it:', []);
  },
};

/** The forms that change billing, most specific first. */
export const ACT_FORMS: readonly Form[] = [
  creditNote,
  refund,
  credit,
  coupon,
  createCoupon,
  cancel,
  retry,
  createPlan,
  createCustomer,
  updateEmail,
  migrate,
  voidInvoice,
  draft,
];
