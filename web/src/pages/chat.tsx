/**
 * Chat with Leash: the answer streams in as the server runs the turn (each look-up and proposal as it happens,
 * a model's words as they come), insight answers draw their chart, and every proposal shows as a card with the
 * server's preview. Conversations are listed and resumable.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { api, streamTurn } from '../api.ts';
import { Chart, type ChartSpec } from '../components/chart.tsx';
import { ProposalCard } from '../components/proposal-card.tsx';
import { Badge, ErrorNote, Loading, PageHeader, useLoad } from '../components/ui.tsx';
import { relative, words } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { abilities, useMe } from '../session.tsx';

interface Call {
  operation: string;
  outcome: string;
  proposal?: {
    id: string;
    status: string;
    summary: string;
    next: string;
    number?: number;
    untrusted_context?: boolean;
    untrusted_sources?: string[];
  };
  error?: { code: string; message: string };
  result?: unknown;
}

interface Turn {
  id: string;
  request: string;
  reply: string;
  calls: Call[];
  chart: ChartSpec | null;
}

interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

const EXAMPLES = [
  'Was Acme Corp charged twice?',
  'Why did MRR drop last week? Break it down by new, expansion, contraction, and churned',
  'What is the payment failure rate by region this month?',
  'Show me all customers with overdue invoices',
];

function currencyOf(calls: Call[]): string | undefined {
  for (const call of calls) {
    const currency = (call.result as { currency?: unknown } | undefined)?.currency;
    if (typeof currency === 'string') return currency;
  }
  return undefined;
}

function TurnView({ turn, pending }: { turn: Turn; pending?: boolean }) {
  const proposals = turn.calls.filter((call) => call.proposal);
  return (
    <li className="turn">
      <div className="bubble bubble-me">
        <span className="visually-hidden">You asked: </span>
        {turn.request}
      </div>
      <div className="bubble bubble-leash" aria-busy={pending ? 'true' : 'false'}>
        <span className="visually-hidden">Leash answered: </span>
        {turn.calls.length > 0 ? (
          <ul className="calls" aria-label="What Leash did">
            {turn.calls.map((call, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: calls are an append-only list of one turn.
              <li key={index}>
                <Badge status={call.outcome}>{call.outcome === 'read' ? 'looked up' : call.outcome}</Badge>{' '}
                {words(call.operation)}
                {call.error ? <span className="muted"> — {call.error.message}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {turn.reply ? <p className="reply">{turn.reply}</p> : pending ? <Loading what="Working" /> : null}
        {turn.chart ? <Chart spec={turn.chart} title={turn.request} currency={currencyOf(turn.calls)} /> : null}
        {pending
          ? null
          : proposals.map((call) => (
              <ProposalCard
                key={call.proposal?.id}
                id={call.proposal?.id ?? ''}
                number={call.proposal?.number}
                untrusted={call.proposal?.untrusted_context ? (call.proposal.untrusted_sources ?? []) : undefined}
              />
            ))}
      </div>
    </li>
  );
}

/** The chat page, optionally resuming conversation `id`. */
export function ChatPage({ id }: { id?: string }) {
  const me = useMe();
  const list = useLoad(() => api<{ conversations: ConversationSummary[] }>('GET', '/api/conversations?limit=50'), []);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [pending, setPending] = useState<Turn | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [sendError, setSendError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const bottom = useRef<HTMLDivElement>(null);
  const conversationId = useRef<string | undefined>(id);

  useEffect(() => {
    conversationId.current = id;
    setLoadError(null);
    if (!id) {
      setTurns([]);
      return;
    }
    api<{ turns: Turn[] }>('GET', `/api/conversations/${id}`)
      .then((body) => setTurns(body.turns))
      .catch(setLoadError);
  }, [id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when something new is on screen.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [turns.length, pending?.reply, pending?.calls.length]);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = message.trim();
    if (!text || pending) return;
    setSendError(null);
    let turn: Turn = { id: 'pending', request: text, reply: '', calls: [], chart: null };
    setPending(turn);
    setMessage('');
    const path = conversationId.current
      ? `/api/conversations/${conversationId.current}/messages`
      : '/api/conversations';
    try {
      for await (const { event: kind, data } of streamTurn(path, { message: text })) {
        if (kind === 'call') turn = { ...turn, calls: [...turn.calls, data as Call] };
        else if (kind === 'text') turn = { ...turn, reply: turn.reply + (data as { delta: string }).delta };
        else if (kind === 'error') throw new Error((data as { error: { message: string } }).error.message);
        else if (kind === 'done') {
          const done = data as {
            conversation_id: string;
            turn_id: string;
            reply: string;
            calls: Call[];
            chart: ChartSpec | null;
          };
          turn = { id: done.turn_id, request: text, reply: done.reply, calls: done.calls, chart: done.chart };
          setTurns((previous) => [...previous, turn]);
          setPending(null);
          if (conversationId.current !== done.conversation_id) {
            conversationId.current = done.conversation_id;
            window.history.replaceState(null, '', `/chat/${done.conversation_id}`);
          }
          void list.reload();
          return;
        }
        setPending(turn);
      }
      setPending(null);
    } catch (caught) {
      setPending(null);
      setMessage(text);
      setSendError(caught);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <div className="chat-layout">
      <nav className="conversations" aria-label="Conversations">
        <div className="conversations-head">
          <h2>Conversations</h2>
          <button type="button" onClick={() => navigate('/chat')} className="small">
            New chat
          </button>
        </div>
        {list.loading && !list.data ? <Loading /> : null}
        <ErrorNote error={list.error} />
        <ul>
          {list.data?.conversations.map((conversation) => (
            <li key={conversation.id}>
              <Link
                to={`/chat/${conversation.id}`}
                aria-current={conversation.id === (conversationId.current ?? id) ? 'page' : undefined}
              >
                <span className="conversation-title">{conversation.title}</span>
                <span className="muted small-text">{relative(conversation.updatedAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
        {list.data && list.data.conversations.length === 0 ? <p className="muted">No conversations yet.</p> : null}
      </nav>
      <section className="chat" aria-label="Chat">
        <PageHeader title="Chat">
          Ask for billing work in plain language. Look-ups run at once; changes come back as proposals with the server's
          preview. {abilities(me).write ? '' : 'As a read-only member you can ask and look, not change.'}
        </PageHeader>
        <ErrorNote error={loadError} />
        {turns.length === 0 && !pending ? (
          <div className="examples">
            <p>Try:</p>
            <ul>
              {EXAMPLES.map((example) => (
                <li key={example}>
                  <button type="button" className="link-button" onClick={() => setMessage(example)}>
                    {example}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <ol className="turns" aria-live="polite">
          {turns.map((turn) => (
            <TurnView key={turn.id} turn={turn} />
          ))}
          {pending ? <TurnView turn={pending} pending /> : null}
        </ol>
        <div ref={bottom} />
        <form className="composer" onSubmit={send}>
          <label htmlFor="chat-message" className="visually-hidden">
            Message to Leash
          </label>
          <textarea
            id="chat-message"
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            onKeyDown={onKeyDown}
            rows={2}
            maxLength={4000}
            placeholder="e.g. Refund the duplicate charge for Acme Corp"
          />
          <button type="submit" className="primary" disabled={!message.trim() || pending !== null}>
            {pending ? 'Working…' : 'Send'}
          </button>
        </form>
        <ErrorNote error={sendError} />
      </section>
    </div>
  );
}
