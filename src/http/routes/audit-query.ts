/**
 * The audit listing's query string: every filter checked here, so a bad value is a 400 naming the field and
 * nothing is read. A customer is an id (`cus_…`) or any part of a name or email; a member an id or an email;
 * amounts are major units ("50", "49.99") compared in each row's own currency.
 */
import { z } from 'zod';
import { AUDIT_EVENTS } from '../../audit/events.ts';
import type { AuditEntryFilter } from '../../audit/list-audit-entries.ts';
import { badInput } from '../../domain/errors.ts';
import { CURRENCIES, type Currency } from '../../domain/money.ts';

const CUSTOMER_ID = /^cus_[A-Za-z0-9]+$/;
const AMOUNT = /^\d{1,12}(\.\d{1,3})?$/;

const amount = z
  .string()
  .trim()
  .regex(AMOUNT, 'use an amount in major units, such as 50 or 49.99')
  .optional()
  .describe('major units, in each row’s own currency');

/** The query string of GET /api/audit. */
export const auditQuery = z.object({
  customer: z.string().trim().max(200).optional().describe('a customer id, or any part of a name or email'),
  member: z.string().trim().max(320).optional().describe('a member id or email'),
  event: z
    .enum(AUDIT_EVENTS, { error: 'not a kind of audit event (GET /api/audit/kinds lists those in the log)' })
    .optional(),
  operation: z.string().max(100).optional(),
  outcome: z.enum(['pass', 'warn', 'block'], { error: 'use pass, warn or block' }).optional(),
  amount_min: amount,
  amount_max: amount,
  currency: z
    .string()
    .toLowerCase()
    .pipe(z.enum(CURRENCIES as [Currency, ...Currency[]], { error: `use one of ${CURRENCIES.join(', ')}` }))
    .optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before_seq: z.coerce.number().int().min(1).optional().describe('page: events older than this seq'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The parsed query string. */
export type AuditQuery = z.infer<typeof auditQuery>;

/** Bounds that contradict each other are bad input too. */
function checkRanges(query: AuditQuery): void {
  if (query.amount_min && query.amount_max && Number(query.amount_min) > Number(query.amount_max))
    throw badInput('amount_max', `${query.amount_max} is below amount_min (${query.amount_min})`);
  if (query.from && query.to && query.from > query.to) throw badInput('to', 'is before from');
}

/** The listing filter a checked query asks for (newest first). */
export function auditFilterOf(query: AuditQuery): AuditEntryFilter {
  checkRanges(query);
  const customer = query.customer || undefined;
  const member = query.member || undefined;
  return {
    ...(customer ? (CUSTOMER_ID.test(customer) ? { customerId: customer } : { customerText: customer }) : {}),
    ...(member ? (member.includes('@') ? { actorEmail: member } : { actorId: member }) : {}),
    ...(query.event ? { event: query.event } : {}),
    ...(query.operation ? { operation: query.operation } : {}),
    ...(query.outcome ? { outcome: query.outcome } : {}),
    ...(query.amount_min ? { amountMin: query.amount_min } : {}),
    ...(query.amount_max ? { amountMax: query.amount_max } : {}),
    ...(query.currency ? { currency: query.currency } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(query.before_seq ? { beforeSeq: query.before_seq } : {}),
    limit: query.limit,
    newestFirst: true,
  };
}
