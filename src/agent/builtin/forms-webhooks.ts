/**
 * The webhook form (issue 20): "wire the subscription.created webhook to https://example.com/onboarding" proposes
 * create_webhook_endpoint with the URL and the events the sentence names (dotted names, or words such as "new
 * subscriptions", "invoice paid"). The gate checks the URL and who asks; the card shows every value and nothing
 * is created until confirmed. Without a URL or an event the planner asks for it.
 */
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../webhooks/event-types.ts';
import type { Form } from './form.ts';

const EXAMPLE = 'Wire the subscription.created webhook to https://example.com/hooks/onboarding';

/** Words that name an event when the dotted name is not used. */
const EVENT_WORDS: readonly [RegExp, WebhookEventType][] = [
  [/\bnew\s+subscriptions?\b|\bsubscriptions?\s+(?:is\s+|are\s+)?created\b/, 'subscription.created'],
  [/\bsubscriptions?\s+(?:is\s+|are\s+)?(?:updated|changed?)\b|\bplan\s+changes?\b/, 'subscription.updated'],
  [
    /\b(?:canceled|cancelled)\s+subscriptions?\b|\bsubscriptions?\s+(?:is\s+|are\s+)?(?:canceled|cancelled)\b/,
    'subscription.canceled',
  ],
  [/\binvoices?\s+(?:is\s+|are\s+)?finali[sz]ed\b/, 'invoice.finalized'],
  [/\binvoices?\s+(?:is\s+|are\s+)?paid\b|\bpaid\s+invoices?\b/, 'invoice.paid'],
  [/\bpayments?\s+fail(?:ed|s|ures?)?\b|\bfailed\s+payments?\b/, 'invoice.payment_failed'],
  [/\brefunds?\b/, 'refund.created'],
  [/\bcustomers?\s+(?:is\s+|are\s+)?updated\b/, 'customer.updated'],
];

/** The events a sentence names, in the canonical order. */
export function webhookEventsOf(lower: string): WebhookEventType[] {
  const named = new Set<WebhookEventType>();
  for (const type of WEBHOOK_EVENT_TYPES) if (lower.includes(type)) named.add(type);
  if (named.size === 0) for (const [pattern, type] of EVENT_WORDS) if (pattern.test(lower)) named.add(type);
  return WEBHOOK_EVENT_TYPES.filter((type) => named.has(type));
}

/** The first http(s) URL in the text, without trailing punctuation. */
export function urlOf(text: string): string | undefined {
  return /\bhttps?:\/\/[^\s"'<>]+/i.exec(text)?.[0].replace(/[.,;:!?)\]]+$/, '');
}

const webhookForm: Form = {
  name: 'webhook endpoint',
  examples: [EXAMPLE, 'Send invoice.paid events to https://accounting.example.com/paid'],
  intents: ['create_webhook_endpoint'],
  async run(turn) {
    const url = urlOf(turn.text);
    const events = webhookEventsOf(turn.lower);
    if (!url) return turn.ask(`Which URL should the events go to? e.g. "${EXAMPLE}".`);
    if (events.length === 0)
      return turn.ask(`Which events should go to ${url}? Leash sends ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
    await turn.call('create_webhook_endpoint', { url, events, ...turn.writeContext() });
    return turn.reply(`A webhook endpoint for ${events.join(', ')} at ${url}:`, []);
  },
};

/** The form that creates webhook endpoints. */
export const WEBHOOK_FORMS: readonly Form[] = [webhookForm];
