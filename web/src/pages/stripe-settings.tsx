/** The Stripe connection: status for everyone; connect, rotate and disconnect for the owner. The key is never shown. */
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { Badge, ErrorNote, Loading, useLoad } from '../components/ui.tsx';
import { when, words } from '../format.ts';
import { abilities, useMe } from '../session.tsx';

interface Integration {
  status: string;
  mode: string | null;
  keyHint: string | null;
  permissions: string[];
  connectedAt: string | null;
  webhooks: boolean;
  billing: 'ledger' | 'stripe';
  lastSyncedAt: string | null;
}

/** The Stripe card of the settings page. */
export function StripeSettings() {
  const me = useMe();
  const state = useLoad(() => api<{ integration: Integration }>('GET', '/api/integrations/stripe'), []);
  const [key, setKey] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [syncing, setSyncing] = useState(false);
  const [synced, setSynced] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const integration = state.data?.integration;
  const connect = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/integrations/stripe', {
        key,
        ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
      });
      void state.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      // The key and the secret leave the page whatever happened.
      setKey('');
      setWebhookSecret('');
      setBusy(false);
    }
  };
  const sync = async () => {
    setSyncing(true);
    setError(null);
    setSynced(null);
    try {
      const { sync: report } = await api<{
        sync: { backfill: { objects: number } | null; events: number; eventsApplied: number };
      }>('POST', '/api/integrations/stripe/sync', {});
      setSynced(
        report.backfill
          ? `Listed ${report.backfill.objects} objects; applied ${report.eventsApplied} of ${report.events} new events.`
          : `Applied ${report.eventsApplied} of ${report.events} new events.`,
      );
      void state.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setSyncing(false);
    }
  };
  const disconnect = async () => {
    setError(null);
    try {
      await api('DELETE', '/api/integrations/stripe');
      void state.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section className="card stack" aria-labelledby="stripe-title">
      <h2 id="stripe-title">Stripe</h2>
      {state.loading && !integration ? <Loading /> : null}
      <ErrorNote error={state.error} />
      {integration ? (
        <p data-testid="stripe-status">
          <Badge status={integration.status === 'connected' ? 'connected' : 'plain'}>{words(integration.status)}</Badge>{' '}
          {integration.status === 'connected'
            ? `${integration.mode} mode, key ending ${integration.keyHint}, since ${when(integration.connectedAt, true)}. Permissions: ${integration.permissions.join(', ')}.`
            : 'Billing runs on the embedded ledger.'}
        </p>
      ) : null}
      {integration?.status === 'connected' ? (
        <p data-testid="stripe-sync">
          {integration.billing === 'stripe'
            ? `Billing runs on the Stripe mirror, last synced ${when(integration.lastSyncedAt, true)}.`
            : 'Billing still runs on the embedded ledger until the first sync: run `leash sync stripe`.'}{' '}
          {integration.webhooks
            ? 'Webhooks: signing secret stored; deliveries to /webhooks/stripe keep the mirror current.'
            : 'Webhooks: no signing secret yet (`leash connect stripe --webhook-secret whsec_…`); until then the mirror catches up at each sync.'}
        </p>
      ) : null}
      {integration?.status === 'connected' && abilities(me).sync ? (
        <div className="stack">
          <button type="button" onClick={() => void sync()} disabled={syncing}>
            {syncing ? 'Syncing with Stripe…' : 'Sync now'}
          </button>
          {synced ? (
            <p role="status" className="muted">
              {synced}
            </p>
          ) : null}
        </div>
      ) : null}
      {abilities(me).admin ? (
        <>
          <form className="stack" onSubmit={connect}>
            <label className="field">
              Restricted key (
              {integration?.status === 'connected' ? 'connecting again rotates it' : 'rk_live_… or rk_test_…'})
              <input
                type="password"
                required
                autoComplete="off"
                spellCheck={false}
                value={key}
                onChange={(event) => setKey(event.target.value)}
              />
            </label>
            <label className="field">
              Webhook signing secret (optional, whsec_…: Stripe dashboard → Developers → Webhooks → your endpoint)
              <input
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={webhookSecret}
                onChange={(event) => setWebhookSecret(event.target.value)}
              />
            </label>
            <p className="muted small-text">
              Secret (sk_) and publishable (pk_) keys are refused. The key is checked for the permissions Leash needs,
              then stored encrypted; only its last four characters are ever shown.
            </p>
            <button type="submit" className="primary" disabled={busy || !key}>
              {busy ? 'Checking the key…' : integration?.status === 'connected' ? 'Rotate key' : 'Connect Stripe'}
            </button>
          </form>
          {integration?.status === 'connected' ? (
            <button type="button" className="danger" onClick={() => void disconnect()}>
              Disconnect Stripe
            </button>
          ) : null}
        </>
      ) : (
        <p className="muted">Only the owner connects or disconnects Stripe.</p>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
