/**
 * Request forms that change billing. Each resolves its targets with reads, then proposes exactly one write
 * (or one per named target) through the pipeline; none ever confirms. When a target or an amount is missing
 * or ambiguous, the form asks instead of guessing. Money and subscription forms live beside this file.
 */
import { COUNTRY_CURRENCIES } from '../../domain/money.ts';
import { countryOf, emailOf, parseAmount, percentOf } from './entities.ts';
import { type CustomerAnswer, customerLookup, type Form, type InvoiceAnswer, showMoney } from './form.ts';
import { cancel, coupon, migrate, retry } from './forms-billing.ts';
import { credit, creditNote, refund } from './forms-money.ts';

/** A capitalised name (words, "&", "and") right before `email`, after a comma, "(" or "<" at most. */
function nameBefore(text: string, email: string): string | undefined {
  const at = text.indexOf(email);
  if (at <= 0) return undefined;
  const before = text.slice(0, at).replace(/\s*[,(<:]?\s*$/, '');
  const name = /(?:^|[.?!:,;]\s*|\s)((?:\p{Lu}[\w&.'-]*)(?:\s+(?:&|and|of|\p{Lu}[\w&.'-]*)){0,5})$/u.exec(before)?.[1];
  // Sentence openers are not names ("Please billing@…", "Add billing@…").
  if (!name || /^(?:Please|Add|Create|New|Could|Can|Would|Hi|Hello|Email|Customer)\b/.test(name)) return undefined;
  return name;
}

const createCustomer: Form = {
  name: 'create a customer',
  examples: ['Create a new customer with email gavin@hooli.com'],
  intents: ['create_customer'],
  async run(turn) {
    const email = emailOf(turn.text) as string;
    const named =
      /\b(?:named|called|name)\s+[`'"]?([^,`'"]+?)[`'"]?(?:,|\s+(?:with|email|in|from|and)\b|$)/i.exec(
        turn.text,
      )?.[1] ??
      // "new customer: Sirius Cybernetics, ap@…": a capitalised name right after "customer".
      /\bcustomer\s*[:,-]?\s+((?:\p{Lu}[\w&.'-]*)(?:\s+\p{Lu}[\w&.'-]*){0,5})\s*(?:,|\(|\s+(?:with|at|email|in|from|and)\b|$)/u.exec(
        turn.text,
      )?.[1] ??
      // "Quill & Ink Ltd, billing@quillink.example" or "Quill & Ink Ltd <billing@…>": the name the address follows.
      nameBefore(turn.text, email);
    const domain = email.split('@')[1]?.split('.')[0] ?? email;
    const name = named?.trim() ?? domain.charAt(0).toUpperCase() + domain.slice(1);
    const country = countryOf(turn.text) ?? 'US';
    const currency =
      /\b(usd|eur|gbp|inr|brl|jpy)\b/i.exec(turn.text)?.[1]?.toLowerCase() ?? COUNTRY_CURRENCIES[country] ?? 'usd';
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
  intents: ['update_customer'],
  async run(turn) {
    const email =
      /\b(?:to|is|be|now)\s+[`'"]?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/i.exec(turn.text)?.[1] ??
      (/\be-?mail\b/i.test(turn.text) ? emailOf(turn.text) : undefined);
    const rest = email ? turn.text.replace(email, '') : turn.text;
    // "…and change their billing email to …": "their" is the customer another clause of the request names.
    const reference =
      turn.customerRef(rest.replace(/\b(?:to|is|be|now)\s+$/i, '')) ??
      (turn.scope !== turn.text ? turn.customerRef(email ? turn.scope.replace(email, '') : turn.scope) : undefined);
    // A move abroad: the billing country, when no new address is given.
    const country = email ? undefined : countryOf(turn.text);
    if (country && reference) {
      const found = await turn.read<CustomerAnswer>('get_customer', customerLookup(reference));
      if (!found) return turn.reply('');
      await turn.call('update_customer', { customer_id: found.customer.id, country, ...turn.writeContext() });
      return turn.reply(`${found.customer.name}'s billing country → ${country}:`, []);
    }
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
  intents: ['create_plan'],
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
  intents: ['create_coupon'],
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
  intents: ['void_invoice'],
  async run(turn) {
    const found = await turn.read<InvoiceAnswer>('get_invoice', turn.invoiceRef() ?? {});
    if (!found) return turn.reply('');
    await turn.call('void_invoice', { invoice_id: found.invoice.id, ...turn.writeContext() });
    return turn.reply(
      `Voiding ${found.invoice.number} (${showMoney(found.invoice.total, found.invoice.currency)}):`,
      [],
    );
  },
};

const draft: Form = {
  name: 'draft a reply',
  examples: ['Draft a reply to Acme Corp saying the refund is on its way'],
  intents: ['draft_reply'],
  async run(turn) {
    const body = /\b(?:saying|that says|telling them|to say|:)\s*(.+)$/is.exec(turn.text)?.[1]?.trim();
    const reference = turn.customerRef(turn.text.replace(/\b(?:saying|that says|telling them|to say|:)\s*.+$/is, ''));
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
