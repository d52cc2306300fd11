/**
 * What every dashboard form that proposes a write shares: the reason and ticket every write needs (POLICY.md's
 * required context), and the propose step (busy, the error, the proposal made). A form only proposes; the
 * proposal card it then shows is where a person confirms.
 */
import { useState } from 'react';

/** The reason and ticket fields' values, and the context they add to a write's input. */
export function useReasonCase(initialReason = '', initialCase = '') {
  const [reason, setReason] = useState(initialReason);
  const [caseId, setCaseId] = useState(initialCase);
  return {
    reason,
    setReason,
    caseId,
    setCaseId,
    /** `{ reason, case_id }` as a write's input takes them. */
    context: () => ({ reason: reason.trim(), case_id: caseId.trim() }),
  };
}

/** The two required fields: "Reason" and "Ticket or case". */
export function ReasonCaseFields({
  fields,
  casePlaceholder = 'T-1042',
}: {
  fields: ReturnType<typeof useReasonCase>;
  casePlaceholder?: string;
}) {
  return (
    <>
      <label className="field">
        Reason
        <input
          required
          maxLength={2000}
          value={fields.reason}
          onChange={(event) => fields.setReason(event.target.value)}
        />
      </label>
      <label className="field">
        Ticket or case
        <input
          required
          maxLength={200}
          value={fields.caseId}
          placeholder={casePlaceholder}
          onChange={(event) => fields.setCaseId(event.target.value)}
        />
      </label>
    </>
  );
}

/** The propose step: `run(post)` posts, keeps the proposal's id, or the error; `busy` while it is on its way. */
export function useProposeStep() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [proposalId, setProposalId] = useState<string | null>(null);
  const run = async (post: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      setProposalId(await post());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, proposalId, run };
}
