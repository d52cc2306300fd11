/** Outbound webhook tables (migration 0023, src/webhooks/). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** webhook_endpoints: a URL the org subscribed to some billing events; the secret is sealed. */
export interface WebhookEndpointsTable {
  id: string;
  orgId: string;
  url: string;
  events: JSONColumnType<string[]>;
  description: Generated<string>;
  /** Sealed signing secret; null for an endpoint Stripe hosts (migration 0027: Stripe signs, Leash keeps nothing). */
  secretSealed: string | null;
  /** Who delivers to it: Leash's deliverer, or Stripe (an endpoint created in Stripe). */
  host: Generated<'leash' | 'stripe'>;
  disabled: Generated<boolean>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  deletedAt: NullableTimestamp;
}

/** webhook_events: the outbox of billing events, written with the execution that caused them. */
export interface WebhookEventsTable {
  id: string;
  orgId: string;
  type: string;
  data: JSONColumnType<Record<string, unknown>>;
  fannedOut: Generated<boolean>;
  createdAt: Timestamp;
}

/** webhook_deliveries: one event to one endpoint, with its attempts and state. */
export interface WebhookDeliveriesTable {
  id: string;
  orgId: string;
  endpointId: string;
  eventId: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Timestamp;
  deliveredAt: NullableTimestamp;
}

/** The webhook tables. */
export interface WebhookTables {
  webhookEndpoints: WebhookEndpointsTable;
  webhookEvents: WebhookEventsTable;
  webhookDeliveries: WebhookDeliveriesTable;
}
