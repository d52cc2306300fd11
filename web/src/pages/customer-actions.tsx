/**
 * The customer page's row actions: refund this payment, credit or retry this invoice, cancel or change this
 * subscription. An action only *proposes* (POST /api/operations/{write}) with the member's reason and case, then
 * shows the same proposal card as chat: the server's preview and policy decision, Confirm for the member's own
 * PASS, or who must approve. Nothing here executes anything. Also the copy button for ids.
 */
import { type FormEvent, useState } from 'react';
import { api, read } from '../api.ts';
import { ProposalCard } from '../components/proposal-card.tsx';
import { ReasonCaseFields, useProposeStep, useReasonCase } from '../components/propose-form.tsx';
import { ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { money } from '../format.ts';

/** An action a row offers: the write it proposes and the fixed part of its input. */
export interface RowAction {
  /** What the button and the form's heading say, e.g. "Refund ch_…". */
  title: string;
  operation: 'refund_charge' | 'create_credit_note' | 'retry_invoice' | 'cancel_subscription' | 'change_plan';
  input: Record<string, unknown>;
  /** Ask for an amount (major units in the form, minor units sent); `optional`: empty means "all of it". */
  amount?: { currency: string; max: number; optional?: boolean };
  /** Ask whether to cancel now or at the period's end. */
  cancel?: boolean;
  /** Ask for the price to change to. */
  changePrice?: { currency: string; current: string[] };
}

interface PlanChoice {
  product: { name: string };
  prices: {
    id: string;
    nickname: string | null;
    currency: string;
    unitAmount: number | null;
    interval: string | null;
  }[];
}

function minorUnits(text: string, currency: string): number | null {
  const value = Number(text.replace(',', '.'));
  if (!Number.isFinite(value) || value <= 0) return null;
  const digits = currency.toLowerCase() === 'jpy' ? 0 : 2;
  return Math.round(value * 10 ** digits);
}

function PriceChoice({
  currency,
  current,
  value,
  onChange,
}: {
  currency: string;
  current: string[];
  value: string;
  onChange: (price: string) => void;
}) {
  const plans = useLoad(() => read<{ plans: PlanChoice[] }>('list_plans', {}), []);
  if (!plans.data) return plans.loading ? <Loading what="Loading plans" /> : <ErrorNote error={plans.error} />;
  const options = plans.data.plans.flatMap((plan) =>
    plan.prices
      .filter((price) => price.currency === currency && !current.includes(price.id))
      .map((price) => ({
        id: price.id,
        label: `${plan.product.name} — ${price.nickname ?? price.id}${
          price.unitAmount !== null
            ? ` (${money(price.unitAmount, price.currency)}${price.interval ? `/${price.interval}` : ''})`
            : ''
        }`,
      })),
  );
  return (
    <label className="field">
      New price
      <select required value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">Choose a price…</option>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The form of one action, then its proposal card once proposed. */
export function ActionPanel({
  action,
  caseHint,
  onClose,
}: {
  action: RowAction;
  caseHint: string;
  onClose: () => void;
}) {
  const [amount, setAmount] = useState('');
  const fields = useReasonCase('', caseHint);
  const [atPeriodEnd, setAtPeriodEnd] = useState(true);
  const [price, setPrice] = useState('');
  const { busy, error, setError, proposalId, run } = useProposeStep();

  const propose = async (event: FormEvent) => {
    event.preventDefault();
    const input: Record<string, unknown> = { ...action.input, ...fields.context() };
    if (action.amount && amount.trim()) {
      const minor = minorUnits(amount.trim(), action.amount.currency);
      if (minor === null) {
        setError(new Error('Enter an amount above zero, e.g. 12.50'));
        return;
      }
      input.amount = minor;
    }
    if (action.cancel) input.at_period_end = atPeriodEnd;
    if (action.changePrice) input.price_id = price;
    await run(async () => (await api<{ id: string }>('POST', `/api/operations/${action.operation}`, input)).id);
  };

  return (
    <section className="card page-proposal" aria-label={action.title} data-testid="row-action">
      <header className="card-head">
        <h2>{action.title}</h2>
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </header>
      {proposalId ? (
        <ProposalCard id={proposalId} />
      ) : (
        <form onSubmit={propose} className="stack">
          <p className="muted">
            This proposes the change: you see the preview and the policy's decision before anything happens.
          </p>
          {action.amount ? (
            <label className="field">
              Amount in {action.amount.currency.toUpperCase()}
              {action.amount.optional ? ` (empty: all ${money(action.amount.max, action.amount.currency)})` : ''}
              <input
                inputMode="decimal"
                value={amount}
                required={!action.amount.optional}
                onChange={(event) => setAmount(event.target.value)}
                autoComplete="off"
              />
            </label>
          ) : null}
          {action.cancel ? (
            <label className="field-inline">
              <input type="checkbox" checked={atPeriodEnd} onChange={(event) => setAtPeriodEnd(event.target.checked)} />
              At the end of the current period (unchecked: now, which cannot be undone)
            </label>
          ) : null}
          {action.changePrice ? (
            <PriceChoice
              currency={action.changePrice.currency}
              current={action.changePrice.current}
              value={price}
              onChange={setPrice}
            />
          ) : null}
          <ReasonCaseFields fields={fields} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Proposing…' : 'Propose'}
            </button>
          </div>
          <ErrorNote error={error} />
        </form>
      )}
    </section>
  );
}

/** An id with a button that copies it. */
export function CopyId({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <span className="copy-id">
      <code>{id}</code>
      <button type="button" className="copy small" onClick={copy} aria-label={`Copy ${id}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
