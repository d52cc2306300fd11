/** `leash customers [QUERY]` and `leash customer REF`. */
import type { Command } from 'commander';
import type { Charge, Customer, Invoice, Subscription } from '../../domain/billing.ts';
import { actingAs } from '../acting-option.ts';
import { type PlanPrice, planLabel, printFields, printJson, printTable, showDate, showMoney } from '../output.ts';
import { parseIntegerOption } from '../parse-options.ts';
import { runCliRead } from '../run-read.ts';

/** Registers the customer commands. */
export function registerCustomerCommands(program: Command): void {
  program
    .command('customers')
    .description('Search customers by name (fuzzy), email, id or invoice number.')
    .argument('[query]', 'text to search for; empty lists the newest customers')
    .option('--country <CC>', 'only customers in this country (two letters, e.g. IN)')
    .option('--limit <N>', 'how many to show (1-500)', '20')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ leash customers acme\n  $ leash customers --country BR --limit 5 --json')
    .action(
      async (query: string | undefined, options: { country?: string; limit: string; as?: string; json?: boolean }) => {
        const result = await runCliRead<{ customers: Customer[] }>(
          'search_customers',
          {
            ...(query ? { query } : {}),
            ...(options.country ? { country: options.country } : {}),
            limit: parseIntegerOption('limit', options.limit),
          },
          options.as,
        );
        if (options.json) return printJson(result.customers);
        printTable(
          ['id', 'name', 'email', 'country', 'balance'],
          result.customers.map((customer) => [
            customer.id,
            customer.name,
            customer.email,
            customer.country,
            showMoney(customer.balance, customer.currency),
          ]),
          'no customers match',
        );
      },
    );

  program
    .command('customer')
    .description('Show one customer: details, subscriptions, recent invoices and payments.')
    .argument('<ref>', 'customer id (cus_…), email, or name (fuzzy)')
    .option(...actingAs())
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ leash customer "Acme Corp"\n  $ leash customer billing@globex.example --json',
    )
    .action(async (reference: string, options: { as?: string; json?: boolean }) => {
      const input = reference.startsWith('cus_')
        ? { customer_id: reference }
        : reference.includes('@')
          ? { email: reference }
          : { name: reference };
      const result = await runCliRead<{
        customer: Customer;
        subscriptions: Subscription[];
        invoices: Invoice[];
        charges: Charge[];
      }>('get_customer', input, options.as);
      if (options.json) return printJson(result);
      const { customer } = result;
      const plans = await planLabels(options.as);
      printFields([
        ['customer', `${customer.name} (${customer.id})`],
        ['email', customer.email],
        ['country', customer.country],
        ['currency', customer.currency.toUpperCase()],
        ['credit balance', showMoney(0 - customer.balance || 0, customer.currency)],
        [
          'card',
          customer.paymentMethod
            ? `${customer.paymentMethod.brand} •••• ${customer.paymentMethod.last4}, expires ${customer.paymentMethod.expMonth}/${customer.paymentMethod.expYear}`
            : 'none',
        ],
        ['since', showDate(customer.createdAt)],
      ]);
      process.stdout.write('\nSubscriptions\n');
      printTable(
        ['id', 'status', 'period', 'plan', 'cancel at end'],
        result.subscriptions.map((subscription) => [
          subscription.id,
          subscription.status,
          `${showDate(subscription.currentPeriodStart)} → ${showDate(subscription.currentPeriodEnd)}`,
          subscription.items.map((item) => plans.get(item.priceId) ?? item.priceId).join(', '),
          subscription.cancelAtPeriodEnd ? 'yes' : '',
        ]),
        'no subscriptions',
      );
      process.stdout.write('\nRecent invoices\n');
      printTable(
        ['number', 'status', 'date', 'total', 'remaining'],
        result.invoices.map((invoice) => [
          invoice.number,
          invoice.status,
          showDate(invoice.createdAt),
          showMoney(invoice.total, invoice.currency),
          showMoney(invoice.amountRemaining, invoice.currency),
        ]),
        'no invoices',
      );
      process.stdout.write('\nRecent payments\n');
      printTable(
        ['id', 'date', 'amount', 'status', 'refunded'],
        result.charges.map((charge) => [
          charge.id,
          showDate(charge.createdAt),
          showMoney(charge.amount, charge.currency),
          charge.status === 'failed' ? `failed (${charge.failureCode})` : charge.status,
          charge.amountRefunded ? showMoney(charge.amountRefunded, charge.currency) : '',
        ]),
        'no payments',
      );
    });
}

/** Every price (sold or not) as "Basic ($29/month)", by price id: the CLI shows plans by name, not by id. */
async function planLabels(as: string | undefined): Promise<Map<string, string>> {
  const { plans } = await runCliRead<{ plans: { product: { name: string }; prices: PlanPrice[] }[] }>(
    'list_plans',
    { include_inactive: true },
    as,
  );
  return new Map(
    plans.flatMap((plan) => plan.prices.map((price) => [price.id, planLabel(plan.product.name, price)] as const)),
  );
}
