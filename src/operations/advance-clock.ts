/**
 * Moving the embedded ledger's clock: renewals, invoices, payment attempts and dunning happen as simulated
 * time passes. A simulation control of the demo ledger, not a billing action on a real account, so it is not in
 * the public registry; only the owner may use it, and every move is audited.
 */
import type { ClockReport } from '../connectors/connector.ts';
import { LedgerConnector } from '../connectors/ledger/ledger-connector.ts';
import { badInput, LeashError } from '../domain/errors.ts';
import { recordStep } from './audit-trail.ts';
import type { OperationContext } from './define-operation.ts';

/** Reads the ledger's "now". */
export async function readLedgerClock(context: OperationContext): Promise<Date> {
  return context.connector(context.db).now();
}

/** Advances the ledger clock to `to` as the owner; returns what happened. */
export async function advanceLedgerClock(context: OperationContext, to: Date): Promise<ClockReport> {
  // Owner only: moving time charges cards and cancels subscriptions across the whole org.
  if (context.actor.role !== 'owner') throw new LeashError('forbidden', 'only the owner can move the ledger clock');
  return context.db.transaction().execute(async (trx) => {
    const connector = context.connector(trx);
    if (!(connector instanceof LedgerConnector))
      throw badInput('clock', 'only the embedded ledger has a clock to move');
    const report = await connector.advanceClock(to);
    await recordStep(trx, context, 'clock.advanced', { operation: 'advance_clock', arguments: { to }, result: report });
    return report;
  });
}
