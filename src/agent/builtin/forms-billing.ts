import type { Mentions } from '../../operations/resolve-mentions.ts';
/** Forms that change subscriptions: coupons (one customer or a segment), cancellations, payment retries, plan changes. */
import { countryOf, couponCode, percentOf } from './entities.ts';
import {
  ALL,
  type CustomerAnswer,
  customerLookup,
  type Form,
  findCustomer,
  type InvoiceAnswer,
  intervalAsked,
  isReply,
  liveSubscriptions,
  matchPlans,
  type PlanEntry,
  pickSubscription,
  showMoney,
} from './form.ts';

/** "at the end of the period", "at renewal", "end of the billing cycle", "don't renew", "when it renews". */
/** "and notify them", "send notification emails", "let them know": the customers get a notification. */
export const NOTIFY =
  /[,;]?\s*(?:and\s+|then\s+|also\s+)?(?:notify\s+(?:them|the\s+customers|everyone|each\s+customer|customers|affected\s+customers)|send\s+(?:them\s+|out\s+)?(?:an?\s+)?(?:notification|email)s?(?:\s+e-?mails?)?(?:\s+to\s+them)?|let\s+(?:them|the\s+customers|everyone|each\s+customer|customers)\s+know|e-?mail\s+(?:them|the\s+customers|everyone|each\s+customer)|tell\s+(?:them|the\s+customers|everyone|each\s+customer))\b.*$/i;

export const AT_RENEWAL =
  /\b(?:at|by|on|from)\s+(?:the\s+|their\s+|its\s+)?(?:end\s+of\s+(?:the\s+|their\s+|its\s+|this\s+)?(?:current\s+|billing\s+|paid\s+|subscription\s+)*(?:periods?|terms?|months?|cycles?|years?)|(?:period|term|cycle)\s+end|(?:next\s+)?renewal|next\s+(?:billing\s+)?(?:cycle|period|invoice|month))\b|\bwhen\s+(?:it|they|the\s+subscription)\s+renews?\b|\b(?:when|once|after)\s+(?:their|the|its)\s+(?:current\s+)?(?:billing\s+)?(?:period|term|cycle|subscription|month)\s+(?:ends|runs\s+out|is\s+up|is\s+over)\b|\beop\b|\b(?:starting|from|with|on)\s+(?:with\s+)?(?:their|the|its)\s+next\s+(?:bill|invoice|billing\s+date|cycle|period|renewal)\b|\b(?:do\s+not|don'?t|not|stop\s+(?:the\s+)?auto-?)\s*renew|\bend\s+of\s+(?:the\s+|their\s+|its\s+)?(?:current\s+)?(?:billing\s+)?(?:periods?|cycles?|terms?)\b/;

/**
 * The question when a discount names no coupon: discounts are coupons, so the person names one or creates one
 * first; the example carries the discount and the length the request gave ("20% off for 3 months").
 */
function askForCoupon(text: string, mentions: Mentions): string {
  const percent = percentOf(text);
  if (percent === undefined) return 'Which coupon? e.g. "Apply coupon SUMMER20 to Acme Corp".';
  const months = /\b(?:for|next)\s+(?:the\s+next\s+)?(\d{1,2})\s+(?:months?|invoices?|billing\s+cycles?)\b/i.exec(
    text,
  )?.[1];
  const lasting = months ? ` for ${months} months` : ' once';
  const [customer] = mentions.customers.filter((mention) => mention.candidates.length === 1);
  const name = customer?.candidates[0]?.name ?? 'the customer';
  const code = `${(name === 'the customer' ? 'SAVE' : name.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)).toUpperCase()}${percent}`;
  return `Discounts are coupons in Leash, and no coupon was named, so nothing was proposed. Name one ("Apply coupon SUMMER20 to ${name}"), or create one first: "Create a coupon ${code} for ${percent}% off${lasting}", then "Apply coupon ${code} to ${name}".`;
}

export const coupon: Form = {
  name: 'apply or remove a coupon',
  examples: [
    'Apply coupon SUMMER20 to customer Acme Corp',
    'Apply coupon SUMMER20 to all US customers',
    'Remove the coupon from Acme Corp',
  ],
  intents: ['apply_coupon', 'bulk_apply_coupon', 'remove_coupon'],
  async run(turn) {
    if (turn.intent === 'remove_coupon' || (turn.intent === '' && /\bremove\b/.test(turn.lower))) {
      const named = turn.mentions.subscriptions.find((mention) => turn.scope.includes(mention.text));
      if (named) {
        await turn.call('remove_coupon', { subscription_id: named.id, ...turn.writeContext() });
        return turn.reply(`Removing the coupon from ${named.id}:`, []);
      }
      const found = await findCustomer(turn, 'Remove the coupon from Acme Corp');
      if (isReply(found)) return found;
      if (liveSubscriptions(found).length === 0)
        return turn.reply(`${found.customer.name} has no live subscription.`, []);
      const subscription = await pickSubscription(turn, found);
      if (!subscription) return askSubscription(found, 'remove the coupon from');
      await turn.call('remove_coupon', { subscription_id: subscription.id, ...turn.writeContext() });
      return turn.reply(`Removing the coupon from ${found.customer.name}'s subscription:`, []);
    }
    const code =
      turn.mentions.coupons.find((mention) => turn.scope.includes(mention.text))?.code ??
      couponCode(turn.text) ??
      couponCode(turn.scope);
    if (!code) return turn.ask(askForCoupon(turn.text, turn.mentions));
    if (turn.intent === 'bulk_apply_coupon' || ALL.test(turn.lower)) {
      const country = countryOf(turn.text);
      const segment: Record<string, unknown> = country ? { country } : {};
      // "on the Pro plan", or a plan the catalogue knows after "on" ("only the ones on Pro").
      const onPlan = turn.mentions.plans.find(
        (mention) =>
          turn.text.includes(mention.text) &&
          /\bon\s+(?:the\s+)?$/i.test(turn.text.slice(0, turn.text.indexOf(mention.text))) &&
          mention.candidates.length === 1,
      );
      const planPhrase = /\bon\s+(?:the\s+)?(.+?)\s+plan\b/i.exec(turn.text)?.[1] ?? onPlan?.text;
      if (onPlan?.candidates[0] && planPhrase === onPlan.text) segment.product_id = onPlan.candidates[0].id;
      else if (planPhrase) {
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
    // The subscription it goes on: the only live one, or the one the request names by plan or age.
    const subscription = liveSubscriptions(found).length > 0 ? await pickSubscription(turn, found) : undefined;
    if (liveSubscriptions(found).length > 1 && !subscription) return askSubscription(found, `apply ${code} to`);
    await turn.call('apply_coupon', {
      customer_id: found.customer.id,
      ...(subscription ? { subscription_id: subscription.id } : {}),
      coupon_id: code,
      ...turn.writeContext(),
    });
    return turn.reply(`${code} on ${found.customer.name}'s subscription:`, []);
  },
};

export const cancel: Form = {
  name: 'cancel a subscription',
  examples: ['Terminate subscription for Acme Corp', 'Cancel Globex at the end of the period'],
  intents: ['cancel_subscription'],
  async run(turn) {
    // "at period end, not now": a negated "now" does not override the timing asked for.
    const said = turn.lower.replace(/\b(?:not|don'?t\s+\w+)\s+(?:now|immediately|right\s+away|today)\b/g, '');
    const atPeriodEnd = AT_RENEWAL.test(said) && !/\b(?:now|immediately|right\s+away|today)\b/.test(said);
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
    const subscription = await pickSubscription(turn, found);
    if (!subscription) return askSubscription(found, 'cancel');
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

/** Asks which of a customer's live subscriptions is meant, listing them; nothing is proposed. */
function askSubscription(found: CustomerAnswer, action: string) {
  const live = liveSubscriptions(found);
  return {
    text: `${found.customer.name} has ${live.length} live subscriptions (${live.map((subscription) => subscription.id).join(', ')}). Which one should I ${action}? Name it (sub_…) or its plan.`,
    referents: live.map((subscription) => ({
      kind: 'subscription' as const,
      id: subscription.id,
      label: subscription.id,
    })),
  };
}

export const retry: Form = {
  name: 'retry payments',
  examples: [
    'Retry all failed invoices from last week',
    'List all overdue invoices and retry payments',
    'Retry invoice INV-000123',
  ],
  intents: ['retry_invoice', 'bulk_retry_invoices'],
  async run(turn) {
    const reference = turn.invoiceRef();
    if (reference) {
      const found = await turn.read<InvoiceAnswer>('get_invoice', reference);
      if (!found) return turn.reply('');
      await turn.call('retry_invoice', { invoice_id: found.invoice.id, ...turn.writeContext() });
      return turn.reply(
        `Retrying ${found.invoice.number} (${showMoney(found.invoice.total, found.invoice.currency)}):`,
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
    const customer = turn.customerRef();
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
    // A bulk retry only when asked for one ("retry all failed invoices from last week", or "list the overdue
    // invoices and retry payments": the invoices another clause of the request lists): a vague "try again" with no invoice or
    // customer asks which, instead of widening to every failed invoice.
    const listedOverdue =
      /\b(?:payments|invoices|them)\b/.test(turn.lower) && /\boverdue\b|\bpast\s+due\b/.test(turn.request);
    const bulk =
      listedOverdue ||
      turn.intent === 'bulk_retry_invoices' ||
      ALL.test(turn.lower) ||
      /\b(?:failed|declined)\s+(?:invoices|payments|charges)\b|\binvoices\b/.test(turn.lower);
    if (!bulk) return turn.ask('Which invoice should be retried? Give its number (INV-000123) or the customer.');
    const window = await turn.windowInput();
    await turn.call('bulk_retry_invoices', { ...window, ...turn.writeContext() });
    return turn.reply(
      `One job retries every open invoice whose card payment failed ${window.from ? `from ${window.from} to ${window.to}` : 'in the last 7 days'}:`,
      [],
    );
  },
};

export const migrate: Form = {
  name: 'change plans',
  examples: [
    'Upgrade all customers on the legacy Starter plan to the new Starter plan. Prorate from today',
    'Upgrade Acme Corp to Business',
  ],
  intents: ['change_plan', 'bulk_migrate_plan'],
  async run(turn) {
    const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
    const names = plans.map((plan) => plan.product.name).join(', ');
    const prorate =
      !/\b(?:no|without|don'?t|skip)\s+(?:the\s+)?prorat/.test(turn.lower) && !AT_RENEWAL.test(turn.lower);
    // "…and notify them": each customer whose change succeeds is emailed, under one broadcast approval.
    const notify = NOTIFY.test(turn.text);
    const said = turn.text.replace(NOTIFY, '');
    // Plans the request names, in order (resolved against the catalogue by resolve_mentions).
    const named = turn.mentions.plans
      .filter((mention) => turn.scope.includes(mention.text))
      .map((mention) => ({
        text: mention.text,
        plans: plans.filter((plan) => mention.candidates.some((c) => c.id === plan.product.id)),
      }));
    if (turn.intent === 'bulk_migrate_plan' || ALL.test(turn.lower)) {
      const match =
        /\b(?:on|from)\s+(?:the\s+)?(.+?)\s+plan\s+(?:to|onto)\s+(?:the\s+)?(.+?)(?:\s+plan)?(?:[.,;]|$)/i.exec(said) ??
        (named.length >= 2 ? [null, named[0]?.text, named[named.length - 1]?.text] : null);
      if (!match?.[1] || !match[2])
        return turn.ask(
          `From which plan to which? e.g. "Move everyone on the legacy Starter plan to Basic". The plans are ${names}.`,
        );
      const [from, fromOther] = named.find((entry) => entry.text === match[1])?.plans ?? matchPlans(plans, match[1]);
      const [to, toOther] = named.find((entry) => entry.text === match[2])?.plans ?? matchPlans(plans, match[2]);
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
          ...(notify ? { notify: true } : {}),
          ...turn.writeContext(),
        });
      return turn.reply(
        `${from.product.name} → ${to.product.name}: one job per price (currency and interval), ${prorate ? 'prorated from today' : 'without proration'}${notify ? '; each customer whose plan changes is emailed once the notification is approved' : ''}.`,
        [],
      );
    }
    // The plan to move to: "to X", else the last plan the request names ("is on legacy starter and wants Basic").
    const written = /\bto\s+(?:the\s+)?(.+?)(?:\s+plan)?(?:[.,;]|$)/i.exec(turn.text)?.[1];
    const last = named[named.length - 1];
    const target = written && matchPlans(plans, written).length > 0 ? written : (last?.text ?? written);
    if (!target) return turn.ask(`Which plan? The plans are ${names}.`);
    const [plan, other] = target === last?.text && last ? last.plans : matchPlans(plans, target);
    if (!plan || other) return turn.ask(`There is no plan I can match to "${target}". The plans are ${names}.`);
    const reference = turn.customerRef(turn.scope.replace(/\bto\s+(?:the\s+)?.+$/i, ''));
    if (!reference) return turn.ask(`Which customer? e.g. "Upgrade Acme Corp to ${plan.product.name}".`);
    const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
    if (!found) return turn.reply('');
    const [subscription, second] = liveSubscriptions(found);
    if (!subscription) return turn.reply(`${found.customer.name} has no live subscription to change.`, []);
    if (second) return turn.ask(`${found.customer.name} has several live subscriptions; name one (sub_…).`);
    const current = plans.flatMap((entry) => entry.prices).find((price) => price.id === subscription.items[0]?.priceId);
    // "go annual", "paying yearly", "moving to monthly": the interval asked for, else the current one.
    const interval = intervalAsked(turn.text) ?? current?.interval ?? 'month';
    const price = plan.prices.find(
      (candidate) =>
        candidate.active && candidate.currency === subscription.currency && candidate.interval === interval,
    );
    if (!price)
      return turn.reply(
        `${plan.product.name} has no ${subscription.currency.toUpperCase()} price for that interval.`,
        [],
      );
    await turn.call('change_plan', {
      subscription_id: subscription.id,
      price_id: price.id,
      prorate,
      ...(subscription.items[0]?.quantity ? { quantity: subscription.items[0].quantity } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(
      `${found.customer.name} to ${plan.product.name}, ${prorate ? 'with the proration worked out' : 'from the next renewal, with nothing due now'}:`,
      [],
      notify ? 'To tell this customer, ask me to draft a reply to them once the change is made.' : '',
    );
  },
};
