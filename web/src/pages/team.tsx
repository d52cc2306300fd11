/**
 * Team and settings: members with roles and approver groups (the owner invites and changes roles, through the
 * gate), API keys (the key is shown once), the policy profile in force, and the Stripe connection.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { Badge, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { when, words } from '../format.ts';
import { abilities, useMe } from '../session.tsx';
import { StripeSettings } from './stripe-settings.tsx';

const ROLES = ['billing_manager', 'billing_clerk', 'read_only'];
const GROUPS = ['finance', 'support_lead', 'legal', 'founder'];

interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
  groups: string[];
}

interface Proposed {
  proposal: { status: string; next: string };
  execution: { status: string } | null;
  invite?: { delivery: string; expires_at: string } | null;
}

function outcomeText(result: Proposed): string {
  if (result.execution?.status === 'succeeded')
    return result.invite
      ? `Done: the invite was ${result.invite.delivery === 'sent' ? 'emailed' : 'logged by the server'}.`
      : 'Done.';
  return `Not done yet: ${result.proposal.next}.`;
}

function Invite({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('billing_clerk');
  const [groups, setGroups] = useState<string[]>([]);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(outcomeText(await api<Proposed>('POST', '/api/members', { email, role, groups })));
      setEmail('');
      onDone();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a member</h2>
      <label className="field">
        Email
        <input type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label className="field">
        Role
        <select value={role} onChange={(event) => setRole(event.target.value)}>
          {ROLES.map((value) => (
            <option key={value} value={value}>
              {words(value)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="field">
        <legend>Approver groups</legend>
        {GROUPS.map((group) => (
          <label key={group} className="check">
            <input
              type="checkbox"
              checked={groups.includes(group)}
              onChange={(event) =>
                setGroups((previous) =>
                  event.target.checked ? [...previous, group] : previous.filter((value) => value !== group),
                )
              }
            />
            {words(group)}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Send invite
      </button>
      {result ? <p role="status">{result}</p> : null}
      <ErrorNote error={error} />
    </form>
  );
}

function RoleEditor({ member, onDone }: { member: Member; onDone: () => void }) {
  const [role, setRole] = useState(member.role);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      setMessage(
        outcomeText(await api<Proposed>('PATCH', `/api/members/${encodeURIComponent(member.email)}`, { role })),
      );
      onDone();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <span className="inline-form">
      <label className="visually-hidden" htmlFor={`role-${member.id}`}>
        Role of {member.email}
      </label>
      <select id={`role-${member.id}`} value={role} onChange={(event) => setRole(event.target.value)}>
        {ROLES.map((value) => (
          <option key={value} value={value}>
            {words(value)}
          </option>
        ))}
      </select>
      <button type="button" className="small" disabled={role === member.role} onClick={save}>
        Change role
      </button>
      {message ? <span role="status"> {message}</span> : null}
      <ErrorNote error={error} />
    </span>
  );
}

function ApiKeys() {
  const keys = useLoad(
    () =>
      api<{
        keys: {
          id: string;
          name: string;
          prefix: string;
          createdAt: string;
          lastUsedAt: string | null;
          revokedAt: string | null;
        }[];
      }>('GET', '/api/keys'),
    [],
  );
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const answer = await api<{ key: string }>('POST', '/api/keys', { name });
      setCreated(answer.key);
      setName('');
      void keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api('DELETE', `/api/keys/${id}`);
      void keys.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section className="card stack" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">A key acts as you, with your role at each use: for scripts and MCP clients.</p>
      <form className="inline-form" onSubmit={create}>
        <label className="field">
          Key name
          <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
      {created ? (
        <div className="note note-info" role="status">
          <p>Copy this key now: it is shown once and cannot be shown again.</p>
          <code className="secret">{created}</code>
          <button type="button" className="small" onClick={() => void navigator.clipboard?.writeText(created)}>
            Copy
          </button>
        </div>
      ) : null}
      <ErrorNote error={error ?? keys.error} />
      {keys.loading && !keys.data ? <Loading /> : null}
      <ul className="plain-list">
        {keys.data?.keys.map((key) => (
          <li key={key.id}>
            <strong>{key.name}</strong> <code>{key.prefix}…</code>{' '}
            <span className="muted">
              created {when(key.createdAt, true)}
              {key.lastUsedAt ? `, last used ${when(key.lastUsedAt)}` : ', never used'}
            </span>{' '}
            {key.revokedAt ? (
              <Badge status="revoked" />
            ) : (
              <button type="button" className="small danger" onClick={() => void revoke(key.id)}>
                Revoke<span className="visually-hidden"> {key.name}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The team and settings page. */
export function TeamPage() {
  const me = useMe();
  const can = abilities(me);
  const members = useLoad(() => api<{ members: Member[] }>('GET', '/api/members'), []);
  return (
    <>
      <PageHeader title="Team and settings">
        {me.org.name} · policy profile in force:{' '}
        <strong data-testid="policy-profile">{words(me.org.policy_profile)}</strong>
      </PageHeader>
      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.loading && !members.data ? <Loading /> : null}
        <ErrorNote error={members.error} />
        <div className="table-scroll">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Approver groups</th>
              </tr>
            </thead>
            <tbody>
              {members.data?.members.map((member) => (
                <tr key={member.id}>
                  <th scope="row">
                    {member.name}
                    <br />
                    <span className="muted">{member.email}</span>
                  </th>
                  <td>
                    {can.admin && member.role !== 'owner' ? (
                      <RoleEditor member={member} onDone={() => void members.reload()} />
                    ) : (
                      words(member.role)
                    )}
                  </td>
                  <td>{member.groups.length ? member.groups.map(words).join(', ') : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div className="grid-2">
        {can.admin ? <Invite onDone={() => void members.reload()} /> : null}
        <ApiKeys />
        <StripeSettings />
      </div>
    </>
  );
}
