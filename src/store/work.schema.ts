/** Kysely types of the ticket, reply, bulk job and API key tables (migrations 0007, 0008, 0009). */
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

/** bulk_jobs: an approved bulk action running target by target (migration 0008-bulk-jobs). */
export interface BulkJobsTable {
  id: string;
  orgId: string;
  idempotencyKey: string;
  operation: string;
  status: 'pending' | 'running' | 'succeeded' | 'partial' | 'failed';
  total: number;
  succeeded: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  ratePerSecond: number;
  createdAt: Date;
  startedAt: NullableTimestamp;
  finishedAt: NullableTimestamp;
}

/** bulk_job_targets: one target of a bulk job and how it went. */
export interface BulkJobTargetsTable {
  jobId: string;
  position: number;
  target: JSONColumnType<Record<string, unknown>>;
  status: 'pending' | 'succeeded' | 'failed';
  result: ColumnType<unknown, string | null, string | null>;
  error: string | null;
  finishedAt: NullableTimestamp;
}

/** The bulk job tables. */
export interface BulkTables {
  bulkJobs: BulkJobsTable;
  bulkJobTargets: BulkJobTargetsTable;
}

/** api_keys: keys for MCP and automation, stored hashed (migration 0009-api-keys). */
export interface ApiKeysTable {
  id: string;
  orgId: string;
  memberId: string;
  name: string;
  prefix: string;
  keyHash: string;
  createdAt: Date;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
  /** `all`, or `gate` for a key that may call only the gate service (migration 0021). */
  scope: ColumnType<string, string | undefined, string>;
}

/** magic_links: invite and login links, single use, stored as a SHA-256 of the token (migration 0010). */
export interface MagicLinksTable {
  id: string;
  orgId: string;
  memberId: string;
  purpose: 'invite' | 'login';
  tokenHash: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: NullableTimestamp;
}

/** auth_sessions: one per sign-in; revoking one ends its refresh tokens and access tokens at once. */
export interface AuthSessionsTable {
  id: string;
  orgId: string;
  memberId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: NullableTimestamp;
  revokedReason: string | null;
}

/** refresh_tokens: rotating refresh tokens of a session, stored hashed; each is used at most once. */
export interface RefreshTokensTable {
  tokenHash: string;
  orgId: string;
  sessionId: string;
  createdAt: Date;
  usedAt: NullableTimestamp;
}

/** conversations: a member's thread with the agent, named after its first message. */
export interface ConversationsTable {
  id: string;
  orgId: string;
  memberId: string;
  title: string;
  planner: string;
  createdAt: Date;
  updatedAt: Date;
}

/** conversation_turns: one request and its answer, with the calls made and what later turns may refer to. */
export interface ConversationTurnsTable {
  id: string;
  orgId: string;
  conversationId: string;
  seq: number;
  request: string;
  reply: string;
  calls: JSONColumnType<unknown[]>;
  referents: JSONColumnType<unknown[]>;
  chart: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  planner: string;
  createdAt: Date;
}

/** integrations: a provider connection of an org, with its sealed key (never the key itself). */
export interface IntegrationsTable {
  id: string;
  orgId: string;
  provider: 'stripe';
  status: 'connected' | 'disconnected';
  mode: 'live' | 'test' | null;
  keySealed: string | null;
  keyHint: string | null;
  permissions: ColumnType<string[], string | undefined, string>;
  connectedBy: string | null;
  connectedAt: NullableTimestamp;
  rotatedAt: NullableTimestamp;
  disconnectedAt: NullableTimestamp;
  updatedAt: Date;
  webhookSecretSealed: string | null;
}

/** stripe_sync: where the Stripe backfill and the Events API sync of an org stand. */
export interface StripeSyncTable {
  orgId: string;
  /** Per object type: the last id stored (`starting_after` for the next page), objects so far, done or not. */
  backfill: ColumnType<
    Record<string, { cursor: string | null; objects: number; done: boolean }>,
    string | undefined,
    string
  >;
  backfillStartedAt: NullableTimestamp;
  backfillFinishedAt: NullableTimestamp;
  /** The newest event applied from the Events API, and its `created` (seconds). */
  eventsCursor: string | null;
  eventsCursorCreated: number | null;
  eventsSyncedAt: NullableTimestamp;
  updatedAt: Date;
}

/** stripe_events: the Stripe events an org has applied, so a redelivery is ignored. */
export interface StripeEventsTable {
  orgId: string;
  id: string;
  type: string;
  created: number;
  source: 'webhook' | 'events_api';
  receivedAt: Date;
}

/** The conversation tables. */
export interface ConversationTables {
  conversations: ConversationsTable;
  conversationTurns: ConversationTurnsTable;
}

/** Provider connections. */
export interface IntegrationTables {
  integrations: IntegrationsTable;
  stripeSync: StripeSyncTable;
  stripeEvents: StripeEventsTable;
}

/** The authentication tables. */
export interface AuthTables {
  apiKeys: ApiKeysTable;
  magicLinks: MagicLinksTable;
  authSessions: AuthSessionsTable;
  refreshTokens: RefreshTokensTable;
}
