/** `leash invoices` and `leash invoice REF`. */
import type { Command } from 'commander';
import type { Charge, CreditNote, Invoice, Refund } from '../../domain/billing.ts';
import { badInput } from '../../domain/errors.ts';
import { actingAs } from '../acting-option.ts';
import { printFields, printJson, printTable, showDate, showMoney } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { runCliRead } from '../run-read.ts';

const STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'];

/** Registers the invoice commands. */
export function registerInvoiceCommands(program: Command): void {
  program
    .command('invoices')
    .description('List invoices, newest first.')
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
    .option('--overdue', 'only open invoices past their due date (at the ledger clock)')
    .option('--customer <ref>', 'only this customer (id, email or name)')
    .option('--limit <N>', 'how many to show (1-1000)', '50')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ leash invoices --overdue\n  $ leash invoices --customer "Acme Corp" --status paid --json',
    )
    .action(
      async (options: {
        status?: string;
        overdue?: boolean;
        customer?: string;
        limit: string;
        as?: string;
        json?: boolean;
      }) => {
        if (options.status && !STATUSES.includes(options.status)) {
          throw badInput('--status', `unknown status "${options.status}" (${STATUSES.join(', ')})`);
        }
        const result = await runCliRead<{ now: Date; invoices: (Invoice & { customerName: string | null })[] }>(
          'list_invoices',
          {
            ...(options.status ? { status: options.status } : {}),
            overdue: options.overdue ?? false,
            ...(options.customer ? { customer: options.customer } : {}),
            limit: parseIntegerOption('limit', options.limit, 1, 1000),
          },
          options.as,
        );
        if (options.json) return printJson(result.invoices);
        const now = new Date(result.now).getTime();
        printTable(
          [
            'number',
            'customer',
            'status',
            'created',
            'due',
            'total',
            'remaining',
            ...(options.overdue ? ['days overdue'] : []),
          ],
          result.invoices.map((invoice) => [
            invoice.number,
            invoice.customerName ?? invoice.customerId,
            invoice.status,
            showDate(invoice.createdAt),
            showDate(invoice.dueDate),
            showMoney(invoice.total, invoice.currency),
            showMoney(invoice.amountRemaining, invoice.currency),
            ...(options.overdue && invoice.dueDate
              ? [String(Math.floor((now - new Date(invoice.dueDate).getTime()) / 86_400_000))]
              : []),
          ]),
          options.overdue ? 'no overdue invoices' : 'no invoices match',
        );
      },
    );

  program
    .command('invoice')
    .description('Show one invoice: lines, totals, payments, refunds and credit notes.')
    .argument('<ref>', 'invoice id (in_…) or number (INV-000042, #42, 42)')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (reference: string, options: { as?: string; json?: boolean }) => {
      const result = await runCliRead<{
        invoice: Invoice;
        customer: { id: string; name: string; email: string } | null;
        charges: Charge[];
        refunds: Refund[];
        creditNotes: CreditNote[];
      }>('get_invoice', reference.startsWith('in_') ? { invoice_id: reference } : { number: reference }, options.as);
      if (options.json) return printJson(result);
      const { invoice } = result;
      const money = (amount: number) => showMoney(amount, invoice.currency);
      printFields([
        ['invoice', `${invoice.number} (${invoice.id})`],
        ['customer', result.customer ? `${result.customer.name} (${result.customer.id})` : invoice.customerId],
        ['status', invoice.status],
        ['created', showDate(invoice.createdAt)],
        ['due', showDate(invoice.dueDate)],
        ['period', invoice.periodStart ? `${showDate(invoice.periodStart)} → ${showDate(invoice.periodEnd)}` : '—'],
      ]);
      process.stdout.write('\n');
      printTable(
        ['line', 'qty', 'amount'],
        invoice.lines.map((line) => [
          `${line.description}${line.proration ? ' (proration)' : ''}`,
          String(line.quantity),
          money(line.amount),
        ]),
        'no lines',
      );
      process.stdout.write('\n');
      printFields([
        ['subtotal', money(invoice.subtotal)],
        ['discount', money(-invoice.discount)],
        ['tax', money(invoice.tax)],
        ['total', money(invoice.total)],
        ['credit applied', money(-invoice.creditApplied)],
        ['paid', money(invoice.amountPaid)],
        ['remaining', money(invoice.amountRemaining)],
      ]);
      if (result.charges.length > 0) {
        process.stdout.write('\nPayments\n');
        printTable(
          ['id', 'date', 'amount', 'status', 'refunded'],
          result.charges.map((charge) => [
            charge.id,
            showDate(charge.createdAt),
            money(charge.amount),
            charge.status === 'failed' ? `failed (${charge.failureCode})` : charge.status,
            charge.amountRefunded ? money(charge.amountRefunded) : '',
          ]),
        );
      }
      if (result.refunds.length + result.creditNotes.length > 0) {
        process.stdout.write('\nRefunds and credit notes\n');
        printTable(
          ['id', 'date', 'amount', 'reason'],
          [...result.refunds, ...result.creditNotes].map((item) => [
            item.id,
            showDate(item.createdAt),
            money(item.amount),
            item.reason,
          ]),
        );
      }
    });
}
