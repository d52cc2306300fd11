/** Kysely types of the ticket and reply tables (migration 0007-tickets). */
import type { ColumnType, JSONColumnType } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** tickets: internal billing tickets opened by the ticket workflow. */
export interface TicketsTable {
  id: string;
  orgId: string;
  number: number;
  customerId: string;
  message: string;
  class: string;
  confidence: number;
  scores: JSONColumnType<Record<string, number>>;
  facts: JSONColumnType<unknown[]>;
  draft: string;
  findings: JSONColumnType<unknown[]>;
  proposals: JSONColumnType<unknown[]>;
  approvalsNeeded: JSONColumnType<unknown[]>;
  status: 'open' | 'waiting_approval' | 'closed';
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** messages: replies to customers, drafted, then queued in the outbox and delivered. */
export interface MessagesTable {
  id: string;
  orgId: string;
  customerId: string;
  ticketId: string | null;
  toEmail: string;
  subject: string;
  body: string;
  findings: JSONColumnType<unknown[]>;
  status: 'draft' | 'queued' | 'sent' | 'failed';
  createdBy: string;
  createdAt: Date;
  queuedAt: NullableTimestamp;
  sentAt: NullableTimestamp;
  attempts: ColumnType<number, number | undefined, number>;
  lastError: string | null;
}

/** The ticket workflow's tables. */
export interface TicketTables {
  tickets: TicketsTable;
  messages: MessagesTable;
}
