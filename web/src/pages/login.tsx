/**
 * Sign in by magic link. Opening the emailed link lands here with its token; pressing Sign in redeems it (a
 * press, not a page load, so mail scanners that open links do not use it up). Without a token: ask for a link.
 */
import { type FormEvent, useState } from 'react';
import { redeemLink, requestLink } from '../api.ts';
import { ErrorNote } from '../components/ui.tsx';

/** The sign-in page; `token` is the magic link's, when there is one. */
export function LoginPage({ token, onSignedIn }: { token: string | null; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const redeem = async () => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      await redeemLink(token);
      onSignedIn();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSent(await requestLink(email));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <div className="login-card card">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">L</span> Leash
        </p>
        <h1>Sign in to Leash</h1>
        {token ? (
          <>
            <p>This link signs you in once. Press the button to continue.</p>
            <button type="button" className="primary wide" onClick={redeem} disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            {error ? (
              <p className="muted">
                Links work once and for 15 minutes. <a href="/login">Ask for a new link</a>.
              </p>
            ) : null}
          </>
        ) : (
          <form onSubmit={ask} className="stack">
            <label className="field">
              Work email
              <input
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(event) => setEmail(event.target.value)}
              />
            </label>
            <button type="submit" className="primary wide" disabled={busy}>
              {busy ? 'Sending…' : 'Email me a sign-in link'}
            </button>
            <p className="muted" data-testid="link-where">
              The link arrives by email. A development server without email set up prints it instead, in its log (the
              “sign-in link for” line) in the terminal running <code>leash start</code>.
            </p>
            {sent ? (
              <p role="status" className="note note-info">
                {sent}. Look in your inbox, or in the terminal running <code>leash start</code> in development.
              </p>
            ) : null}
          </form>
        )}
        <ErrorNote error={error} />
      </div>
    </main>
  );
}
