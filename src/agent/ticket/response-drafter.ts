/**
 * Response Drafter: a customer-safe reply built from the scout's facts — what was found, with invoice
 * numbers, dates ("3 Nov 2026") and amounts, never internal ids (ch_…, in_…) or ISO strings, and what happens next — and no commitment that no executed or approved action
 * backs. Seed 000's "Better" answer is the model: found, looks eligible for review, drafted for approval.
 * The claim checker runs on every draft; a template that ever made a promise would show up there.
 */
import { personDate } from '../../domain/person-time.ts';
import type { TicketClass } from '../../domain/tickets.ts';
import { show } from '../../operations/period.ts';
import type { ScoutReport } from './account-scout.ts';

/** What the reviewer opened, as the drafter mentions it. */
export interface DraftedAction {
  operation: string;
  summary: string;
  status: string;
}

function greeting(report: ScoutReport): string {
  return `Hi ${report.customer.name},`;
}

function latestInvoiceSentence(report: ScoutReport): string {
  const invoice = report.invoices[0];
  if (!invoice) return 'I could not find an invoice on your account yet.';
  const due = invoice.status === 'open' && invoice.dueDate ? `, due ${personDate(invoice.dueDate)}` : '';
  return `Your latest invoice, ${invoice.number}, is for ${show(invoice.total, invoice.currency)} and is ${invoice.status}${due}.`;
}

function chargeSentences(report: ScoutReport, actions: readonly DraftedAction[]): string[] {
  const double = report.doubleCharges[0];
  if (!double) return [latestInvoiceSentence(report)];
  const second = double.charges[1];
  const invoices = [...new Set(double.charges.map((charge) => charge.invoiceNumber).filter(Boolean))];
  const refund = actions.find((action) => action.operation === 'refund_charge');
  const days = [...new Set(double.charges.map((charge) => personDate(charge.createdAt)))];
  return [
    `I found two payments of ${show(second?.amount ?? 0, second?.currency ?? 'usd')} on your account${
      invoices.length ? ` for ${invoices.join(' and ')}` : ''
    }, ${days.length === 1 ? `both taken on ${days[0]}` : `taken on ${days.join(' and ')}`}.`,
    'This looks eligible for review under our duplicate charge policy.',
    refund
      ? 'I have drafted a refund request for the second payment and sent it for approval, with the invoice linked.'
      : 'I have passed the details to our billing team to review.',
  ];
}

const BY_CLASS: Record<TicketClass, (report: ScoutReport, actions: readonly DraftedAction[]) => string[]> = {
  invoice: chargeSentences,
  refund: chargeSentences,
  payment_failure: (report) => [
    report.failedSummary ? `Here is what I can see: ${report.failedSummary}` : latestInvoiceSentence(report),
    'Updating the card on file lets the open invoice be retried; I can help with that if anything is unclear.',
  ],
  plan: (report) => [report.planSummary ?? 'I could not find a live plan on your account.'],
  usage: (report) => [
    report.planSummary ?? 'I could not find a live plan on your account.',
    'The limits above are the ones your plan includes; usage is counted for each billing period.',
  ],
  cancellation: (report, actions) => [
    report.planSummary ?? 'I could not find a live plan on your account.',
    actions.some((action) => action.operation === 'cancel_subscription')
      ? 'I have passed your cancellation request to our billing team for approval; your plan stays as it is until then.'
      : 'I have passed your cancellation request to our billing team to review.',
  ],
  tax: (report) => [
    latestInvoiceSentence(report),
    'I have passed your tax question to our finance team, who will review it before anyone replies on tax treatment.',
  ],
  other: (report) => [latestInvoiceSentence(report), 'I have passed your message to the right team.'],
};

/** Drafts the reply to a ticket. */
export function draftReply(ticketClass: TicketClass, report: ScoutReport, actions: readonly DraftedAction[]): string {
  const body = BY_CLASS[ticketClass](report, actions);
  return [
    greeting(report),
    '',
    'Thank you for getting in touch.',
    ...body,
    'We will follow up once it has been reviewed.',
    '',
    'Best regards,',
    'The billing team',
  ].join('\n');
}
