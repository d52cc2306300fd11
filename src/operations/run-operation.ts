/**
 * The one pipeline (ARCHITECTURE.md §1). Surfaces and the agent call these, nothing else:
 * reads run at once; writes are proposed, then confirmed (PASS) or approved by a second member (WARN).
 */
export { confirmProposal } from './confirm-proposal.ts';
export { approveRequest, rejectRequest } from './decide-approval.ts';
export type { ExecutionOutcome } from './execute-proposal.ts';
export type { ProposalView } from './proposal-view.ts';
export { proposeOperation } from './propose-operation.ts';
export { recoverExecutions } from './recover-executions.ts';
export { runRead } from './run-read.ts';
