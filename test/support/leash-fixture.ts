/**
 * A test org with a member for every role and a few billing records made through the real ledger: what the
 * pipeline tests act on. Everything is real (store, ledger, Cedar gate, audit log); nothing is mocked.
 */
import { createDemoOrg } from '../../src/auth/demo-members.ts';
import { findMemberByEmail, type Member } from '../../src/auth/members.ts';
import { actorOf } from '../../src/cli/operation-context.ts';
import type { BillingConnector } from '../../src/connectors/connector.ts';
import { openConnector } from '../../src/connectors/open-connector.ts';
import type { Charge, Customer } from '../../src/domain/billing.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Channel, OperationContext } from '../../src/operations/define-operation.ts';
import { type Gate, loadGate, type PolicyProfile } from '../../src/policy/decide.ts';
import type { Store } from '../../src/store/db.ts';
import { openTestStore } from './store.ts';

/** Demo member emails by role. */
export const OWNER = 'olivia@northwind.test';
export const FINANCE = 'fiona@northwind.test';
export const SUPPORT_LEAD = 'sam@northwind.test';
export const MANAGER = 'max@northwind.test';
export const CLERK = 'carl@northwind.test';
export const CLERK_2 = 'cleo@northwind.test';
export const READER = 'rita@northwind.test';

/** An open fixture. */
export interface LeashFixture {
  store: Store;
  orgId: string;
  gate: Gate;
  connector: BillingConnector;
  member(email: string): Promise<Member>;
  context(
    email: string,
    options?: {
      profile?: PolicyProfile;
      gate?: Gate;
      channel?: Channel;
      userInput?: string;
      connector?: OperationContext['connector'];
    },
  ): Promise<OperationContext>;
  /** A customer with a paid invoice of `amount`: returns the succeeded charge. */
  paidCharge(
    amount: number,
    currency?: 'usd' | 'eur' | 'jpy',
    name?: string,
  ): Promise<{ customer: Customer; charge: Charge }>;
  close(): Promise<void>;
}

let counter = 0;

/** Opens a store with the demo org and its members (no generated business). */
export async function openLeashFixture(): Promise<LeashFixture> {
  const store = await openTestStore();
  const gate = await loadGate();
  // The org runs the rules file's default_profile, as every org Leash creates does.
  const { org } = await createDemoOrg(store.db, { policyProfile: gate.rules?.default_profile });
  const connector = openConnector(store.db, org.id);
  const member = async (email: string) => {
    const found = await findMemberByEmail(store.db, org.id, email);
    if (!found) throw new Error(`no member ${email}`);
    return found;
  };
  return {
    store,
    orgId: org.id,
    gate,
    connector,
    member,
    async context(email, options = {}) {
      const found = await member(email);
      return {
        db: store.db,
        actor: actorOf(found),
        channel: options.channel ?? 'cli',
        requestId: newId('request'),
        userInput: options.userInput,
        connector: options.connector ?? ((executor) => openConnector(executor, org.id)),
        gate: options.gate ?? gate,
        profile: options.profile ?? (org.policyProfile as PolicyProfile),
        findActor: async (memberId) => {
          const row = await store.db
            .selectFrom('members')
            .select('email')
            .where('id', '=', memberId)
            .where('orgId', '=', org.id)
            .where('disabledAt', 'is', null)
            .executeTakeFirst();
          return row ? actorOf(await member(row.email)) : undefined;
        },
      };
    },
    async paidCharge(amount, currency = 'usd', name) {
      counter += 1;
      const key = (step: string) => `fixture_${counter}_${step}_${newId('request')}`;
      const customer = await connector.createCustomer(
        {
          name: name ?? `Fixture Customer ${counter}`,
          email: `billing${counter}-${newId('request').slice(-6).toLowerCase()}@fixture.test`,
          country: 'US',
          currency,
        },
        { idempotencyKey: key('customer') },
      );
      const draft = await connector.createInvoice(
        { customerId: customer.id, currency, lines: [{ description: 'Pro plan', amount }] },
        { idempotencyKey: key('invoice') },
      );
      const invoice = await connector.finalizeInvoice({ invoiceId: draft.id }, { idempotencyKey: key('finalize') });
      const { charge } = await connector.recordPayment(
        { invoiceId: invoice.id, amount: invoice.amountDue, reference: 'wire' },
        { idempotencyKey: key('payment') },
      );
      return { customer, charge };
    },
    close: () => store.close(),
  };
}
