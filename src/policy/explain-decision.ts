/** A decision in words a support agent can act on. */
import type { Decision } from './decide.ts';

/** Explains an outcome, its reasons and who may approve. */
export function explainDecision(
  decision: Pick<Decision, 'outcome' | 'reasons' | 'requiredApprovers' | 'remediation' | 'needsConfirmText'>,
): string {
  const head = {
    pass: 'PASS — may proceed once the requester confirms.',
    warn: 'WARN — needs approval by a second member.',
    block: 'BLOCK — nothing will happen.',
  }[decision.outcome];
  const lines = [head, ...decision.reasons.map((reason) => `  · ${reason.message} [${reason.policyId}]`)];
  if (decision.outcome === 'warn') {
    const who = [
      ...decision.requiredApprovers.groups,
      ...decision.requiredApprovers.roles.map((role) => `role ${role}`),
    ];
    lines.push(
      `  approvers: ${who.join(', ') || 'any other member allowed to do it'}${decision.requiredApprovers.minCap ? ` (their cap must cover ${decision.requiredApprovers.minCap.amount} ${decision.requiredApprovers.minCap.currency})` : ''}`,
    );
  }
  if (decision.remediation) lines.push(`  what to do: ${decision.remediation}`);
  if (decision.needsConfirmText) lines.push('  irreversible: confirm with the text CONFIRM');
  return lines.join('\n');
}
