/**
 * Where customer data goes (issue 17), as reasons: a change of a customer's billing email (WARN to a support
 * lead, naming the old and the new address), a reply to an address changed in the last 72 h (WARN, naming the
 * time), and outbound text holding data that is not the addressed customer's own (WARN; a card number BLOCKs).
 * The facts come from operations/guard-facts.ts; this part is pure, so the decision stays deterministic.
 */
import type { ApproverGroup, Role } from '../domain/roles.ts';
import type { DecisionFacts, DecisionReason } from './decision-types.ts';
import type { OutboundFinding } from './outbound-text.ts';
import type { PolicyRules } from './rules.ts';

/** Who approves a finding of this module when no other rule already routes the request. */
export const GUARD_ROUTE = { groups: ['support_lead'], roles: ['owner'] } as const satisfies {
  groups: readonly ApproverGroup[];
  roles: readonly Role[];
};

/** How long mail to a changed address needs approval, unless the rules file says otherwise. */
export const DEFAULT_EMAIL_CHANGE_HOLD_HOURS = 72;

/** The guards' verdict: blocking reasons (card numbers) and warnings. */
export interface GuardVerdict {
  blocks: DecisionReason[];
  warnings: DecisionReason[];
}

const DESCRIBE: Record<Exclude<OutboundFinding['kind'], 'card_number'>, (shown: string) => string> = {
  customer_email: (shown) => `another customer's email (${shown})`,
  customer_name: (shown) => `another customer's name (${shown})`,
  customer_id: (shown) => shown,
  record_id: (shown) => shown,
  email_list: (shown) => shown,
  record_list: (shown) => shown,
};

/** Groups findings by field: "the refund reason holds another customer's email (b***@x.test) and …". */
function describe(findings: readonly OutboundFinding[], what: (finding: OutboundFinding) => string): string[] {
  const byField = new Map<string, string[]>();
  for (const finding of findings) byField.set(finding.field, [...(byField.get(finding.field) ?? []), what(finding)]);
  return [...byField].map(([field, items]) => {
    const shown = items.slice(0, 4);
    const more = items.length > shown.length ? ` and ${items.length - shown.length} more` : '';
    return `${field} holds ${shown.join(', ')}${more}`;
  });
}

/** The guards' reasons for one request's facts. */
export function guardVerdict(rules: PolicyRules, facts: DecisionFacts, operation: string): GuardVerdict {
  const blocks: DecisionReason[] = [];
  const warnings: DecisionReason[] = [];
  const findings = facts.outboundFindings ?? [];
  const cards = findings.filter((finding) => finding.kind === 'card_number');
  if (cards.length > 0) {
    blocks.push({
      policyId: 'outbound.card_number',
      message: `${describe(cards, (finding) => finding.shown).join('; ')}: card numbers never leave Leash`,
    });
  }
  const data = findings.filter((finding) => finding.kind !== 'card_number');
  const bulk = data.filter((finding) => finding.kind === 'email_list' || finding.kind === 'record_list');
  const other = data.filter((finding) => !bulk.includes(finding));
  if (other.length > 0) {
    warnings.push({
      policyId: 'outbound.other_customer_data',
      message: `${describe(other, (finding) => DESCRIBE[finding.kind as keyof typeof DESCRIBE](finding.shown)).join('; ')}; none of it is this customer's own`,
    });
  }
  if (bulk.length > 0) {
    warnings.push({
      policyId: 'outbound.bulk_list',
      message: `${describe(bulk, (finding) => finding.shown).join('; ')}`,
    });
  }
  const change = facts.contactChange;
  if (change && operation === 'update_customer') {
    warnings.push({
      policyId: 'identity.contact_change',
      message: `changes where ${change.customerId}'s billing mail goes, from ${change.from} to ${change.to}`,
    });
  }
  const hold = rules.email_change_hold_hours ?? DEFAULT_EMAIL_CHANGE_HOLD_HOURS;
  const recent = facts.lastEmailChange;
  if (recent && operation === 'send_reply' && recent.hoursAgo < hold) {
    warnings.push({
      policyId: 'identity.recent_email_change',
      message: `the customer's email changed to ${recent.to} at ${recent.changedAt} (${Math.floor(recent.hoursAgo)} h ago, less than ${hold} h): mail to it needs approval`,
    });
  }
  return { blocks, warnings };
}
