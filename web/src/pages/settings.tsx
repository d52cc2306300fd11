/**
 * Settings — your time zone (issue 18): the zone every date and time is worded in for you (chat, cards, approval
 * expiry, tables), a select prefilled from the browser's zone as a suggestion and saved only when you say so
 * (`PATCH /api/me`, audited). Then modes (issue 20): the org's preset, a roles × modes grid (Insight / Act / Integrate) and the Act
 * credit limit, as `GET /api/policy/modes` shows them. The owner edits them and *proposes* the change
 * (`POST /api/policy/modes`, set_policy_modes through the gate): the page shows the proposal card with every
 * value before → after, and nothing changes until it is confirmed (or approved, when it turns modes on under
 * short-leash). Other members see the same settings read-only.
 */
import { type FormEvent, useMemo, useState } from 'react';
import { api } from '../api.ts';
import { ProposalCard } from '../components/proposal-card.tsx';
import { ReasonCaseFields, useProposeStep, useReasonCase } from '../components/propose-form.tsx';
import { ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { money, whenZoned, words } from '../format.ts';
import { abilities, adoptSession, type Me, useMe, useSetMe } from '../session.tsx';

/** Old names ICU still lists, as the IANA database names them today (Intl accepts both). */
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
};
const currentName = (zone: string) => CURRENT_NAMES[zone] ?? zone;

/** The zone the browser is in ("Asia/Kolkata"), offered as a suggestion; UTC when it cannot say. */
function browserTimeZone(): string {
  try {
    return currentName(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  } catch {
    return 'UTC';
  }
}

/** Every zone this browser knows, UTC first, with the saved and suggested ones even if it lists them otherwise. */
function zoneChoices(...wanted: (string | null)[]): string[] {
  const known = (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []).map(
    currentName,
  );
  const extra = wanted.filter((zone): zone is string => Boolean(zone) && !known.includes(zone as string));
  return ['UTC', ...new Set([...extra, ...known.sort()].filter((zone) => zone !== 'UTC'))];
}

/** The member's own time zone: shown, suggested from the browser, saved explicitly. */
function TimeZoneSettings() {
  const me = useMe();
  const setMe = useSetMe();
  const suggested = useMemo(browserTimeZone, []);
  const saved = me.member.time_zone;
  const [zone, setZone] = useState(saved ?? suggested);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const choices = useMemo(() => zoneChoices(saved, suggested), [saved, suggested]);

  const save = async (next: string | null) => {
    setBusy(true);
    setError(null);
    setDone('');
    try {
      const updated = await api<Me>('PATCH', '/api/me', { time_zone: next });
      setMe(adoptSession(updated));
      setZone(updated.member.time_zone ?? suggested);
      setDone(
        updated.member.time_zone ? `Saved: times now read in ${updated.time_zone}.` : 'Cleared: times read in UTC.',
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(zone);
  };

  return (
    <form onSubmit={submit} className="card stack" aria-labelledby="time-zone-title">
      <h2 id="time-zone-title">Your time zone</h2>
      <p data-testid="time-zone-now">
        Times are shown in <strong>{me.time_zone}</strong>
        {saved ? '' : ' (none chosen yet)'}: it is now {whenZoned(new Date().toISOString())}.
      </p>
      <label className="field">
        Time zone
        <select value={zone} onChange={(event) => setZone(event.target.value)}>
          {choices.map((name) => (
            <option key={name} value={name}>
              {name.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      {!saved && zone === suggested ? (
        <p className="muted">Suggested from this browser ({suggested}); nothing changes until you save it.</p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || zone === saved}>
          {busy ? 'Saving…' : 'Save time zone'}
        </button>
        {saved ? (
          <button type="button" className="small" disabled={busy} onClick={() => void save(null)}>
            Clear (use UTC)
          </button>
        ) : null}
      </div>
      {done ? (
        <p className="note" role="status">
          {done}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </form>
  );
}

/** The settings as `GET /api/policy/modes` returns them. */
interface ModesView {
  preset: string;
  readable: boolean;
  roles: { role: string; modes: string[] }[];
  members: { email: string; modes: string[] }[];
  act: { kinds: string[] | null; creditLimit: { amount: number; currency: string } | null };
}

const MODES = ['insight', 'act', 'integrate'] as const;
const PRESETS = ['insight-only', 'support-act', 'full', 'custom'] as const;

/** What each preset turns on for every role (domain/modes.ts presetSettings), to preview a pick in the grid. */
const PRESET_MODES: Record<string, string[]> = {
  'insight-only': ['insight'],
  'support-act': ['insight', 'act'],
  full: [...MODES],
};

const MODE_HINTS: Record<string, string> = {
  insight: 'read and export (always on)',
  act: 'tickets, replies, credits, refunds, plan changes',
  integrate: 'catalogue and integrations',
};

type Grid = Record<string, string[]>;

const gridOf = (view: ModesView): Grid => Object.fromEntries(view.roles.map((row) => [row.role, [...row.modes]]));
const dollars = (limit: ModesView['act']['creditLimit']) => (limit ? (limit.amount / 100).toFixed(2) : '');
const modeTitle = (mode: string) => mode.charAt(0).toUpperCase() + mode.slice(1);

/** The request body for what the owner changed: a preset alone, or `custom` with the whole grid. */
function changeBody(view: ModesView, preset: string, grid: Grid, limit: string): Record<string, unknown> | Error {
  const body: Record<string, unknown> = { preset };
  if (preset === 'custom') body.roles = grid;
  if (limit.trim() !== dollars(view.act.creditLimit)) {
    const value = Number(limit.trim().replace(',', '.'));
    if (!limit.trim() || !Number.isFinite(value) || value < 0) return new Error('Enter a credit limit, e.g. 50.00');
    body.credit_limit = { amount: Math.round(value * 100), currency: view.act.creditLimit?.currency ?? 'usd' };
  }
  return body;
}

/** The roles × modes table: checkboxes for the owner, On / Off for everyone else. */
function ModeGrid({
  grid,
  editable,
  onToggle,
}: {
  grid: Grid;
  editable: boolean;
  onToggle: (role: string, mode: string) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="list mode-grid" data-testid="mode-grid">
        <caption className="visually-hidden">Modes on per role</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            {MODES.map((mode) => (
              <th scope="col" key={mode}>
                {modeTitle(mode)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(grid).map(([role, modes]) => (
            <tr key={role}>
              <th scope="row">{words(role)}</th>
              {MODES.map((mode) => (
                <td key={mode}>
                  {editable ? (
                    <input
                      type="checkbox"
                      aria-label={`${modeTitle(mode)} for ${words(role)}`}
                      checked={modes.includes(mode)}
                      disabled={mode === 'insight'}
                      onChange={() => onToggle(role, mode)}
                    />
                  ) : modes.includes(mode) ? (
                    'On'
                  ) : (
                    'Off'
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="plain-list muted">
        {MODES.map((mode) => (
          <li key={mode}>
            <strong>{modeTitle(mode)}</strong>: {MODE_HINTS[mode]}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The owner's form: preset, grid, credit limit, reason and ticket; proposes, then shows the card. */
function ModesEditor({ view, onSettled, onDone }: { view: ModesView; onSettled: () => void; onDone: () => void }) {
  const [preset, setPreset] = useState(view.preset);
  const [grid, setGrid] = useState<Grid>(() => gridOf(view));
  const [limit, setLimit] = useState(() => dollars(view.act.creditLimit));
  const fields = useReasonCase();
  const { busy, error, setError, proposalId, run } = useProposeStep();

  const pickPreset = (next: string) => {
    setPreset(next);
    const modes = PRESET_MODES[next];
    if (modes) setGrid(Object.fromEntries(Object.keys(grid).map((role) => [role, [...modes]])));
  };
  const toggle = (role: string, mode: string) => {
    const modes = grid[role] ?? ['insight'];
    const next = modes.includes(mode)
      ? modes.filter((on) => on !== mode)
      : MODES.filter((on) => on === mode || modes.includes(on));
    setGrid({ ...grid, [role]: next });
    setPreset('custom');
  };
  const propose = async (event: FormEvent) => {
    event.preventDefault();
    const body = changeBody(view, preset, grid, limit);
    if (body instanceof Error) return setError(body);
    await run(
      async () =>
        (await api<{ proposal: { id: string } }>('POST', '/api/policy/modes', { ...body, ...fields.context() }))
          .proposal.id,
    );
  };

  if (proposalId)
    return (
      <section className="stack" aria-label="Proposed change of modes">
        <ProposalCard id={proposalId} onSettled={onSettled} />
        <div className="actions">
          <button type="button" className="small" onClick={onDone}>
            Back to the settings
          </button>
        </div>
      </section>
    );
  return (
    <form onSubmit={propose} className="card stack" aria-labelledby="modes-edit-title">
      <h2 id="modes-edit-title">Change the modes</h2>
      <label className="field">
        Preset
        <select value={preset} onChange={(event) => pickPreset(event.target.value)}>
          {PRESETS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <ModeGrid grid={grid} editable onToggle={toggle} />
      <label className="field">
        Act credit limit in {(view.act.creditLimit?.currency ?? 'usd').toUpperCase()}
        <input
          inputMode="decimal"
          placeholder="no limit"
          value={limit}
          onChange={(event) => setLimit(event.target.value)}
          autoComplete="off"
        />
      </label>
      <ReasonCaseFields fields={fields} casePlaceholder="ROLLOUT-1" />
      <p className="muted">
        This proposes the change: you see every value before → after and the policy's decision first.
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Proposing…' : 'Propose change'}
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

/** The settings as they are now, for everyone. */
function CurrentModes({ view, showGrid }: { view: ModesView; showGrid: boolean }) {
  const limit = view.act.creditLimit;
  return (
    <section className="card" aria-labelledby="modes-now-title">
      <h2 id="modes-now-title">In force</h2>
      {view.readable ? null : (
        <p className="note note-error" role="alert">
          The stored modes could not be read: everyone has Insight only until the owner sets them again.
        </p>
      )}
      <dl className="facts">
        <dt>Preset</dt>
        <dd data-testid="mode-preset">{view.preset}</dd>
        <dt>Act credit limit</dt>
        <dd data-testid="mode-credit-limit">{limit ? money(limit.amount, limit.currency) : 'No limit'}</dd>
        <dt>Act allows</dt>
        <dd>{view.act.kinds ? view.act.kinds.map(words).join(', ') : 'Every Act action'}</dd>
        {view.members.length > 0 ? (
          <>
            <dt>Member overrides</dt>
            <dd>
              {view.members.map((member) => `${member.email}: ${member.modes.map(modeTitle).join(', ')}`).join('; ')}
            </dd>
          </>
        ) : null}
      </dl>
      {showGrid ? <ModeGrid grid={gridOf(view)} editable={false} onToggle={() => {}} /> : null}
    </section>
  );
}

/** The settings page: modes in force, and the owner's editor. */
export function SettingsPage() {
  const me = useMe();
  const owner = abilities(me).admin;
  const modes = useLoad(() => api<ModesView>('GET', '/api/policy/modes'), []);
  // A new round shows a fresh editor on the settings in force (after the owner is done with a proposal).
  const [round, setRound] = useState(0);
  const again = () => {
    void modes.reload();
    setRound(round + 1);
  };
  return (
    <>
      <PageHeader title="Settings">
        Your time zone is yours alone. Modes turn Leash on in stages: Insight, then Act, then Integrate. A mode that is
        off blocks its actions whatever the role allows.{owner ? '' : ' Only the owner can change them.'}
      </PageHeader>
      <TimeZoneSettings />
      {modes.loading && !modes.data ? <Loading what="Loading the modes" /> : null}
      <ErrorNote error={modes.error} />
      {modes.data ? (
        <div className="stack">
          <CurrentModes view={modes.data} showGrid={!owner} />
          {owner ? (
            <ModesEditor key={round} view={modes.data} onSettled={() => void modes.reload()} onDone={again} />
          ) : null}
        </div>
      ) : null}
    </>
  );
}
