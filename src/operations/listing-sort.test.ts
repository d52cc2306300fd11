/**
 * Sorting and paging of the listings the dashboard's tables use, on a real store: list_invoices and
 * payment_history sort in SQL by an allow-listed column, page without overlap, and count every match; a sort
 * outside the allow-list is refused with the field named and nothing read; view_customer gathers the page in
 * one read with its flags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeashFixture, openLeashFixture, READER } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import { generateDemo } from '../demo/generate-demo.ts';
import { isLeashError } from '../domain/errors.ts';
import { runRead } from './run-operation.ts';

interface Page<Row> {
  count: number;
  rows: Row[];
}

describe(`listing sort and paging (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  let acme: string;

  beforeAll(async () => {
    fixture = await openLeashFixture();
    await generateDemo(fixture.store, {
      orgId: fixture.orgId,
      customers: 30,
      months: 4,
      seed: 'listing-sort',
      endAt: new Date('2026-11-20T00:00:00Z'),
    });
    const found = await fixture.connector.findCustomers({ name: 'Acme Corp' });
    acme = found[0]?.id ?? '';
  });
  afterAll(async () => fixture.close());

  async function invoices(input: Record<string, unknown>): Promise<Page<{ id: string; total: number }>> {
    const output = (await runRead(await fixture.context(READER), 'list_invoices', input)) as {
      invoices: { id: string; total: number }[];
      count: number;
    };
    return { count: output.count, rows: output.invoices };
  }

  it('list_invoices sorts by total on the server and pages without overlap', async () => {
    const first = await invoices({ limit: 10, sort: 'total_desc' });
    const second = await invoices({ limit: 10, offset: 10, sort: 'total_desc' });
    const all = await invoices({ limit: 1000 });
    expect(first.count).toBe(all.rows.length);
    const totals = [...first.rows, ...second.rows].map((invoice) => invoice.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(Math.max(...all.rows.map((invoice) => invoice.total))).toBe(totals[0]);
    const ids = new Set([...first.rows, ...second.rows].map((invoice) => invoice.id));
    expect(ids.size).toBe(20);
    const ascending = await invoices({ limit: 5, sort: 'total_asc' });
    expect(ascending.rows[0]?.total).toBe(Math.min(...all.rows.map((invoice) => invoice.total)));
  });

  it('payment_history pages, sorts by amount and counts every payment of the customer', async () => {
    const read = async (input: Record<string, unknown>) =>
      (await runRead(await fixture.context(READER), 'payment_history', { customer: acme, ...input })) as {
        payments: { id: string; amount: number; createdAt: Date }[];
        count: number;
      };
    const all = await read({ limit: 1000 });
    expect(all.count).toBe(all.payments.length);
    expect(all.count).toBeGreaterThan(2);
    const firstTwo = await read({ limit: 2 });
    const rest = await read({ limit: 1000, offset: 2 });
    expect(firstTwo.count).toBe(all.count);
    expect([...firstTwo.payments, ...rest.payments].map((payment) => payment.id)).toEqual(
      all.payments.map((payment) => payment.id),
    );
    const byAmount = await read({ limit: 1000, sort: 'amount_asc' });
    const amounts = byAmount.payments.map((payment) => payment.amount);
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
  });

  it('refuses a sort outside the allow-list, naming the field', async () => {
    for (const [name, input] of [
      ['list_invoices', { sort: 'customer_id_asc' }],
      ['payment_history', { customer: acme, sort: 'amount; drop table charges' }],
      ['search_customers', { sort: 'name_sideways' }],
      ['view_customer', { customer_id: acme, invoice_sort: 'id_asc' }],
    ] as const) {
      const refused = await runRead(await fixture.context(READER), name, input).catch((error: unknown) => error);
      expect(isLeashError(refused, 'bad_input'), `${name} ${JSON.stringify(input)}`).toBe(true);
      expect(String((refused as { details: { field?: unknown } }).details.field)).toMatch(/sort/);
    }
  });

  it("view_customer gathers Acme Corp's page in one read and flags its double charge", async () => {
    const view = (await runRead(await fixture.context(READER), 'view_customer', {
      customer_id: acme,
      page_size: 5,
      payment_sort: 'amount_desc',
    })) as {
      customer: { name: string };
      payments: { payments: unknown[]; count: number };
      invoices: { count: number };
      doubleCharges: { chargeIds: string[] }[];
    };
    expect(view.customer.name).toBe('Acme Corp');
    expect(view.payments.payments.length).toBeLessThanOrEqual(5);
    expect(view.payments.count).toBeGreaterThanOrEqual(view.payments.payments.length);
    expect(view.doubleCharges.length).toBeGreaterThan(0);
  });
});
