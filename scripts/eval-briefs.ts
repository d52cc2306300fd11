/**
 * The brief a blind evaluator writes a held-out request set from (docs/agent.md, "How well, and how fast"): the
 * brief and the format (evals/briefs/), the operation list, and the eval business's facts (team, plans and prices,
 * coupons, and per customer its subscriptions, last four invoices and last three charges), written into one
 * directory. Give a helper that directory and nothing else. (The store's query builder answers columns in camelCase.)
 *
 *   node bin/run-ts.js scripts/eval-briefs.ts .tmp/briefs-v9
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { EVAL_BUSINESS, openEvalStore } from '../src/demo/eval-business.ts';
import { registry } from '../src/operations/registry.ts';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node bin/run-ts.js scripts/eval-briefs.ts <directory>\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const file of ['README.md', 'format.md']) copyFileSync(join('evals/briefs', file), join(out, file));

const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
const day = (value: Date | string | null) => (value ? new Date(value).toISOString().slice(0, 10) : '—');

const business = await openEvalStore(EVAL_BUSINESS);
const db = business.store.db;
const org = business.orgId;
const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;
const lines: string[] = [
  `# Demo facts (the eval business). "Today" is ${day(EVAL_BUSINESS.endAt)}.`,
  '',
  '## Team members',
  '',
];
for (const member of await rows(
  sql<{
    email: string;
    name: string;
    role: string;
  }>`select email, name, role from members where org_id = ${org} order by email`,
))
  lines.push(`- ${member.name} <${member.email}>: ${member.role}`);
lines.push('', '## Plans and prices', '');
for (const price of await rows(sql<{
  name: string;
  product: string;
  legacy: boolean;
  id: string;
  interval: string | null;
  unitAmount: number | null;
  currency: string;
  scheme: string;
}>`select pr.name, pr.id as product, pr.legacy, p.id, p.interval, p.unit_amount, p.currency, p.scheme
    from products pr join prices p on p.product_id = pr.id
   where pr.org_id = ${org} and p.active order by pr.name, p.interval`))
  lines.push(
    `- ${price.name}${price.legacy ? ' (legacy)' : ''} [${price.product}]: price ${price.id}, ${price.scheme}${price.unitAmount === null || price.scheme !== 'flat' ? '' : ` ${money(price.unitAmount, price.currency)}`} per ${price.interval ?? 'one-off'}`,
  );
lines.push('', '## Coupons', '');
for (const coupon of await rows(sql<{
  id: string;
  code: string;
  percentOffBps: number | null;
  amountOff: number | null;
  currency: string | null;
  duration: string;
  durationInMonths: number | null;
  countries: string[] | null;
  valid: boolean;
}>`select id, code, percent_off_bps, amount_off, currency, duration, duration_in_months, countries, valid
    from coupons where org_id = ${org} order by code`)) {
  const off =
    coupon.percentOffBps === null
      ? `${money(coupon.amountOff ?? 0, coupon.currency ?? 'usd')} off`
      : `${coupon.percentOffBps / 100}% off`;
  const only = coupon.countries?.length ? `, only ${coupon.countries.join('/')}` : '';
  lines.push(
    `- ${coupon.code} (${coupon.id}): ${off}, ${coupon.duration}${coupon.durationInMonths ? ` ${coupon.durationInMonths} months` : ''}${only}${coupon.valid ? '' : ' (no longer valid)'}`,
  );
}
lines.push('', '## Customers', '', 'Each with subscriptions, the last 4 invoices and the last 3 charges.', '');
for (const customer of await rows(sql<{
  id: string;
  name: string;
  email: string;
  country: string;
  currency: string;
  balance: number;
}>`select id, name, email, country, currency, balance from customers
   where org_id = ${org} and deleted_at is null order by name`)) {
  lines.push(
    `### ${customer.name} (${customer.id})`,
    `- email ${customer.email}, country ${customer.country}, currency ${customer.currency.toUpperCase()}, balance ${money(customer.balance, customer.currency)}`,
  );
  for (const sub of await rows(sql<{
    id: string;
    status: string;
    cancelAtPeriodEnd: boolean;
    currentPeriodEnd: Date;
    couponId: string | null;
    createdAt: Date;
    plan: string;
    interval: string;
  }>`select s.id, s.status, s.cancel_at_period_end, s.current_period_end, s.coupon_id, s.created_at,
            pr.name as plan, p.interval
       from subscriptions s
       join subscription_items i on i.subscription_id = s.id and i.position = 0
       join prices p on p.id = i.price_id join products pr on pr.id = p.product_id
      where s.customer_id = ${customer.id} order by s.created_at`))
    lines.push(
      `- subscription ${sub.id}: ${sub.plan} ${sub.interval}ly, ${sub.status}${sub.cancelAtPeriodEnd ? ' (cancels at period end)' : ''}, started ${day(sub.createdAt)}, period ends ${day(sub.currentPeriodEnd)}${sub.couponId ? `, coupon ${sub.couponId}` : ''}`,
    );
  for (const invoice of await rows(sql<{
    id: string;
    number: string;
    status: string;
    total: number;
    amountRemaining: number;
    currency: string;
    dueDate: Date;
    createdAt: Date;
  }>`select id, number, status, total, amount_remaining, currency, due_date, created_at
       from invoices where customer_id = ${customer.id} order by created_at desc limit 4`))
    lines.push(
      `- invoice ${invoice.number} (${invoice.id}): ${money(invoice.total, invoice.currency)}, ${invoice.status}${invoice.status === 'open' && invoice.amountRemaining > 0 ? `, ${money(invoice.amountRemaining, invoice.currency)} remaining` : ''}, issued ${day(invoice.createdAt)}, due ${day(invoice.dueDate)}`,
    );
  for (const charge of await rows(sql<{
    id: string;
    amount: number;
    currency: string;
    status: string;
    amountRefunded: number;
    createdAt: Date;
    number: string | null;
  }>`select c.id, c.amount, c.currency, c.status, c.amount_refunded, c.created_at, i.number
       from charges c left join invoices i on i.id = c.invoice_id
      where c.customer_id = ${customer.id} order by c.created_at desc limit 3`))
    lines.push(
      `- charge ${charge.id}: ${money(charge.amount, charge.currency)} ${charge.status} on ${day(charge.createdAt)}${charge.number ? ` for ${charge.number}` : ''}${charge.amountRefunded ? `, ${money(charge.amountRefunded, charge.currency)} refunded` : ''}`,
    );
  lines.push('');
}
writeFileSync(join(out, 'demo-facts.md'), lines.join('\n'));
const operations = [...registry.values()].map(
  (operation) => `- \`${operation.name}\` (${operation.kind}): ${operation.description}`,
);
writeFileSync(join(out, 'operations.md'), ['# Operations Leash can run', '', ...operations, ''].join('\n'));
await business.close();
process.stdout.write(`wrote the brief to ${out}\n`);
