/**
 * An insight's suggested next steps (issue 21): each with why, and a button that opens the normal proposal for it
 * — the member adds their case, Leash proposes the suggestion's operation and input (POST /api/operations/{write})
 * and the proposal card shows the preview and the policy's decision. Nothing runs until it is confirmed there.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ProposalCard } from '../components/proposal-card.tsx';
import { ReasonCaseFields, useProposeStep, useReasonCase } from '../components/propose-form.tsx';
import { ErrorNote } from '../components/ui.tsx';
import { words } from '../format.ts';

/** A suggested next step, as an insight answer carries it. */
export interface Suggestion {
  text: string;
  operation: string;
  input: Record<string, unknown>;
  why: string;
}

function SuggestionItem({ suggestion, index }: { suggestion: Suggestion; index: number }) {
  const [open, setOpen] = useState(false);
  const fields = useReasonCase(typeof suggestion.input.reason === 'string' ? suggestion.input.reason : '');
  const { busy, error, proposalId, run } = useProposeStep();

  const propose = (event: FormEvent) => {
    event.preventDefault();
    void run(
      async () =>
        (
          await api<{ id: string }>('POST', `/api/operations/${suggestion.operation}`, {
            ...suggestion.input,
            ...fields.context(),
          })
        ).id,
    );
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
          <ReasonCaseFields fields={fields} />
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
          Propose this ({words(suggestion.operation)})
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
