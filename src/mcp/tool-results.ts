/**
 * Tool results: a short text summary first, then the result as compact JSON (no indentation), and the same value
 * as `structuredContent` (the MCP spec asks for the serialized JSON in a text block beside structured content, for
 * clients that read only text). Errors carry the summary and the JSON error, with `isError`.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeCall } from '../agent/describe-result.ts';
import type { ApprovalView } from '../operations/approval-views.ts';
import type { ExecutionOutcome, ProposalView } from '../operations/run-operation.ts';

const SUMMARY_LIMIT = 300;

function shorten(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > SUMMARY_LIMIT ? `${line.slice(0, SUMMARY_LIMIT - 1)}…` : line;
}

function result(summary: string, value: unknown, isError = false): CallToolResult {
  const json = JSON.stringify(value);
  return {
    content: [
      { type: 'text', text: shorten(summary) },
      { type: 'text', text: json },
    ],
    // Through JSON once, so dates read the same in both and the value is what the client will validate.
    ...(isError ? { isError: true } : { structuredContent: JSON.parse(json) as Record<string, unknown> }),
  };
}

/** A read's result, under `result`. */
export function readResult(operation: string, input: unknown, value: unknown): CallToolResult {
  const words = describeCall({
    operation,
    input: (input ?? {}) as Record<string, unknown>,
    outcome: 'read',
    result: value,
  }).text;
  return result(words, { result: value });
}

/** A proposal: what it does, the decision and what happens next. */
export function proposalResult(proposal: ProposalView): CallToolResult {
  return result(
    `Proposal ${proposal.id}: ${proposal.preview.summary}. Policy: ${proposal.decision.outcome.toUpperCase()}; ${proposal.next}.`,
    proposal,
  );
}

/** An execution (confirm or approve). */
export function executionResult(outcome: ExecutionOutcome): CallToolResult {
  const reasons = outcome.reasons.map((reason) => reason.message).join('; ');
  return result(`Proposal ${outcome.proposalId}: ${outcome.status}${reasons ? ` (${reasons})` : ''}.`, outcome);
}

/** Approval requests. */
export function approvalListResult(requests: ApprovalView[]): CallToolResult {
  const first = requests
    .slice(0, 5)
    .map((request) => `${request.id} ${request.summary}`)
    .join('; ');
  return result(`${requests.length} approval request${requests.length === 1 ? '' : 's'}${first ? `: ${first}` : ''}.`, {
    requests,
  });
}

/** A rejected request. */
export function rejectionResult(rejected: { id: string; proposalId: string; status: string }): CallToolResult {
  return result(`Approval request ${rejected.id} ${rejected.status}; nothing happens.`, rejected);
}

import { INTERNAL_MESSAGE } from '../domain/errors.ts';

export { INTERNAL_MESSAGE };

/** An error a caller can act on. */
export function errorResult(error: { code: string; message: string; requestId?: string }): CallToolResult {
  return result(`Error (${error.code}): ${error.message}`, { error }, true);
}
