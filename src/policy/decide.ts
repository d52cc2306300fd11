/**
 * The gate: a deterministic, synchronous decision PASS / WARN / BLOCK for one request. Identity comes only from
 * `actor` (the session); amounts only from server-derived facts. Any error anywhere is a BLOCK.
 */
import { newId } from '../domain/ids.ts';
import { formatMoney, isCurrency } from '../domain/money.ts';
import type { ApproverGroup, Role } from '../domain/roles.ts';
import { isActionKind, isReadKind, KIND_PHRASES, moneyNoun } from './action-kinds.ts';
import { BUILT_IN_ROUTES, routeApprovals } from './approval-routing.ts';
import { authorize, type CedarVerdict } from './cedar-authorize.ts';
import { GUARD_ROUTE, guardVerdict } from './check-guards.ts';
import { limitWarnings } from './check-limits.ts';
import { MODE_WIDEN_ROUTE, modeBlock, modeWidenWarning, SET_MODES_OPERATION } from './check-modes.ts';
import { moneyProblems } from './check-money.ts';
import type {
  Actor,
  Decision,
  DecisionReason,
  DecisionRequest,
  Gate,
  LoadedPolicy,
  RequiredApprovers,
} from './decision-types.ts';
import { missingContext } from './required-context.ts';
import { type AttemptQuestion, type Reach, roleMayApprove, roleReach } from './role-reach.ts';
import { capOf } from './rules.ts';

export type { PolicyProfile } from './action-kinds.ts';
export type {
  Actor,
  Decision,
  DecisionFacts,
  DecisionReason,
  DecisionRequest,
  Gate,
  LoadedPolicy,
  RequiredApprovers,
} from './decision-types.ts';
export { loadGate } from './load-gate.ts';

const ROLE_PLURALS: Record<string, string> = {
  owner: 'owners',
  billing_manager: 'billing managers',
  billing_clerk: 'billing clerks',
  read_only: 'read-only members',
};

const show = (amount: number, currency: string) =>
  isCurrency(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;

/** Builds the gate over a loaded policy. */
export function createGate(loaded: LoadedPolicy): Gate {
  const noApprovers: RequiredApprovers = { groups: [], roles: [] };
  const answer = (
    outcome: Decision['outcome'],
    reasons: DecisionReason[],
    extra: Partial<Decision> = {},
  ): Decision => ({
    outcome,
    decisionId: newId('decision'),
    reasons,
    requiredApprovers: noApprovers,
    policyVersion: loaded.version,
    needsConfirmText: false,
    ...extra,
  });
  const block = (reasons: DecisionReason[], remediation?: string, needsConfirmText = false) =>
    answer('block', reasons, { ...(remediation ? { remediation } : {}), needsConfirmText });

  function cedarContext(request: DecisionRequest) {
    return {
      operation: request.operation,
      kind: request.kind,
      channel: String(request.context.channel ?? ''),
      profile: request.profile,
      amount: request.facts.money?.amount ?? 0,
      currency: request.facts.money?.currency ?? '',
      targets: request.facts.targetCount,
      reversible: request.facts.reversible,
      fields: [...(request.facts.changedFields ?? [])],
    };
  }

  function ask(actor: Actor, action: string, request: DecisionRequest, cap?: number): CedarVerdict {
    return authorize(
      loaded.policySetId,
      loaded.schemaName,
      { ...actor, ...(cap !== undefined ? { cap } : {}) },
      action,
      cedarContext(request),
    );
  }

  function evaluate(request: DecisionRequest): Decision {
    const { kind, actor, facts } = request;
    if (!isActionKind(kind))
      return block([{ policyId: 'gate.unknown_kind', message: `unknown action kind "${kind}"` }]);
    const read = isReadKind(kind);
    if (!loaded.rules || (loaded.problems.length > 0 && !read)) {
      return block(
        [
          {
            policyId: 'gate.policy_invalid',
            message: `the policy files have problems, so changes are stopped: ${loaded.problems.join('; ')}`,
          },
        ],
        'fix the policy files (`leash policy check`)',
      );
    }
    const rules = loaded.rules;
    const missing = missingContext(kind, request.context, request.plannerProposed ?? false);
    if (missing.length > 0) {
      return block(
        [{ policyId: 'context.required', message: `missing required context (${missing.join(', ')})` }],
        `give ${missing.join(' and ')}`,
      );
    }
    if (request.context.org !== actor.orgId || request.context.actor !== actor.memberId) {
      return block([
        { policyId: 'context.identity_mismatch', message: 'the request names another org or actor than the session' },
      ]);
    }
    const permission = ask(actor, kind, request);
    if (permission.errors.length > 0)
      return block([{ policyId: 'gate.error', message: `policy evaluation failed: ${permission.errors.join('; ')}` }]);
    if (!permission.allowed) {
      return block(
        [
          {
            policyId: 'role.not_permitted',
            message: `${ROLE_PLURALS[actor.role] ?? actor.role} cannot ${KIND_PHRASES[kind]}`,
          },
        ],
        'ask a member whose role allows it',
      );
    }
    const modeReason = modeBlock(request);
    if (modeReason) return block([modeReason], 'ask the owner to turn the mode on (`leash policy mode show`)');
    if (read)
      return answer('pass', [
        { policyId: permission.policyIds[0] ?? 'role.any_member_reads', message: 'reads are allowed' },
      ]);

    const problems = moneyProblems(kind, facts);
    if (problems.length > 0) return block(problems);
    const guards = guardVerdict(rules, facts, request.operation);
    if (guards.blocks.length > 0) return block(guards.blocks, 'remove it from the text and propose again');
    const needsConfirmText = !facts.reversible;
    if (request.stage === 'execute' && needsConfirmText && request.confirmText !== 'CONFIRM') {
      return block(
        [{ policyId: 'confirm.text_required', message: 'this action cannot be undone' }],
        'type CONFIRM to proceed',
        true,
      );
    }

    const warnings: DecisionReason[] = [];
    const groups = new Set<ApproverGroup>();
    const roles = new Set<Role>();
    let minCap: RequiredApprovers['minCap'];
    const route = (routedGroups: readonly ApproverGroup[], routedRoles: readonly Role[]) => {
      for (const group of routedGroups) groups.add(group);
      for (const role of routedRoles) roles.add(role);
    };

    for (const rule of routeApprovals(rules, request)) {
      warnings.push({
        policyId: rule.id,
        message: `${rule.why}; ${[...rule.groups, ...rule.roles.map((role) => (role === 'owner' ? 'an owner' : `a ${role.replace(/_/g, ' ')}`))].join(' or ')} must approve`,
      });
      route(rule.groups, rule.roles);
    }
    const widen = modeWidenWarning(request);
    if (widen) {
      warnings.push(widen);
      route(MODE_WIDEN_ROUTE.groups, MODE_WIDEN_ROUTE.roles);
    }
    if (facts.targetCount > rules.bulk_threshold) {
      warnings.push({
        policyId: 'bulk.threshold',
        message: `affects ${facts.targetCount} targets, more than ${rules.bulk_threshold}`,
      });
      route(BUILT_IN_ROUTES.bulk.groups, BUILT_IN_ROUTES.bulk.roles);
    }
    const money = facts.money;
    const cap = money ? capOf(rules, actor.role, money.currency) : undefined;
    if (money && request.profile === 'caps') {
      const within = ask(actor, 'cap.within', request, cap);
      if (within.errors.length > 0)
        return block([{ policyId: 'gate.error', message: `policy evaluation failed: ${within.errors.join('; ')}` }]);
      if (!within.allowed) {
        const approvers =
          money.amount <= (capOf(rules, 'billing_manager', money.currency) ?? 0)
            ? 'a billing manager or finance'
            : 'the owner';
        warnings.push({
          policyId: 'caps.over_cap',
          message: `exceeds your ${show(cap ?? 0, money.currency)} ${moneyNoun(kind)} cap; ${approvers} can approve`,
        });
        route(BUILT_IN_ROUTES.overCap.groups, BUILT_IN_ROUTES.overCap.roles);
        minCap = { amount: money.amount, currency: money.currency };
      }
    }
    const limits = limitWarnings(rules, request, cap);
    if (limits.length > 0 && money) {
      warnings.push(...limits);
      route(BUILT_IN_ROUTES.dailyLimit.groups, BUILT_IN_ROUTES.dailyLimit.roles);
      minCap = { amount: money.amount, currency: money.currency };
    }
    // Where customer data goes: whoever already approves this request sees these too; otherwise a support lead.
    if (guards.warnings.length > 0) {
      const routed = groups.size + roles.size > 0;
      const who = routed ? 'its approver must accept this too' : 'a support lead or the owner must approve';
      warnings.push(...guards.warnings.map((reason) => ({ ...reason, message: `${reason.message}; ${who}` })));
      if (!routed) route(GUARD_ROUTE.groups, GUARD_ROUTE.roles);
    }
    if (warnings.length === 0) {
      return answer('pass', [{ policyId: permission.policyIds[0] ?? 'role', message: 'within your role and limits' }], {
        needsConfirmText,
      });
    }
    return answer('warn', warnings, {
      needsConfirmText,
      requiredApprovers: { groups: [...groups], roles: [...roles], ...(minCap ? { minCap } : {}) },
    });
  }

  function decide(request: DecisionRequest): Decision {
    try {
      return evaluate(request);
    } catch (error) {
      // Fail closed: a policy error must never read as "allow".
      return block([
        {
          policyId: 'gate.error',
          message: `the gate failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      ]);
    }
  }

  function canApprove(approver: Actor, request: DecisionRequest): Decision {
    try {
      if (approver.memberId === request.actor.memberId) {
        return block(
          [{ policyId: 'approval.self', message: 'you cannot approve your own request' }],
          'ask another member',
        );
      }
      if (approver.orgId !== request.actor.orgId)
        return block([{ policyId: 'approval.org', message: 'not a member of this org' }]);
      const original = evaluate({ ...request, stage: 'propose' });
      if (original.outcome === 'block') return original;
      const { groups, roles } = original.requiredApprovers;
      const routed = roles.includes(approver.role) || approver.groups.some((group) => groups.includes(group));
      if (!routed) {
        return block([
          { policyId: 'approval.not_routed', message: `this request is for ${[...groups, ...roles].join(' or ')}` },
        ]);
      }
      // A widening of the modes is routed to billing managers, who may approve it without holding its owner-only kind.
      const modesApproval = request.operation === SET_MODES_OPERATION && roles.includes(approver.role);
      const permission = ask(approver, request.kind, request);
      if (permission.errors.length > 0)
        return block([{ policyId: 'gate.error', message: permission.errors.join('; ') }]);
      if (!permission.allowed && !modesApproval) {
        return block([
          {
            policyId: 'approval.not_permitted',
            message: `${ROLE_PLURALS[approver.role] ?? approver.role} cannot ${KIND_PHRASES[request.kind as keyof typeof KIND_PHRASES] ?? request.kind}`,
          },
        ]);
      }
      const money = request.facts.money;
      if (money && loaded.rules && (request.profile === 'caps' || original.requiredApprovers.minCap)) {
        const cap = capOf(loaded.rules, approver.role, money.currency);
        const within = ask(approver, 'cap.within', request, cap);
        if (within.errors.length > 0) return block([{ policyId: 'gate.error', message: within.errors.join('; ') }]);
        if (!within.allowed) {
          return block([
            {
              policyId: 'approval.over_own_cap',
              message: `${show(money.amount, money.currency)} is above your own ${show(cap ?? 0, money.currency)} cap`,
            },
          ]);
        }
      }
      return answer('pass', [{ policyId: 'approval.allowed', message: 'you may approve this request' }]);
    } catch (error) {
      return block([
        {
          policyId: 'gate.error',
          message: `the gate failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      ]);
    }
  }

  // A partial evaluation takes milliseconds: answers are kept per role, groups and question (a few hundred at most).
  const reaches = new Map<string, Reach>();
  const reach = (actor: Actor, question: AttemptQuestion): Reach => {
    const key = JSON.stringify([actor.orgId, actor.role, [...actor.groups].sort(), question]);
    let answer = reaches.get(key);
    if (answer === undefined) {
      answer = roleReach(loaded, actor, question);
      reaches.set(key, answer);
    }
    return answer;
  };
  function mayAttempt(actor: Actor, question: AttemptQuestion): boolean {
    // The gate's own first checks: an unknown kind, or a broken policy for a write, blocks whoever asks.
    if (!isActionKind(question.kind)) return false;
    if (!loaded.rules || (loaded.problems.length > 0 && !isReadKind(question.kind))) return false;
    // The kind first, for any operation; only a kind whose policies look at the operation is asked per operation.
    const forKind = reach(actor, { ...question, operation: undefined });
    if (forKind !== 'depends') return forKind === 'allow';
    return reach(actor, question) !== 'deny';
  }
  function mayApprove(
    actor: Actor,
    question: Pick<AttemptQuestion, 'channel' | 'profile'>,
    writes: readonly { operation: string; kind: string }[],
  ) {
    if (!loaded.rules) return false;
    return roleMayApprove(loaded.rules, actor, question.profile, writes, (write) =>
      mayAttempt(actor, { ...write, ...question }),
    );
  }

  return {
    policyVersion: loaded.version,
    rules: loaded.rules,
    problems: loaded.problems,
    decide,
    canApprove,
    mayAttempt,
    mayApprove,
  };
}
