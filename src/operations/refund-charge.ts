/** refund_charge: refund all or part of a charge (kind money.refund). Refunds cannot be undone. */
import { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Charge } from '../domain/billing.ts';
import { badInput, invalidState, notFound } from '../domain/errors.ts';
import { formatMoney, money } from '../domain/money.ts';
import { personDate } from '../domain/person-time.ts';
import { defineWrite } from './define-operation.ts';
import { currencyCode, idOf, minorUnits, writeContextFields } from './write-fields.ts';

/** Input of refund_charge: a charge (or an invoice paid by one charge), an amount or the whole remainder. */
export const refundChargeInput = z
  .object({
    charge_id: idOf('ch', 'charge').optional(),
    invoice_id: idOf('in', 'invoice').optional(),
    amount: minorUnits.optional(),
    currency: currencyCode.optional(),
    ...writeContextFields,
  })
  .strict();

async function resolveCharge(connector: BillingConnector, input: z.infer<typeof refundChargeInput>): Promise<Charge> {
  if (input.charge_id) {
    const charge = await connector.getCharge(input.charge_id);
    if (!charge) throw notFound('charge', input.charge_id);
    return charge;
  }
  if (!input.invoice_id) throw badInput('charge_id', 'give charge_id (or invoice_id)');
  const charges = (await connector.listCharges({ invoiceId: input.invoice_id, status: 'succeeded' })).filter(
    (charge) => charge.amountRefunded < charge.amount,
  );
  if (charges.length === 0) throw notFound('refundable charge on invoice', input.invoice_id);
  if (charges.length > 1) {
    throw badInput(
      'invoice_id',
      `invoice ${input.invoice_id} was paid by several charges (${charges.map((charge) => charge.id).join(', ')}); name one with charge_id`,
    );
  }
  return charges[0] as Charge;
}

/** Refunds a charge: the amount defaults to what is still refundable. */
export const refundCharge = defineWrite({
  name: 'refund_charge',
  description:
    'Refund all or part of a charge (amount in minor units; omit it to refund what is left). Cannot be undone.',
  kind: 'money.refund',
  input: refundChargeInput,
  destructive: true,
  async facts(_context, input, connector) {
    const charge = await resolveCharge(connector, input);
    if (charge.status !== 'succeeded') throw invalidState(`charge ${charge.id} failed; there is nothing to refund`);
    const remaining = charge.amount - charge.amountRefunded;
    const amount = input.amount ?? remaining;
    const currency = input.currency ?? charge.currency;
    const customer = await connector.getCustomer(charge.customerId);
    const show = (value: number) => formatMoney(money(value, charge.currency));
    return {
      decision: {
        money: { amount, currency },
        customerIds: [charge.customerId],
        targetCount: 1,
        reversible: false,
        refundableRemaining: remaining,
        chargeCurrency: charge.currency,
      },
      preview: {
        summary: `Refund ${show(amount)} of charge ${charge.id} (${show(charge.amount)} on ${personDate(charge.createdAt)}) to ${customer?.name ?? charge.customerId}`,
        changes: [
          {
            field: `charge ${charge.id} refunded`,
            from: show(charge.amountRefunded),
            to: show(charge.amountRefunded + amount),
          },
        ],
        money: { amount, currency },
        customers: [{ id: charge.customerId, name: customer?.name ?? '' }],
        targets: [charge.id],
        reversible: false,
        details: {
          chargeId: charge.id,
          invoiceId: charge.invoiceId,
          chargeAmount: charge.amount,
          refundedBefore: charge.amountRefunded,
          refundableRemaining: remaining,
        },
      },
      subjects: { customerId: charge.customerId, chargeId: charge.id, invoiceId: charge.invoiceId },
      bound: { chargeId: charge.id, customerId: charge.customerId, invoiceId: charge.invoiceId, amount, currency },
    };
  },
  async execute(input, connector, idempotencyKey, bound) {
    // Exactly the approved charge and amount, even when the input left the amount to "what is left".
    return connector.refundCharge(
      { chargeId: String(bound.chargeId), amount: Number(bound.amount), reason: input.reason ?? '' },
      { idempotencyKey },
    );
  },
});
