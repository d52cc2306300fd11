/** Kysely types of agent access stops (migration 0017-agent-channel). */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** agent_channel_stops: a member's agent access paused after blocked attempts, until an owner resumes it. */
export interface AgentChannelStopsTable {
  id: string;
  orgId: string;
  memberId: string;
  stoppedAt: Timestamp;
  blockedAttempts: number;
  windowSeconds: number;
  resumedAt: NullableTimestamp;
  resumedBy: string | null;
}

/** The agent access tables. */
export interface AgentChannelTables {
  agentChannelStops: AgentChannelStopsTable;
}
