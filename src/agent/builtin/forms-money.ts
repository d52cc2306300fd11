/** Forms that move money: refunds (by invoice, order number, charge, or "the last invoice"), credits, credit notes. */

import type { PlannerReply } from '../agent-types.ts';
import { chargeReference, parseAmount } from './entities.ts';
import { type Form, findCustomer, type InvoiceAnswer, isReply, showMoney } from './form.ts';
import type { Turn } from './turn.ts';

/** The invoice a request names, or the customer's last paid one ("the last invoice for acme-corp"). */
async function findInvoice(turn: Turn): Promise<InvoiceAnswer | PlannerReply> {
  const reference = turn.invoiceRef();
  if (reference) return (await turn.read<InvoiceAnswer>('get_invoice', reference)) ?? turn.reply('');
  const customer = turn.customerRef();
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

export const refund: Form = {
  name: 'refund',
  examples: [
    'Refund order #5678',
    'Refund the last invoice for customer acme-corp. Reason: service outage on March 15',
  ],
  intents: ['refund_charge'],
  async run(turn) {
    // Any amount in the request is how much to refund ("forty dollars of INV-…", "$10 on ch_…"); "half" is half
    // the invoice; an amount that is the whole invoice, or none, refunds it all.
    const amount = parseAmount(turn.text);
    const half = /\bhalf\b/i.test(turn.text);
    const share = /\b(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)\s+(?:of|off)\b/i.exec(turn.text)?.[1];
    const charge =
      turn.mentions.charges.find((mention) => turn.text.includes(mention.text))?.id ?? chargeReference(turn.text);
    const partialWord = /\bpartial(?:ly)?\b|\bpart\s+of\b|\bsome\s+of\b/i.test(turn.text);
    if (charge && partialWord && !amount)
      return turn.ask(
        `How much of ${charge} should be refunded? e.g. "Refund $20 of ${charge}". Nothing has been proposed yet.`,
      );
    if (charge) {
      await turn.call('refund_charge', { charge_id: charge, ...(amount ?? {}), ...turn.writeContext() });
      return turn.reply(refundLead(turn, 'the refund, worked out from the charge,'));
    }
    const found = await findInvoice(turn);
    if (isReply(found)) return found;
    const { invoice } = found;
    // "A partial refund" with no amount is not a full refund: ask how much rather than drop the qualifier.
    if (partialWord && !amount && !half && !share)
      return turn.ask(
        `How much of ${invoice.number} (${showMoney(invoice.total, invoice.currency)}) should be refunded? e.g. "Refund $20 of ${invoice.number}". Nothing has been proposed yet.`,
      );
    const partial = half
      ? { amount: Math.round(invoice.total / 2), currency: invoice.currency }
      : share
        ? { amount: Math.round((invoice.total * Number(share)) / 100), currency: invoice.currency }
        : amount && !(amount.amount >= invoice.total && amount.currency === invoice.currency)
          ? amount
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
