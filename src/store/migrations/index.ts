/** Every migration, in order. A module that needs tables adds a file here; names sort in apply order. */
import type { Migration } from 'kysely';
import * as billing from './0001-billing.ts';
import * as audit from './0003-audit.ts';
import * as pipeline from './0005-pipeline.ts';
import * as customerName from './0006-customer-name.ts';
import * as tickets from './0007-tickets.ts';
import * as bulkJobs from './0008-bulk-jobs.ts';
import * as apiKeys from './0009-api-keys.ts';
import * as authSessions from './0010-auth-sessions.ts';
import * as rowLevelSecurity from './0011-row-level-security.ts';
import * as conversations from './0012-conversations.ts';
import * as integrations from './0013-integrations.ts';
import * as stripeMirror from './0014-stripe-mirror.ts';
import * as auditSignatures from './0015-audit-signatures.ts';
import * as emailChanges from './0016-email-changes.ts';
import * as agentChannel from './0017-agent-channel.ts';
import * as rateLimits from './0020-rate-limits.ts';
import * as gateDecisions from './0021-gate-decisions.ts';
import * as policyModes from './0022-policy-modes.ts';
import * as outboundWebhooks from './0023-outbound-webhooks.ts';
import * as auditWithoutHeads from './0024-audit-without-heads.ts';
import * as memberTimeZone from './0025-member-time-zone.ts';
import * as broadcasts from './0026-broadcasts.ts';
import * as stripeWebhookEndpoints from './0027-stripe-webhook-endpoints.ts';
import * as mrrFacts from './0028-mrr-facts.ts';
import * as customerSearch from './0029-customer-search.ts';
import * as mrrLineEnds from './0030-mrr-line-ends.ts';
import * as failedCharges from './0032-failed-charges.ts';
import * as chargeDays from './0033-charge-days.ts';
import * as mrrMonths from './0034-mrr-months.ts';
import * as insightIndexes from './0035-insight-indexes.ts';
import * as scopedCustomerSearch from './0036-scoped-customer-search.ts';
import * as chargeTwins from './0037-charge-twins.ts';
import * as customerPageCounted from './0038-customer-page-counted.ts';
import * as customerCandidatesRanked from './0039-customer-candidates-ranked.ts';
import * as auditAppendByInsert from './0040-audit-append-by-insert.ts';

/** Migrations by name, applied in name order by the Kysely migrator. */
export const migrations: Record<string, Migration> = {
  '0001-billing': billing,
  '0003-audit': audit,
  '0005-pipeline': pipeline,
  '0006-customer-name': customerName,
  '0007-tickets': tickets,
  '0008-bulk-jobs': bulkJobs,
  '0009-api-keys': apiKeys,
  '0010-auth-sessions': authSessions,
  '0011-row-level-security': rowLevelSecurity,
  '0012-conversations': conversations,
  '0013-integrations': integrations,
  '0014-stripe-mirror': stripeMirror,
  '0015-audit-signatures': auditSignatures,
  '0016-email-changes': emailChanges,
  '0017-agent-channel': agentChannel,
  '0020-rate-limits': rateLimits,
  '0021-gate-decisions': gateDecisions,
  '0022-policy-modes': policyModes,
  '0023-outbound-webhooks': outboundWebhooks,
  '0024-audit-without-heads': auditWithoutHeads,
  '0029-customer-search': customerSearch,
  '0030-mrr-line-ends': mrrLineEnds,
  '0032-failed-charges': failedCharges,
  '0033-charge-days': chargeDays,
  '0034-mrr-months': mrrMonths,
  '0035-insight-indexes': insightIndexes,
  '0036-scoped-customer-search': scopedCustomerSearch,
  '0037-charge-twins': chargeTwins,
  '0038-customer-page-counted': customerPageCounted,
  '0039-customer-candidates-ranked': customerCandidatesRanked,
  '0040-audit-append-by-insert': auditAppendByInsert,
  '0028-mrr-facts': mrrFacts,
  '0026-broadcasts': broadcasts,
  '0025-member-time-zone': memberTimeZone,
  '0027-stripe-webhook-endpoints': stripeWebhookEndpoints,
};
