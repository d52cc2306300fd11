/**
 * The period and currency an insight panel shows. The insight operations take `from`/`to` (YYYY-MM) and a
 * currency; the period is counted back from the month the last answer ended in, which is the billing system's
 * "now" (a demo's clock may run ahead of or behind the browser's), so the window always ends at the latest data.
 */
import { useId } from 'react';

/** Periods offered, in months. */
const PERIODS = [3, 6, 12, 24];

/** What a panel asks for: how many months back, and in which currency (the org's main one when null). */
export interface InsightChoice {
  months: number;
  currency: string | null;
}

/** The operation's input for a choice; `until` is the last answer's window end (ISO), `defaultMonths` its default. */
export function choiceInput(
  choice: InsightChoice,
  defaultMonths: number,
  until: string | undefined,
): Record<string, string> {
  const input: Record<string, string> = {};
  if (choice.currency) input.currency = choice.currency;
  if (until && choice.months !== defaultMonths) {
    const last = new Date(new Date(until).getTime() - 1);
    const from = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (choice.months - 1), 1));
    input.from = from.toISOString().slice(0, 7);
  }
  return input;
}

/** The period picker and, when there is more than one, the currency picker. */
export function InsightControls({
  choice,
  currencies,
  onChange,
}: {
  choice: InsightChoice;
  currencies: string[];
  onChange: (choice: InsightChoice) => void;
}) {
  const id = useId();
  return (
    <div className="insight-controls">
      <label className="field" htmlFor={`${id}-period`}>
        Period
        <select
          id={`${id}-period`}
          value={choice.months}
          onChange={(event) => onChange({ ...choice, months: Number(event.target.value) })}
        >
          {PERIODS.map((months) => (
            <option key={months} value={months}>
              Last {months} months
            </option>
          ))}
        </select>
      </label>
      {currencies.length > 1 ? (
        <label className="field" htmlFor={`${id}-currency`}>
          Currency
          <select
            id={`${id}-currency`}
            value={choice.currency ?? currencies[0]}
            onChange={(event) => onChange({ ...choice, currency: event.target.value })}
          >
            {currencies.map((code) => (
              <option key={code} value={code}>
                {code.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </div>
  );
}
