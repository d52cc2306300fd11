/** Exactly once: concurrent confirms, a crash between the billing call and its record, an unreachable store. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLERK, type LeashFixture, openLeashFixture } from '../../test/support/leash-fixture.ts';
import { testStoreKind } from '../../test/support/store.ts';
import type { BillingConnector } from '../connectors/connector.ts';
import { openConnector } from '../connectors/open-connector.ts';
import type { Database } from '../store/schema.ts';
import { recoverAllExecutions } from '../surfaces/maintenance.ts';
import { confirmProposal, proposeOperation, recoverExecutions } from './run-operation.ts';

describe(`exactly once (${testStoreKind})`, () => {
  let fixture: LeashFixture;
  beforeAll(async () => {
    fixture = await openLeashFixture();
  });
  afterAll(async () => fixture.close());

  const passingRefund = async (amount = 2_000) => {
    const { charge } = await fixture.paidCharge(10_000);
    const context = await fixture.context(CLERK, { profile: 'caps' });
    const proposal = await proposeOperation(context, 'refund_charge', {
      charge_id: charge.id,
      amount,
      reason: 'dup',
      case_id: 'T-1',
    });
    expect(proposal.decision.outcome).toBe('pass');
    return { charge, context, proposal };
  };

  it('two concurrent confirms execute once', async () => {
    const { charge, context, proposal } = await passingRefund();
    const results = await Promise.allSettled([
      confirmProposal(context, proposal.id, { confirmText: 'CONFIRM' }),
      confirmProposal(context, proposal.id, { confirmText: 'CONFIRM' }),
    ]);
    const succeeded = results.filter((result) => result.status === 'fulfilled' && result.value.status === 'succeeded');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(await fixture.connector.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(2_000);
    const executions = await fixture.store.db
      .selectFrom('executions')
      .selectAll()
      .where('proposalId', '=', proposal.id)
      .execute();
    expect(executions).toHaveLength(1);
  });

  it('a crash after the billing call and before the success record is recovered, not repeated', async () => {
    const { charge, proposal } = await passingRefund();
    const keys: string[] = [];
    const crashing = await fixture.context(CLERK, {
      profile: 'caps',
      connector: (executor) => {
        const real = openConnector(executor, fixture.orgId);
        return new Proxy(real, {
          get(target, property, receiver) {
            if (property !== 'refundCharge') return Reflect.get(target, property, receiver);
            return async (...args: Parameters<BillingConnector['refundCharge']>) => {
              keys.push(args[1].idempotencyKey);
              await target.refundCharge(...args);
              throw new Error('process killed after the billing call');
            };
          },
        });
      },
    });
    await expect(confirmProposal(crashing, proposal.id, { confirmText: 'CONFIRM' })).rejects.toThrow('process killed');
    const stuck = await fixture.store.db
      .selectFrom('executions')
      .selectAll()
      .where('proposalId', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(stuck.status).toBe('executing');

    const recovering = await fixture.context(CLERK, {
      profile: 'caps',
      connector: (executor) => {
        const real = openConnector(executor, fixture.orgId);
        return new Proxy(real, {
          get(target, property, receiver) {
            if (property !== 'refundCharge') return Reflect.get(target, property, receiver);
            return (...args: Parameters<BillingConnector['refundCharge']>) => {
              keys.push(args[1].idempotencyKey);
              return target.refundCharge(...args);
            };
          },
        });
      },
    });
    const outcomes = await recoverExecutions(recovering);
    expect(outcomes.find((outcome) => outcome.proposalId === proposal.id)?.status).toBe('succeeded');
    expect(await fixture.connector.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    expect(new Set(keys).size).toBe(1);
    // Recovering again finds nothing left to do.
    expect((await recoverExecutions(recovering)).filter((outcome) => outcome.proposalId === proposal.id)).toHaveLength(
      0,
    );
  });

  it('start-up recovery leaves an execution younger than two minutes alone, then finishes it once', async () => {
    const { charge, proposal } = await passingRefund();
    const crashing = await fixture.context(CLERK, {
      profile: 'caps',
      connector: (executor) =>
        new Proxy(openConnector(executor, fixture.orgId), {
          get(target, property, receiver) {
            if (property !== 'refundCharge') return Reflect.get(target, property, receiver);
            return async (...args: Parameters<BillingConnector['refundCharge']>) => {
              await target.refundCharge(...args);
              throw new Error('process killed after the billing call');
            };
          },
        }),
    });
    await expect(confirmProposal(crashing, proposal.id, { confirmText: 'CONFIRM' })).rejects.toThrow('process killed');
    // Just started: another process may still be running it.
    const young = await recoverAllExecutions(fixture.store, fixture.gate);
    expect(young.flatMap((entry) => entry.outcomes).some((outcome) => outcome.proposalId === proposal.id)).toBe(false);
    await fixture.store.db
      .updateTable('executions')
      .set({ startedAt: new Date(Date.now() - 5 * 60_000) })
      .where('proposalId', '=', proposal.id)
      .execute();
    const old = await recoverAllExecutions(fixture.store, fixture.gate);
    const outcome = old.flatMap((entry) => entry.outcomes).find((o) => o.proposalId === proposal.id);
    expect(outcome?.status).toBe('succeeded');
    expect(await fixture.connector.listRefunds({ chargeId: charge.id })).toHaveLength(1);
    const events = await fixture.store.db
      .selectFrom('auditEvents')
      .select('event')
      .where('proposalId', '=', proposal.id)
      .execute();
    expect(events.map((row) => row.event)).toContain('execution.recovered');
  });

  it('with the store unreachable no money moves', async () => {
    const { charge, proposal } = await passingRefund();
    const dead = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 }),
      }),
    });
    const context = { ...(await fixture.context(CLERK, { profile: 'caps' })), db: dead };
    await expect(confirmProposal(context, proposal.id, { confirmText: 'CONFIRM' })).rejects.toThrow();
    await dead.destroy();
    expect((await fixture.connector.getCharge(charge.id))?.amountRefunded).toBe(0);
    const row = await fixture.store.db
      .selectFrom('proposals')
      .select('status')
      .where('id', '=', proposal.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('awaiting_confirmation');
  });
});
