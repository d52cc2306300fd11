/**
 * The app shell: restores the session from the refresh cookie (or signs in by magic link), then shows the
 * navigation and the page for the path. What a member is offered follows their role; the server decides.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api, onSessionChange, refreshSession, signOut } from './api.ts';
import { ErrorNote, Loading } from './components/ui.tsx';
import { words } from './format.ts';
import { ApprovalsPage } from './pages/approvals.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ChatPage } from './pages/chat.tsx';
import { CustomerPage } from './pages/customer.tsx';
import { CustomersPage } from './pages/customers.tsx';
import { InsightsPage } from './pages/insights.tsx';
import { LoginPage } from './pages/login.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { TeamPage } from './pages/team.tsx';
import { Link, match, navigate, Router, useRoute } from './router.tsx';
import { adoptSession, type Me, SessionContext, SetSessionContext } from './session.tsx';

// The jobs and webhooks pages load when first opened (they are not on every member's first screen).
const JobsPage = lazy(() => import('./pages/jobs.tsx').then((module) => ({ default: module.JobsPage })));
const WebhooksPage = lazy(() => import('./pages/webhooks.tsx').then((module) => ({ default: module.WebhooksPage })));

/** Links shown only to these roles (the server refuses the others anyway). */
const NAV_ROLES: Record<string, string[]> = { '/jobs': ['owner', 'billing_manager'] };

const NAV: [string, string][] = [
  ['/chat', 'Chat'],
  ['/approvals', 'Approvals'],
  ['/customers', 'Customers'],
  ['/insights', 'Insights'],
  ['/audit', 'Audit'],
  ['/outbound-webhooks', 'Webhooks'], // not /webhooks: the server keeps that for inbound webhooks (Stripe)
  ['/jobs', 'Jobs'],
  ['/team', 'Team & settings'],
  ['/settings', 'Modes & time zone'],
];

function Page() {
  const { path } = useRoute();
  let params: Record<string, string> | null = match('/chat/:id', path);
  if (params) return <ChatPage id={params.id} />;
  params = match('/customers/:id', path);
  if (params) return <CustomerPage id={params.id ?? ''} />;
  switch (path) {
    case '/':
    case '/chat':
      return <ChatPage />;
    case '/approvals':
      return <ApprovalsPage />;
    case '/customers':
      return <CustomersPage />;
    case '/insights':
      return <InsightsPage />;
    case '/audit':
      return <AuditPage />;
    case '/team':
      return <TeamPage />;
    case '/settings':
      return <SettingsPage />;
    case '/outbound-webhooks':
      return (
        <Suspense fallback={<Loading />}>
          <WebhooksPage />
        </Suspense>
      );
    case '/jobs':
      return (
        <Suspense fallback={<Loading />}>
          <JobsPage />
        </Suspense>
      );
    default:
      return (
        <p className="empty">
          No page here. <Link to="/chat">Go to Chat</Link>.
        </p>
      );
  }
}

function Shell({ me }: { me: Me }) {
  const { path } = useRoute();
  const main = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    // After navigating, move focus to the new page's heading so screen readers announce it.
    setMenuOpen(false);
    const heading = main.current?.querySelector('h1');
    if (heading instanceof HTMLElement && document.activeElement !== document.body) heading.focus();
    const title = NAV.find(([to]) => path.startsWith(to))?.[1];
    document.title = title ? `${title} · Leash` : 'Leash';
  }, [path]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/chat" className="brand">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>{' '}
          Leash
        </Link>
        <span className="org muted">{me.org.name}</span>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div className="who">
          <span>
            {me.member.email} <span className="badge badge-plain">{words(me.member.role)}</span>
          </span>
          <button type="button" className="small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="primary-nav" className={`sidebar${menuOpen ? ' open' : ''}`} aria-label="Main">
        <ul>
          {NAV.filter(([to]) => !NAV_ROLES[to] || NAV_ROLES[to].includes(me.member.role)).map(([to, label]) => (
            <li key={to}>
              <Link
                to={to}
                onClick={() => setMenuOpen(false)}
                aria-current={
                  path === to || path.startsWith(`${to}/`) || (to === '/chat' && path === '/') ? 'page' : undefined
                }
              >
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} className="content">
        <Page />
      </main>
    </div>
  );
}

/** The whole dashboard. */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [state, setState] = useState<'starting' | 'signed-out' | 'signed-in'>('starting');
  const [error, setError] = useState<unknown>(null);
  const [loginToken] = useState(() =>
    window.location.pathname === '/login' ? new URLSearchParams(window.location.search).get('token') : null,
  );

  const loadMe = useCallback(async () => {
    try {
      setMe(adoptSession(await api<Me>('GET', '/api/me')));
      setState('signed-in');
    } catch (caught) {
      setError(caught);
      setState('signed-out');
    }
  }, []);

  useEffect(
    () =>
      onSessionChange((member) => {
        if (!member) {
          setMe(null);
          setState('signed-out');
        }
      }),
    [],
  );

  useEffect(() => {
    if (loginToken) {
      setState('signed-out');
      return;
    }
    void refreshSession().then((member) => (member ? loadMe() : setState('signed-out')));
  }, [loginToken, loadMe]);

  if (state === 'starting')
    return (
      <main id="main" className="login">
        <Loading what="Opening Leash" />
      </main>
    );
  if (state === 'signed-out' || !me)
    return (
      <>
        <LoginPage
          token={window.location.pathname === '/login' ? loginToken : null}
          onSignedIn={() => {
            // The token is used up: take it out of the address bar and history.
            navigate('/chat', { replace: true });
            void loadMe();
          }}
        />
        {error ? <ErrorNote error={error} /> : null}
      </>
    );
  return (
    <SessionContext.Provider value={me}>
      <SetSessionContext.Provider value={setMe}>
        <Router>
          <Shell me={me} />
        </Router>
      </SetSessionContext.Provider>
    </SessionContext.Provider>
  );
}
