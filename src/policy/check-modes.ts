/**
 * The mode check (issue 20, domain/modes.ts): a kind outside the actor's enabled modes, an Act kind the org's
 * preset does not allow, or a credit over the mode's credit limit is a BLOCK whose message names the mode, the
 * preset and who can change it. A change of the modes that widens them needs a second person under short-leash.
 */
import { type Mode, modeName, modeOfKind } from '../domain/modes.ts';
import { formatMoney, isCurrency } from '../domain/money.ts';
import type { Role } from '../domain/roles.ts';
import { isActionKind, KIND_PHRASES } from './action-kinds.ts';
import type { DecisionReason, DecisionRequest } from './decision-types.ts';

/** The operation that changes an org's modes. */
export const SET_MODES_OPERATION = 'set_policy_modes';

/** Who may approve a widening of the modes under short-leash: a billing manager, or another owner. */
export const MODE_WIDEN_ROUTE = { groups: [], roles: ['billing_manager', 'owner'] } as const satisfies {
  groups: readonly never[];
  roles: readonly Role[];
};

const ROLE_PLURALS: Record<string, string> = {
  owner: 'owners',
  billing_manager: 'billing managers',
  billing_clerk: 'billing clerks',
  read_only: 'read-only members',
};

/** The preset that turns `mode` on. */
const PRESET_FOR: Record<Mode, string> = { insight: 'insight-only', act: 'support-act', integrate: 'full' };

const show = (amount: number, currency: string) =>
  isCurrency(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;

/** The reason the actor's modes rule the request out, or undefined when they allow it (or do not apply). */
export function modeBlock(request: DecisionRequest): DecisionReason | undefined {
  const grant = request.modes;
  if (!grant) return undefined;
  const mode = modeOfKind(request.kind);
  if (!mode) return undefined;
  const preset = grant.source === 'unreadable' ? 'unreadable settings: Insight only' : `preset ${grant.preset}`;
  if (!grant.modes.includes(mode)) {
    const who =
      grant.source === 'member'
        ? `for you (${request.actor.email})`
        : `for ${ROLE_PLURALS[request.actor.role] ?? request.actor.role}`;
    return {
      policyId: 'mode.off',
      message: `${modeName(mode)} mode is off ${who} in this org (${preset}); the owner can turn it on: leash policy mode set ${PRESET_FOR[mode]}`,
    };
  }
  if (mode !== 'act') return undefined;
  if (grant.actKinds && !grant.actKinds.includes(request.kind as never)) {
    const phrase = isActionKind(request.kind) ? KIND_PHRASES[request.kind] : request.kind;
    const allowed = grant.actKinds.map((kind) => KIND_PHRASES[kind]).join(', ');
    return {
      policyId: 'mode.kind_limited',
      message: `Act mode in this org (${preset}) allows only: ${allowed} — not to ${phrase}; the owner can allow it: leash policy mode set full`,
    };
  }
  const money = request.facts.money;
  const limit = grant.creditLimit;
  if (request.kind !== 'money.credit' || !money || !limit) return undefined;
  if (money.currency !== limit.currency || money.amount > limit.amount) {
    return {
      policyId: 'mode.credit_limit',
      message: `Act mode in this org (${preset}) allows credits up to ${show(limit.amount, limit.currency)}; this one is ${show(money.amount, money.currency)}; the owner can raise it: leash policy mode set ${grant.preset === 'custom' ? 'support-act' : grant.preset} --credit-limit <dollars>`,
    };
  }
  return undefined;
}

/** The WARN a widening of the modes gets under short-leash, or undefined. */
export function modeWidenWarning(request: DecisionRequest): DecisionReason | undefined {
  if (request.operation !== SET_MODES_OPERATION || request.profile !== 'short-leash') return undefined;
  if (!request.facts.modeChange?.widens) return undefined;
  return {
    policyId: 'mode.widen',
    message: 'turning modes on needs a second person; a billing manager or another owner must approve',
  };
}
