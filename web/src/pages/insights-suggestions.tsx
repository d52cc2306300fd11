/**
 * An insight's suggested next steps (issue 21): each with why, and a button that opens the normal proposal for it
 * — the member adds their case, Leash proposes the suggestion's operation and input (POST /api/operations/{write})
 * and the proposal card shows the preview and the policy's decision. Nothing runs until it is confirmed there.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ProposalCard } from '../components/proposal-card.tsx';
import { ErrorNote } from '../components/ui.tsx';

/** A suggested next step, as an insight answer carries it. */
export interface Suggestion {
  text: string;
  operation: string;
  input: Record<string, unknown>;
  why: string;
}

function SuggestionItem({ suggestion, index }: { suggestion: Suggestion; index: number }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState(typeof suggestion.input.reason === 'string' ? suggestion.input.reason : '');
  const [caseId, setCaseId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [proposalId, setProposalId] = useState<string | null>(null);

  const propose = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const proposal = await api<{ id: string }>('POST', `/api/operations/${suggestion.operation}`, {
        ...suggestion.input,
        reason: reason.trim(),
        case_id: caseId.trim(),
      });
      setProposalId(proposal.id);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li data-testid="suggestion">
      <p>
        <strong>{suggestion.text}</strong>
      </p>
      <p className="muted">{suggestion.why}</p>
      {proposalId ? (
        <ProposalCard id={proposalId} />
      ) : open ? (
        <form onSubmit={propose} className="stack" aria-label={`Propose suggestion ${index + 1}`}>
          <label className="field">
            <span>Reason</span>
            <input value={reason} onChange={(event) => setReason(event.target.value)} required maxLength={2000} />
          </label>
          <label className="field">
            <span>Case or ticket</span>
            <input
              value={caseId}
              onChange={(event) => setCaseId(event.target.value)}
              placeholder="T-1042"
              required
              maxLength={200}
            />
          </label>
          {error ? <ErrorNote error={error} /> : null}
          <div className="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Proposing…' : 'Propose'}
            </button>
            <button type="button" className="small" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="small" onClick={() => setOpen(true)}>
          Propose this ({suggestion.operation})
        </button>
      )}
    </li>
  );
}

/** "Suggested next steps", or nothing when the answer has none. */
export function Suggestions({ items }: { items: Suggestion[] | undefined }) {
  if (!items || items.length === 0) return null;
  return (
    <div className="suggestions">
      <h3>Suggested next steps</h3>
      <ol>
        {items.map((suggestion, index) => (
          <SuggestionItem
            key={`${suggestion.operation}:${JSON.stringify(suggestion.input)}`}
            suggestion={suggestion}
            index={index}
          />
        ))}
      </ol>
    </div>
  );
}
