/**
 * Policy test cases in YAML: an actor, an operation and kind, facts, and the expected outcome (and policy ids).
 * `leash policy test` runs them against a policy directory so an edit can be checked before it is deployed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { APPROVER_GROUPS, ROLES } from '../domain/roles.ts';
import type { Gate } from './decide.ts';

const caseSchema = z
  .object({
    name: z.string(),
    actor: z.object({ role: z.enum(ROLES), groups: z.array(z.enum(APPROVER_GROUPS)).default([]) }).strict(),
    profile: z.enum(['short-leash', 'caps']).default('short-leash'),
    operation: z.string(),
    kind: z.string(),
    stage: z.enum(['propose', 'execute']).default('propose'),
    facts: z
      .object({
        amount: z.number().optional(),
        currency: z.string().default('usd'),
        targets: z.number().int().default(1),
        reversible: z.boolean().default(true),
        refundable_remaining: z.number().optional(),
        used_today: z.number().optional(),
        /** All members' reservations for this customer in the last 24 h (minor units). */
        used_for_customer: z.number().optional(),
        /** An update's email change: the old and the new address. */
        email_change: z.object({ from: z.string(), to: z.string() }).strict().optional(),
        /** Hours since the customer's email last changed (a reply about to be sent). */
        email_changed_hours_ago: z.number().min(0).optional(),
        /** What outbound text holds: `card_number`, `customer_email`, `email_list`, … */
        outbound_findings: z
          .array(
            z.enum([
              'card_number',
              'customer_email',
              'customer_name',
              'customer_id',
              'record_id',
              'email_list',
              'record_list',
            ]),
          )
          .optional(),
        changed_fields: z.array(z.string()).optional(),
        billing_promise: z.boolean().optional(),
        tax_or_legal: z.boolean().optional(),
      })
      .strict()
      .default({ currency: 'usd', targets: 1, reversible: true }),
    context: z.record(z.string(), z.string()).optional(),
    confirm_text: z.string().optional(),
    expect: z
      .object({ outcome: z.enum(['pass', 'warn', 'block']), policy_ids: z.array(z.string()).optional() })
      .strict(),
  })
  .strict();

/** One case's result. */
export interface PolicyCaseResult {
  file: string;
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
  reasons: string[];
}

function caseFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => join(path, file));
}

/** Runs every case in a file or directory of YAML files. */
export function runPolicyTests(gate: Gate, path: string): PolicyCaseResult[] {
  const results: PolicyCaseResult[] = [];
  for (const file of caseFiles(path)) {
    const parsed = z
      .object({ cases: z.array(caseSchema) })
      .strict()
      .parse(parseYaml(readFileSync(file, 'utf8')));
    for (const testCase of parsed.cases) {
      const actor = {
        memberId: 'mem_policy_test',
        orgId: 'org_policy_test',
        email: 'test@policy.test',
        role: testCase.actor.role,
        groups: testCase.actor.groups,
      };
      const facts = testCase.facts;
      const decision = gate.decide({
        operation: testCase.operation,
        kind: testCase.kind,
        stage: testCase.stage,
        actor,
        profile: testCase.profile,
        context: testCase.context ?? {
          request_id: 'req_test',
          idempotency_key: 'leash_prop_test',
          actor: actor.memberId,
          org: actor.orgId,
          channel: 'cli',
          case_id: 'T-1',
          reason: 'policy test',
        },
        facts: {
          ...(facts.amount !== undefined ? { money: { amount: facts.amount, currency: facts.currency } } : {}),
          customerIds: ['cus_test'],
          targetCount: facts.targets,
          reversible: facts.reversible,
          ...(testCase.kind === 'money.refund'
            ? { refundableRemaining: facts.refundable_remaining ?? facts.amount ?? 0, chargeCurrency: facts.currency }
            : {}),
          ...(testCase.kind === 'money.credit' ? { customerCurrency: facts.currency } : {}),
          ...(facts.changed_fields ? { changedFields: facts.changed_fields } : {}),
          ...(facts.billing_promise ? { makesBillingPromise: true } : {}),
          ...(facts.tax_or_legal ? { makesTaxOrLegalClaim: true } : {}),
          ...(facts.email_change
            ? { contactChange: { customerId: 'cus_test', from: facts.email_change.from, to: facts.email_change.to } }
            : {}),
          ...(facts.email_changed_hours_ago !== undefined
            ? {
                lastEmailChange: {
                  customerId: 'cus_test',
                  to: 'new@example.test',
                  changedAt: '2026-01-01T00:00:00.000Z',
                  hoursAgo: facts.email_changed_hours_ago,
                },
              }
            : {}),
          ...(facts.outbound_findings
            ? {
                outboundFindings: facts.outbound_findings.map((kind) => ({
                  field: 'the text',
                  kind,
                  shown: kind === 'card_number' ? 'a card number ending 1111' : 'x***@example.test',
                })),
              }
            : {}),
        },
        ...(facts.used_today !== undefined
          ? { usedToday: { amount: facts.used_today, currency: facts.currency } }
          : {}),
        ...(facts.used_for_customer !== undefined
          ? { usedForCustomer: { amount: facts.used_for_customer, currency: facts.currency, customerId: 'cus_test' } }
          : {}),
        ...(testCase.confirm_text !== undefined ? { confirmText: testCase.confirm_text } : {}),
      });
      const ids = decision.reasons.map((reason) => reason.policyId);
      const idsOk = (testCase.expect.policy_ids ?? []).every((id) => ids.includes(id));
      results.push({
        file,
        name: testCase.name,
        ok: decision.outcome === testCase.expect.outcome && idsOk,
        expected: `${testCase.expect.outcome}${testCase.expect.policy_ids ? ` [${testCase.expect.policy_ids.join(', ')}]` : ''}`,
        actual: `${decision.outcome} [${ids.join(', ')}]`,
        reasons: decision.reasons.map((reason) => reason.message),
      });
    }
  }
  return results;
}
