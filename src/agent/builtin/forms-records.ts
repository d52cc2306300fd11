/**
 * Forms for the less frequent writes: team membership (add a member, change a role), a payment received outside
 * the card flow, and a one-off invoice. Each fills only what the sentence states and asks for what is missing.
 */
import { emailOf, parseAmount } from './entities.ts';
import { type Form, findCustomer, type InvoiceAnswer, isReply, showMoney } from './form.ts';
import type { Turn } from './turn.ts';

/** A role as people say it, as Leash names it; approver groups ride along ("finance" → billing_manager + finance). */
function roleOf(lower: string): { role: string; groups: string[] } | undefined {
  if (/\bread[-\s]?only\b|\breader\b|\bview(?:er|\s+only)\b|\bauditor\b/.test(lower))
    return { role: 'read_only', groups: [] };
  if (/\bclerk\b|\bsupport\s+agent\b|\bagent\b/.test(lower)) return { role: 'billing_clerk', groups: [] };
  if (/\bsupport\s+lead\b/.test(lower)) return { role: 'billing_manager', groups: ['support_lead'] };
  if (/\bfinance\b/.test(lower)) return { role: 'billing_manager', groups: ['finance'] };
  if (/\bmanager\b|\badmin\b/.test(lower)) return { role: 'billing_manager', groups: [] };
  return undefined;
}

const ROLE_HELP = 'a billing manager, a billing clerk or read-only (finance and support lead are manager roles)';

function memberForm(name: string, operation: 'add_member' | 'change_member_role', example: string): Form {
  return {
    name,
    examples: [example],
    intents: [operation],
    async run(turn: Turn) {
      const email = emailOf(turn.text);
      if (!email) return turn.ask(`Which teammate? Give their email, e.g. "${example}".`);
      const role = roleOf(turn.lower.replace(email.toLowerCase(), ''));
      if (!role) return turn.ask(`As what? ${email} can be ${ROLE_HELP}.`);
      await turn.call(operation, { email, role: role.role, groups: role.groups, ...turn.writeContext() });
      return turn.reply(`${email} as ${role.role}${role.groups.length ? ` (${role.groups.join(', ')})` : ''}:`, []);
    },
  };
}

const addMember = memberForm('add a teammate', 'add_member', 'Add dana@northwind.test as a billing clerk');
const changeRole = memberForm('change a role', 'change_member_role', 'Make rita@northwind.test read-only');

const recordPayment: Form = {
  name: 'record a payment',
  examples: ['Record a bank transfer of $29 against INV-001359, reference WIRE-5521'],
  intents: ['record_payment'],
  async run(turn) {
    const reference = turn.invoiceRef();
    if (!reference)
      return turn.ask('Which invoice was paid? e.g. "Record $29 against INV-001359, reference WIRE-5521".');
    const found = await turn.read<InvoiceAnswer>('get_invoice', reference);
    if (!found) return turn.reply('');
    const amount = parseAmount(turn.text);
    // The payment's reference: a token with a digit after "ref" or "reference", else after "transaction", "wire",
    // "transfer"… but then not the amount ("bank transfer 565,80 eur … ref NW-8841" is NW-8841, never 565).
    const said = turn.text.replace(found.invoice.number, '');
    const paid =
      /\bref(?:erence)?\.?\s*(?:no\.?|number|id)?\s*[:#]?\s*([A-Za-z]*\d[\w-]{1,60}|[A-Za-z]+-\d[\w-]*)/i.exec(
        said,
      )?.[1] ??
      /\b(?:transaction|txn|wire|trx|transfer)\.?\s*(?:no\.?|number|id)?\s*[:#]?\s*([A-Za-z]+-?\d[\w-]{1,60}|\d{6,}[\w-]*)/i.exec(
        said,
      )?.[1];
    if (!paid)
      return turn.ask(
        `What is the payment's reference (the bank's or the wire's)? It is kept with ${found.invoice.number}.`,
      );
    await turn.call('record_payment', {
      invoice_id: found.invoice.id,
      amount: amount?.amount ?? found.invoice.total,
      reference: paid,
      ...turn.writeContext(),
    });
    return turn.reply(
      `A payment of ${showMoney(amount?.amount ?? found.invoice.total, found.invoice.currency)} against ${found.invoice.number}${amount ? '' : ' (the whole invoice: no amount was given)'}:`,
      [],
    );
  },
};

const createInvoice: Form = {
  name: 'invoice a customer',
  examples: ['Invoice widget-inc $500 for the onboarding workshop, due in 14 days'],
  intents: ['create_invoice'],
  async run(turn) {
    const amount = parseAmount(turn.text);
    if (!amount) return turn.ask('For how much? e.g. "Invoice Acme Corp $500 for the onboarding workshop".');
    const found = await findCustomer(turn, 'Invoice Acme Corp $500 for the onboarding workshop');
    if (isReply(found)) return found;
    // What it is for: the first "for …" that is neither the customer nor the amount ("an invoice for Lumen
    // Learning Co: USD 1,500.00 for onboarding" is for onboarding).
    const customerName = found.customer.name.toLowerCase();
    const description =
      [...turn.text.matchAll(/\bfor\s+(?:the\s+|an?\s+|their\s+)?(.+?)(?=[,.;:]\s|[,;:]|\s+due\b|\s+payable\b|\.?$)/gi)]
        .map((match) => match[1]?.trim() ?? '')
        .find(
          (phrase) =>
            phrase.length > 0 &&
            !phrase.toLowerCase().startsWith(customerName) &&
            !customerName.startsWith(phrase.toLowerCase()) &&
            parseAmount(phrase) === undefined,
        ) ?? 'Services';
    const days = /\b(?:(?:due|payable)\s+(?:in|within)|net)\s*(\d{1,3})\s*(?:days?)?\b/i.exec(turn.text)?.[1];
    await turn.call('create_invoice', {
      customer_id: found.customer.id,
      currency: amount.currency,
      lines: [{ description, amount: amount.amount, quantity: 1 }],
      ...(days ? { days_until_due: Number(days) } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(`A one-off invoice for ${found.customer.name}:`, []);
  },
};

/** The forms for team changes, payments received and one-off invoices. */
export const RECORD_FORMS: readonly Form[] = [addMember, changeRole, recordPayment, createInvoice];
