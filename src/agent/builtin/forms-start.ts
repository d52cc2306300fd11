/**
 * Forms for starting something on an existing customer: a new subscription on a plan (with a coupon, a trial or
 * seats if said), and usage recorded on a subscription ("record 5,000 API calls on Initech's usage plan"). Each
 * fills only what the sentence states and asks for what is missing.
 */
import {
  type CustomerAnswer,
  type Form,
  findCustomer,
  intervalAsked,
  isReply,
  liveSubscriptions,
  matchPlans,
  type PlanEntry,
  pickSubscription,
} from './form.ts';
import type { Turn } from './turn.ts';

/** The plan a clause names: a resolved plan mention, else the words after "on" ("sign them up on Pro"). */
function planNamed(turn: Turn, plans: readonly PlanEntry[]): PlanEntry | undefined {
  const mention = turn.mentions.plans.find((found) => turn.text.includes(found.text));
  const id = mention?.candidates.length === 1 ? mention.candidates[0]?.id : undefined;
  const byId = plans.find((plan) => plan.product.id === id);
  if (byId) return byId;
  const written =
    /\b(?:on|onto|to)\s+(?:the\s+|a\s+|an\s+)?([\w -]{2,40}?)(?:\s+plan|\s+monthly|\s+yearly|\s+annual|[.,;]|$)/i.exec(
      turn.text,
    )?.[1];
  const [plan, other] = written ? matchPlans(plans, written) : [];
  return plan && !other ? plan : undefined;
}

const createSubscription: Form = {
  name: 'start a subscription',
  examples: ['Start Acme Corp on Pro monthly with the WELCOME10 coupon'],
  intents: ['create_subscription'],
  async run(turn) {
    const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
    const names = plans.map((plan) => plan.product.name).join(', ');
    const plan = planNamed(turn, plans);
    if (!plan) return turn.ask(`On which plan? The plans are ${names}.`);
    const found = await findCustomer(turn, `Start Acme Corp on ${plan.product.name} monthly`);
    if (isReply(found)) return found;
    // The interval said ("yearly", "annual"), else monthly; in the customer's own currency.
    const interval = intervalAsked(turn.text) ?? 'month';
    const price = plan.prices.find(
      (candidate) =>
        candidate.active && candidate.currency === found.customer.currency && candidate.interval === interval,
    );
    if (!price)
      return turn.reply(
        `${plan.product.name} has no ${found.customer.currency.toUpperCase()} ${interval}ly price to start.`,
        [],
      );
    const coupon = turn.mentions.coupons.find((mention) => turn.text.includes(mention.text));
    const trial = /\b(\d{1,3})[-\s]?days?\s+(?:free\s+)?trial\b|\btrial\s+of\s+(\d{1,3})\s+days?\b/i.exec(turn.text);
    const trialDays = trial ? Number(trial[1] ?? trial[2]) : undefined;
    const seats = /\b(\d{1,5})\s+(?:seats?|licen[cs]es?|users?)\b/i.exec(turn.text)?.[1];
    await turn.call('create_subscription', {
      customer_id: found.customer.id,
      price_id: price.id,
      ...(seats ? { quantity: Number(seats) } : {}),
      ...(coupon ? { coupon_id: coupon.id } : {}),
      ...(trialDays !== undefined ? { trial_days: trialDays } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(`${found.customer.name} on ${plan.product.name} (${interval}ly):`, []);
  },
};

/** "12,000", "12k", "1.5m": a count of units; undefined when none is written. */
function countIn(text: string): { count: number; start: number; end: number } | undefined {
  const match = /\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k|m|thousand|million)?\b/i.exec(text);
  if (!match?.[1]) return undefined;
  const scale = { k: 1_000, thousand: 1_000, m: 1_000_000, million: 1_000_000 }[match[2]?.toLowerCase() ?? ''] ?? 1;
  const count = Math.round(Number(match[1].replace(/,/g, '')) * scale);
  const start = match.index ?? 0;
  return { count, start, end: start + match[0].length };
}

/** The metric the units are of, as the plans name limits ("API calls" → api_calls, "seats" → seats). */
function metricAfter(text: string): string | undefined {
  const words = /^\s*(?:more\s+|extra\s+|additional\s+)?([a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)/i.exec(text)?.[1];
  if (!words) return undefined;
  const lower = words.toLowerCase();
  if (/^api\b|^(?:calls?|requests?)\b/.test(lower)) return 'api_calls';
  const [first] = lower.split(/\s+/);
  return first && !['on', 'for', 'to', 'of', 'units'].includes(first) ? first.replace(/-/g, '_') : undefined;
}

/** Of a customer's live subscriptions, the usage one when the request says "usage" or "metered" and one fits. */
async function usageSubscription(
  turn: Turn,
  found: CustomerAnswer,
): Promise<CustomerAnswer['subscriptions'][number] | undefined> {
  const picked = await pickSubscription(turn, found);
  if (picked || !/\b(?:usage|metered)\b/.test(turn.lower)) return picked;
  const plans = (await turn.read<{ plans: PlanEntry[] }>('list_plans', {}))?.plans ?? [];
  const metered = new Set(
    plans
      .filter((plan) => /\b(?:usage|metered)\b/i.test(plan.product.name))
      .flatMap((plan) => plan.prices.map((price) => price.id)),
  );
  const [only, other] = liveSubscriptions(found).filter((subscription) =>
    subscription.items.some((item) => metered.has(item.priceId)),
  );
  return only && !other ? only : undefined;
}

const recordUsage: Form = {
  name: 'record usage',
  examples: ['Record 5,000 API calls on Initech’s usage subscription'],
  intents: ['record_usage'],
  async run(turn) {
    const counted = countIn(turn.text.replace(/\b(?:sub|in|ch|cus)_[A-Za-z0-9]+\b/g, ''));
    if (!counted) return turn.ask('How many units? e.g. "Record 5,000 API calls on Initech’s usage subscription".');
    const metric = metricAfter(turn.text.replace(/\b(?:sub|in|ch|cus)_[A-Za-z0-9]+\b/g, '').slice(counted.end));
    if (!metric) return turn.ask(`${counted.count.toLocaleString('en-US')} of what? e.g. "5,000 API calls".`);
    const direct = /\b(sub_[A-Za-z0-9]+)\b/.exec(turn.text)?.[1];
    if (direct) {
      await turn.call('record_usage', {
        subscription_id: direct,
        metric,
        quantity: counted.count,
        ...turn.writeContext(),
      });
      return turn.reply('', []);
    }
    const found = await findCustomer(turn, 'Record 5,000 API calls on Initech’s usage subscription');
    if (isReply(found)) return found;
    const subscription = await usageSubscription(turn, found);
    if (!subscription)
      return turn.ask(`Which of ${found.customer.name}'s subscriptions is the usage on? Name it (sub_…).`);
    await turn.call('record_usage', {
      subscription_id: subscription.id,
      metric,
      quantity: counted.count,
      ...turn.writeContext(),
    });
    return turn.reply(
      `${counted.count.toLocaleString('en-US')} ${metric} on ${found.customer.name}'s subscription:`,
      [],
    );
  },
};

/** The forms that start a subscription or record usage on one. */
export const START_FORMS: readonly Form[] = [createSubscription, recordUsage];
