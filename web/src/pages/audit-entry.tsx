/**
 * One audit entry as the log page lists it: a summary line a person reads at a glance (kind, outcome, who, which
 * customer by name, the money at stake, when) and, opened, everything the row holds, hashes included.
 */
import { Badge } from '../components/ui.tsx';
import { money, when, words } from '../format.ts';
import { Link } from '../router.tsx';

/** An audit entry as GET /api/audit returns it. */
export interface AuditEntry {
  id: string;
  seq: number;
  at: string;
  event: string;
  actorEmail: string | null;
  actorRole: string | null;
  channel: string;
  operation: string | null;
  customerId: string | null;
  customerName: string | null;
  amount: { amount: number; currency: string } | null;
  proposalId: string | null;
  arguments: unknown;
  decision: { outcome?: string; reasons?: { message: string }[] } | null;
  result: unknown;
  userInput: string | null;
  prevHash: string;
  hash: string;
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** A list item: the entry's summary, its details on opening. */
export function AuditEntryItem({ entry }: { entry: AuditEntry }) {
  const customer = entry.customerName ?? entry.customerId;
  return (
    <li data-audit-entry={entry.seq}>
      <details>
        <summary>
          <span className="seq">#{entry.seq}</span>
          <span className="audit-event">{entry.event}</span>
          {entry.decision?.outcome ? <Badge status={entry.decision.outcome} /> : null}
          {entry.operation ? <span>{words(entry.operation)}</span> : null}
          {customer ? <span className="audit-customer">{customer}</span> : null}
          {entry.amount ? <span className="num">{money(entry.amount.amount, entry.amount.currency)}</span> : null}
          <span className="muted">
            {entry.actorEmail ?? 'system'} · {when(entry.at)}
          </span>
        </summary>
        <dl className="facts">
          <Fact term="Actor">
            {entry.actorEmail ?? 'system'} {entry.actorRole ? `(${words(entry.actorRole)})` : ''} via {entry.channel}
          </Fact>
          {entry.customerId ? (
            <Fact term="Customer">
              <Link to={`/customers/${entry.customerId}`}>{customer}</Link> <code>{entry.customerId}</code>
            </Fact>
          ) : null}
          {entry.amount ? <Fact term="Amount">{money(entry.amount.amount, entry.amount.currency)}</Fact> : null}
          {entry.proposalId ? (
            <Fact term="Proposal">
              <code>{entry.proposalId}</code>
            </Fact>
          ) : null}
          {entry.userInput ? <Fact term="Asked">“{entry.userInput}”</Fact> : null}
          {entry.decision?.reasons?.length ? (
            <Fact term="Reasons">{entry.decision.reasons.map((reason) => reason.message).join('; ')}</Fact>
          ) : null}
          <Fact term="Arguments">
            <pre>{JSON.stringify(entry.arguments, null, 2)}</pre>
          </Fact>
          {entry.result ? (
            <Fact term="Result">
              <pre>{JSON.stringify(entry.result, null, 2)}</pre>
            </Fact>
          ) : null}
          <Fact term="Hash">
            <code className="hash">{entry.hash}</code>
            <br />
            <span className="muted">after</span> <code className="hash">{entry.prevHash}</code>
          </Fact>
        </dl>
      </details>
    </li>
  );
}
