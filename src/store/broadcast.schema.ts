/** Customer notification tables of bulk operations (migration 0026, src/operations/broadcast-*.ts). */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** broadcasts: one approved notification of one bulk proposal's customers. */
export interface BroadcastsTable {
  id: string;
  orgId: string;
  proposalId: string;
  bulkProposalId: string;
  operation: string;
  subject: string;
  template: string;
  idempotencyKey: string;
  createdBy: string;
  createdAt: Timestamp;
}

/** broadcast_messages: the claim of one target's queued message (once per target). */
export interface BroadcastMessagesTable {
  broadcastId: string;
  position: number;
  orgId: string;
  customerId: string;
  idempotencyKey: string;
  messageId: string;
  createdAt: Timestamp;
}

/** The notification tables. */
export interface BroadcastTables {
  broadcasts: BroadcastsTable;
  broadcastMessages: BroadcastMessagesTable;
}
