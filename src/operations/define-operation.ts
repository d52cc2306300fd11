/**
 * `defineOperation`: one billing capability, described once and run only through `runOperation`.
 * The name is public (CLI `leash run`, MCP tool name, HTTP path), snake_case verb_noun.
 */
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { BillingConnector } from '../connectors/connector.ts';
import type { Actor, DecisionFacts, Gate, PolicyProfile } from '../policy/decide.ts';
import type { Database } from '../store/schema.ts';
import { withGuardFacts } from './guard-facts.ts';

/** Where a request came from. */
export type Channel = 'cli' | 'mcp' | 'http' | 'web' | 'agent' | 'gate';

/** What every operation runs with: identity from the session, never from input. */
export interface OperationContext {
  readonly db: Kysely<Database>;
  readonly actor: Actor;
  readonly channel: Channel;
  readonly requestId: string;
  /** The words that led to this call, when a planner or model proposed it. */
  readonly userInput?: string | undefined;
  /** Opens the org's billing connector on an executor (the db or a transaction). */
  readonly connector: (executor: Kysely<Database> | Transaction<Database>) => BillingConnector;
  /** The loaded policy (pre-parsed at start). */
  readonly gate: Gate;
  /** The org's approval profile. */
  readonly profile: PolicyProfile;
  /** Loads a member of the org as an actor, with their current role (a demoted member is re-evaluated). */
  readonly findActor: (memberId: string) => Promise<Actor | undefined>;
  /** The IANA zone the member reads times in (their own, else the org's, else UTC); UTC when absent. */
  readonly timeZone?: string;
}

/** What a read hands the audit log besides its input: the ids it touched. */
export interface ReadSubjects {
  customerId?: string | null;
  invoiceId?: string | null;
  chargeId?: string | null;
}

/** A read operation (kind `data.read`/`data.export`): runs at once, still audited. */
export interface ReadOperation<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly kind: 'data.read' | 'data.export';
  readonly input: z.ZodType<Input>;
  run(context: OperationContext, input: Input, connector: BillingConnector): Promise<Output>;
  /** The ids a result is about, for the audit row. */
  subjects?(input: Input, output: Output): ReadSubjects;
}

/** The server-derived preview of a write: what changes, money, customers affected, reversible or not. */
export interface Preview {
  summary: string;
  changes: { field: string; from: unknown; to: unknown }[];
  money: { amount: number; currency: string } | null;
  customers: { id: string; name: string }[];
  targets: string[];
  reversible: boolean;
  details: Record<string, unknown>;
}

/** Facts a write resolves from the store before anything is decided. */
export interface WriteFacts {
  decision: DecisionFacts;
  preview: Preview;
  subjects: ReadSubjects;
  /**
   * The facts an approval is bound to (targets, amounts, currencies), re-derived at execution: any
   * difference from what was approved blocks. Only stable facts belong here (not "now").
   */
  bound: Record<string, unknown>;
}

/** A write operation: propose (facts → preview → decide), then confirm/approve → execute. */
export interface WriteOperation<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly kind: string;
  readonly input: z.ZodType<Input>;
  readonly destructive: boolean;
  facts(context: OperationContext, input: Input, connector: BillingConnector): Promise<WriteFacts>;
  /** Carries out exactly the approved action: `bound` is the payload's facts as proposed and approved. */
  execute(
    input: Input,
    connector: BillingConnector,
    idempotencyKey: string,
    bound: Record<string, unknown>,
    executor: Kysely<Database> | Transaction<Database>,
  ): Promise<Output>;
  /**
   * A second write proposed alongside this one, under its own kind and approval (a bulk action's customer
   * notification, `notify: true`), or none. It is proposed once this one is stored and not blocked.
   */
  companion?(input: Input): { operation: string; input: Record<string, unknown> } | undefined;
}

/** Any operation. */
export type Operation = ReadOperation<never, unknown> | WriteOperation<never, unknown>;

/** Declares a read operation. */
export function defineRead<Input, Output>(operation: ReadOperation<Input, Output>): ReadOperation<Input, Output> {
  return operation;
}

/**
 * Declares a write operation. Its facts always carry the gate's facts about where customer data goes
 * (guard-facts.ts), wherever they are derived: propose, approve, execute, explain.
 */
export function defineWrite<Input, Output>(operation: WriteOperation<Input, Output>): WriteOperation<Input, Output> {
  return {
    ...operation,
    async facts(context, input, connector) {
      return withGuardFacts(
        context,
        operation.name,
        input,
        await operation.facts(context, input, connector),
        connector,
      );
    },
  };
}

/** True for reads. */
export function isRead(operation: { kind: string }): boolean {
  return operation.kind === 'data.read' || operation.kind === 'data.export';
}
