/** Forms that move money: refunds (by invoice, order number, charge, or "the last invoice"), credits, credit notes. */

import { type Currency, parseMajorUnits } from '../../domain/money.ts';
import type { PlannerReply } from '../agent-types.ts';
import { parseDay } from './dates.ts';
import { amountSpans, bareAmount, chargeReference, parseAmount } from './entities.ts';
import { type Form, findCustomer, type InvoiceAnswer, isReply, showMoney } from './form.ts';
import type { Turn } from './turn.ts';

type ListedInvoice = InvoiceAnswer['invoice'] & { createdAt?: string | Date; dueDate?: string | Date | null };

/**
 * The invoice a request names; or, for a customer, the paid invoice the request describes by amount or date ("their
 * invoice from Nov 6th, the one for fifteen pounds eighteen"); or, when it describes none, their last paid one.
 * A description that fits no invoice, or several, asks which: a refund never lands on a guessed invoice.
 */
async function findInvoice(turn: Turn): Promise<InvoiceAnswer | PlannerReply> {
  const reference = turn.invoiceRef();
  if (reference) return (await turn.read<InvoiceAnswer>('get_invoice', reference)) ?? turn.reply('');
  const customer = turn.customerRef();
  if (!customer)
    return turn.ask('Which invoice? Give its number or the customer, e.g. "Refund the last invoice for Acme Corp".');
  // An amount in the clause is how much to refund; one elsewhere in the request ("the one for £15.18") describes it.
  const others = turn.scope === turn.text ? '' : turn.scope.replace(turn.text, ' ');
  const amounts = amountSpans(others);
  // A date describes the invoice only when it is the invoice's ("their invoice from Nov 6th"), not a reason's.
  const when = /\b(?:invoice|charge|payment|bill|one)\s+(?:from|dated|of|issued\s+on|on)\s+([^,.;]+)/i.exec(
    turn.scope,
  )?.[1];
  const dated = when ? parseDay(when, await turn.now()) : undefined;
  const described = amounts.length > 0 || dated !== undefined;
  const list = await turn.read<{ invoices: ListedInvoice[] }>('list_invoices', {
    customer,
    status: 'paid',
    limit: described ? 24 : 1,
  });
  if (!list) return turn.reply('');
  const day = (value: string | Date | null | undefined) => (value ? new Date(value).toISOString().slice(0, 10) : '');
  const fits = list.invoices.filter(
    (invoice) =>
      (amounts.length === 0 ||
        amounts.some((amount) => amount.amount === invoice.total && amount.currency === invoice.currency)) &&
      (dated === undefined || day(invoice.createdAt) === dated || day(invoice.dueDate) === dated),
  );
  const [invoice] = described ? fits : list.invoices;
  if (!invoice)
    return turn.reply(`${customer} has no paid invoice${described ? ' that fits that description' : ''} to refund.`);
  if (described && fits.length > 1)
    return turn.ask(
      `Which invoice of ${customer}? ${fits.map((one) => `${one.number} (${showMoney(one.total, one.currency)})`).join(', ')} fit. Nothing has been proposed yet.`,
    );
  return { invoice, customer: null };
}

/** A share of a total the request names: "half", "50%", "a third of". */
function shareOf(text: string): number | undefined {
  if (/\bhalf\b/i.test(text)) return 0.5;
  const percent = /\b(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)\s+(?:of|off)\b/i.exec(text)?.[1];
  return percent ? Number(percent) / 100 : undefined;
}

export const refund: Form = {
  name: 'refund',
  examples: [
    'Refund order #5678',
    'Refund the last invoice for customer acme-corp. Reason: service outage on March 15',
  ],
  intents: ['refund_charge'],
  async run(turn) {
    // Any amount in the request is how much to refund ("forty dollars of INV-…", "$10 on ch_…", "nine fifty of
    // ch_…" in the charge's currency); "half" or "50%" is that share; an amount that is the whole invoice, or none,
    // refunds it all.
    const amount = parseAmount(turn.text);
    const bare = amount ? undefined : bareAmount(turn.text);
    const share = amount ? undefined : shareOf(turn.text);
    const charge = turn.mentions.charges.find((mention) => turn.text.includes(mention.text));
    const chargeId = charge?.id ?? chargeReference(turn.text);
    const partialWord = /\bpartial(?:ly)?\b|\bpart\s+of\b|\bsome\s+of\b/i.test(turn.text);
    if (chargeId && partialWord && !amount && bare === undefined && share === undefined)
      return turn.ask(
        `How much of ${chargeId} should be refunded? e.g. "Refund $20 of ${chargeId}". Nothing has been proposed yet.`,
      );
    if (chargeId) {
      let part: { amount: number; currency: string } | undefined = amount;
      if (bare !== undefined || share !== undefined) {
        // The share or the currency comes from the charge's invoice; without one, ask rather than refund it all.
        const paid = charge?.invoice_id
          ? await turn.read<InvoiceAnswer>('get_invoice', { invoice_id: charge.invoice_id })
          : undefined;
        if (!paid)
          return turn.ask(
            `How much of ${chargeId} should be refunded, with its currency? e.g. "Refund $20 of ${chargeId}". Nothing has been proposed yet.`,
          );
        const currency = paid.invoice.currency;
        part =
          bare !== undefined
            ? { amount: parseMajorUnits(String(bare), currency as Currency) ?? 0, currency }
            : { amount: Math.round(paid.invoice.total * (share ?? 1)), currency };
      }
      await turn.call('refund_charge', { charge_id: chargeId, ...(part ?? {}), ...turn.writeContext() });
      return turn.reply(
        refundLead(turn, 'the refund, worked out from the charge,'),
        turn.calls.filter((call) => call.operation === 'refund_charge'),
      );
    }
    const found = await findInvoice(turn);
    if (isReply(found)) return found;
    const { invoice } = found;
    // "A partial refund" with no amount is not a full refund: ask how much rather than drop the qualifier.
    if (partialWord && !amount && bare === undefined && share === undefined)
      return turn.ask(
        `How much of ${invoice.number} (${showMoney(invoice.total, invoice.currency)}) should be refunded? e.g. "Refund $20 of ${invoice.number}". Nothing has been proposed yet.`,
      );
    const written =
      amount ??
      (bare !== undefined
        ? { amount: parseMajorUnits(String(bare), invoice.currency as Currency) ?? 0, currency: invoice.currency }
        : undefined);
    // More than the invoice was for is not "all of it": say so and ask, rather than propose a smaller refund.
    if (written && written.currency === invoice.currency && written.amount > invoice.total)
      return turn.ask(
        `You asked to refund ${showMoney(written.amount, written.currency)}, but ${invoice.number}${
          found.customer ? ` (${found.customer.name})` : ''
        } was for ${showMoney(invoice.total, invoice.currency)}, and a refund cannot be more than the payment. Say "Refund ${invoice.number}" to refund all of it, or name the invoice you meant. Nothing has been proposed yet.`,
      );
    const partial =
      share !== undefined
        ? { amount: Math.round(invoice.total * share), currency: invoice.currency }
        : written && !(written.amount >= invoice.total && written.currency === invoice.currency)
          ? written
          : undefined;
    await turn.call('refund_charge', { invoice_id: invoice.id, ...(partial ?? {}), ...turn.writeContext() });
    return turn.reply(
      `${invoice.number}${found.customer ? ` (${found.customer.name})` : ''} was for ${showMoney(invoice.total, invoice.currency)}. ${refundLead(
        turn,
        `the refund${partial ? ` of ${showMoney(partial.amount, partial.currency)}` : ''}`,
      )}`,
      turn.calls.filter((call) => call.operation === 'refund_charge'),
    );
  },
};

/**
 * How a refund proposal is introduced: by what happens to it next. A blocked refund or one waiting for a second
 * person is never "here is the refund" (that reads as done); the card below says the rest.
 */
function refundLead(turn: Turn, refund: string): string {
  const outcome = turn.calls.findLast((call) => call.operation === 'refund_charge')?.proposal?.decision.outcome;
  const subject = refund.charAt(0).toUpperCase() + refund.slice(1);
  if (outcome === 'block') return `${subject} is blocked by policy:`;
  if (outcome === 'warn') return `${subject} needs a second person's approval before any money moves:`;
  return `Here is ${refund} for you to confirm:`;
}

export const credit: Form = {
  name: 'account credit',
  examples: ['Apply a $150 credit to customer widget-inc for the delayed onboarding'],
  intents: ['credit_customer'],
  async run(turn) {
    const amount = parseAmount(turn.text);
    if (!amount) return turn.ask('How much? e.g. "Apply a $150 credit to Acme Corp for the outage".');
    const found = await findCustomer(turn, 'Apply a $150 credit to customer widget-inc');
    if (isReply(found)) return found;
    await turn.call('credit_customer', { customer_id: found.customer.id, ...amount, ...turn.writeContext() });
    return turn.reply(`A credit for ${found.customer.name}, applied to their next invoices:`, []);
  },
};

export const creditNote: Form = {
  name: 'credit note',
  examples: ['Issue a credit note of $20 on invoice INV-000123'],
  intents: ['create_credit_note'],
  async run(turn) {
    const amount = parseAmount(turn.text);
    if (!amount) return turn.ask('How much should the credit note be for? e.g. "Credit note of $20 on INV-000123".');
    const reference = turn.invoiceRef() ?? {};
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
