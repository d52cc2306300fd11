/** Domain objects ⇄ rows of the ledger tables (jsonb as JSON text on the way in). Shared by the connector and the demo. */
import type { Selectable } from 'kysely';
import type {
  BalanceTransaction,
  Charge,
  Coupon,
  CreditNote,
  Customer,
  Invoice,
  InvoiceLine,
  Price,
  Product,
  Refund,
  Subscription,
  SubscriptionItem,
  UsageRecord,
} from '../../domain/billing.ts';
import type { Currency } from '../../domain/money.ts';
import { json } from '../../store/json.ts';
import type { BillingTables } from '../../store/schema.ts';

type Row<Table extends keyof BillingTables> = Selectable<BillingTables[Table]>;

/** customers row → Customer */
export const customerFromRow = (row: Row<'customers'>): Customer => ({ ...row, currency: row.currency as Currency });
/** Customer → customers row */
export const customerToRow = (customer: Customer) => ({
  ...customer,
  address: json(customer.address),
  metadata: json(customer.metadata),
  paymentMethod: customer.paymentMethod ? json(customer.paymentMethod) : null,
});

/** products row → Product */
export const productFromRow = (row: Row<'products'>): Product => row;
/** Product → products row */
export const productToRow = (product: Product) => ({ ...product, limits: json(product.limits) });

/** prices row → Price */
export const priceFromRow = (row: Row<'prices'>): Price => ({
  ...row,
  currency: row.currency as Currency,
  interval: row.interval as Price['interval'],
  scheme: row.scheme as Price['scheme'],
});
/** Price → prices row */
export const priceToRow = (price: Price) => ({ ...price, tiers: json(price.tiers) });

/** coupons row → Coupon */
export const couponFromRow = (row: Row<'coupons'>): Coupon => ({
  ...row,
  currency: row.currency as Currency | null,
  duration: row.duration as Coupon['duration'],
});
/** Coupon → coupons row */
export const couponToRow = (coupon: Coupon) => ({ ...coupon, countries: json(coupon.countries) });

/** subscriptions row + items → Subscription */
export const subscriptionFromRow = (row: Row<'subscriptions'>, items: SubscriptionItem[]): Subscription => ({
  ...row,
  status: row.status as Subscription['status'],
  currency: row.currency as Currency,
  items,
});
/** Subscription → subscriptions row (items go to subscription_items) */
export const subscriptionToRow = ({ items: _items, ...subscription }: Subscription) => subscription;
/** Subscription items → subscription_items rows */
export const subscriptionItemRows = (subscription: Subscription) =>
  subscription.items.map((item, position) => ({ ...item, orgId: subscription.orgId, position }));

/** invoices row + lines → Invoice */
export const invoiceFromRow = (row: Row<'invoices'>, lines: InvoiceLine[]): Invoice => ({
  ...row,
  status: row.status as Invoice['status'],
  billingReason: row.billingReason as Invoice['billingReason'],
  currency: row.currency as Currency,
  lines,
});
/** Invoice → invoices row (lines go to invoice_lines) */
export const invoiceToRow = ({ lines: _lines, ...invoice }: Invoice) => invoice;
/** Invoice lines → invoice_lines rows */
export const invoiceLineRows = (invoice: Invoice) =>
  invoice.lines.map((line, position) => ({ ...line, orgId: invoice.orgId, position }));
/** invoice_lines row → InvoiceLine */
export const invoiceLineFromRow = ({ orgId: _orgId, position: _position, ...line }: Row<'invoiceLines'>): InvoiceLine =>
  line;

/** charges row → Charge */
export const chargeFromRow = (row: Row<'charges'>): Charge => ({
  ...row,
  currency: row.currency as Currency,
  status: row.status as Charge['status'],
  failureCode: row.failureCode as Charge['failureCode'],
  method: row.method as Charge['method'],
});

/** refunds row → Refund */
export const refundFromRow = (row: Row<'refunds'>): Refund => ({ ...row, currency: row.currency as Currency });
/** credit_notes row → CreditNote */
export const creditNoteFromRow = (row: Row<'creditNotes'>): CreditNote => ({
  ...row,
  currency: row.currency as Currency,
});
/** balance_transactions row → BalanceTransaction */
export const balanceTransactionFromRow = (row: Row<'balanceTransactions'>): BalanceTransaction => ({
  ...row,
  currency: row.currency as Currency,
});
/** usage_records row → UsageRecord */
export const usageFromRow = (row: Row<'usageRecords'>): UsageRecord => row;
