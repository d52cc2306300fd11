/**
 * Follow-ups that point at an earlier answer: "tell me more about the first one", "retry all of these",
 * "refund the second one", "draft reminders to all of them". The referents come from the stored turn, so
 * "these" means exactly what was shown, by id.
 */
import type { Referent } from '../agent-types.ts';
import type { Form } from './form.ts';
import type { Turn } from './turn.ts';

const ORDINALS: Record<string, number> = {
  first: 0,
  second: 1,
  third: 2,
  fourth: 3,
  fifth: 4,
  sixth: 5,
  seventh: 6,
  eighth: 7,
  ninth: 8,
  tenth: 9,
};
const MAX_TARGETS = 10;

function pick(turn: Turn, referents: Referent[]): Referent | undefined {
  const ordinal = /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b/.exec(turn.lower)?.[1];
  const number = /(?:#|\bnumber\s+|\bno\.?\s*)(\d{1,2})\b/.exec(turn.lower)?.[1];
  if (ordinal === 'last') return referents.at(-1);
  if (ordinal) return referents[ORDINALS[ordinal] ?? 0];
  if (number) return referents[Number(number) - 1];
  return referents.length === 1 ? referents[0] : undefined;
}

function pointsBack(lower: string): boolean {
  return /\b(?:first|second|third|fourth|fifth|last|that|this)\s+one\b|\b(?:all\s+of\s+)?(?:these|those|them)\b|\b(?:it|him|her)\b|(?:^|\s)#\d{1,2}\b|\bnumber\s+\d{1,2}\b/.test(
    lower,
  );
}

const ALL = /\b(?:all|every|each|these|those|them)\b/;

/** Follow-ups on the previous answer's items. */
export const followUp: Form & { matches(turn: Turn): boolean } = {
  name: 'follow-ups',
  examples: ['Tell me more about the first one', 'Retry all of these'],
  intents: [],
  matches: (turn) => pointsBack(turn.lower) && turn.lastReferents().length > 0,
  async run(turn) {
    const many = ALL.test(turn.lower) && !/\bone\b/.test(turn.lower);
    const all = turn.lastReferents(many);
    // "These" are the items of the kind the list was about (the invoices of an invoice list, not its customers).
    const main = all[0]?.kind;
    const referents = many ? all.filter((referent) => referent.kind === main) : all;
    const chosen = many
      ? referents.slice(0, MAX_TARGETS)
      : [pick(turn, referents)].filter((item): item is Referent => !!item);
    if (chosen.length === 0)
      return turn.ask(`Which one? The last answer listed ${referents.length}; say "the first one" or "#2".`);
    const capped =
      many && referents.length > MAX_TARGETS
        ? ` (the first ${MAX_TARGETS} of ${referents.length}; a bulk job suits more)`
        : '';
    if (/\bretry\b|\btry\s+again\b|\bre-?charge\b/.test(turn.lower)) {
      const invoices = chosen.filter((referent) => referent.kind === 'invoice');
      if (invoices.length === 0) return turn.ask('Those are not invoices, so there is nothing to retry.');
      for (const invoice of invoices)
        await turn.call('retry_invoice', { invoice_id: invoice.id, ...turn.writeContext() });
      return turn.reply(`Retrying ${invoices.length} invoice${invoices.length === 1 ? '' : 's'}${capped}:`, []);
    }
    if (/\brefund\b/.test(turn.lower)) {
      for (const target of chosen) {
        if (target.kind === 'charge')
          await turn.call('refund_charge', { charge_id: target.id, ...turn.writeContext() });
        else if (target.kind === 'invoice')
          await turn.call('refund_charge', { invoice_id: target.id, ...turn.writeContext() });
      }
      if (turn.calls.length === 0) return turn.ask('Those are not invoices or charges, so there is nothing to refund.');
      return turn.reply(`Refunding ${chosen.map((target) => target.label).join(', ')}${capped}:`, []);
    }
    if (/\b(?:draft|write|send|email|remind)\w*\b/.test(turn.lower)) {
      const customers = await customersOf(turn, chosen);
      for (const customer of customers)
        await turn.call('draft_reply', {
          customer: customer.id,
          subject: 'About your account',
          body: reminderBody(turn.lower, customer.label),
          ...turn.writeContext(),
        });
      return turn.reply(
        `${customers.length} draft${customers.length === 1 ? '' : 's'}${capped}; nothing is sent until someone sends them:`,
        [],
      );
    }
    for (const target of chosen.slice(0, many ? 3 : 1)) await turn.call(...lookup(target));
    return turn.reply('');
  },
};

function lookup(target: Referent): [string, Record<string, unknown>] {
  switch (target.kind) {
    case 'invoice':
      return ['get_invoice', { invoice_id: target.id }];
    case 'customer':
      return ['get_customer', { customer_id: target.id }];
    case 'ticket':
      return ['get_ticket', { ticket: target.id }];
    case 'subscription':
      return ['list_subscriptions', { customer: target.label.replace(/'s subscription$/, '') }];
    default:
      return ['search_customers', { query: target.id }];
  }
}

async function customersOf(turn: Turn, chosen: Referent[]): Promise<Referent[]> {
  const customers: Referent[] = chosen.filter((referent) => referent.kind === 'customer');
  for (const referent of chosen.filter((item) => item.kind === 'invoice')) {
    const found = await turn.read<{ customer: { id: string; name: string } | null }>('get_invoice', {
      invoice_id: referent.id,
    });
    if (found?.customer && !customers.some((customer) => customer.id === found.customer?.id))
      customers.push({ kind: 'customer', id: found.customer.id, label: found.customer.name });
  }
  return customers;
}

function reminderBody(lower: string, name: string): string {
  if (/\bcard|payment\s+(?:method|details)|update\b/.test(lower))
    return `Hello ${name}, your last card payment to us did not go through. Could you update your payment details in the billing portal? Reply here if anything looks wrong.`;
  return `Hello ${name}, a friendly reminder that your account has an unpaid invoice. You can pay it from the billing portal, or reply here if anything looks wrong.`;
}
