/**
 * The dashboard's only way to the server: the HTTP API. The access token lives in memory (never localStorage);
 * the refresh cookie (httpOnly, path /api/auth) brings a session back after a reload. Errors arrive as the API's
 * `{ error: { code, message } }` and are thrown as `ApiError` with that message.
 */

/** The signed-in member, as the session endpoints return it. */
export interface SessionMember {
  id: string;
  email: string;
  role: string;
  groups: string[];
}

/** An error the API answered with. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

interface SessionAnswer {
  access_token: string;
  expires_at: string;
  member: SessionMember;
}

let accessToken: string | null = null;
let refreshing: Promise<SessionMember | null> | null = null;
const listeners = new Set<(member: SessionMember | null) => void>();

/** Calls `listener` whenever the session starts or ends. */
export function onSessionChange(listener: (member: SessionMember | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// A hint, not a secret: whether this browser held a session, so a signed-out first visit does not ask the
// server to refresh a cookie it never had (a 401 that the browser logs as a console error).
const SESSION_HINT = 'leash.had-session';

function sessionHint(value?: boolean): boolean {
  try {
    if (value === true) localStorage.setItem(SESSION_HINT, '1');
    else if (value === false) localStorage.removeItem(SESSION_HINT);
    return localStorage.getItem(SESSION_HINT) === '1';
  } catch {
    return true; // storage blocked: ask the server, as before
  }
}

function startSession(answer: SessionAnswer): SessionMember {
  accessToken = answer.access_token;
  sessionHint(true);
  for (const listener of listeners) listener(answer.member);
  return answer.member;
}

function endSession(): void {
  accessToken = null;
  sessionHint(false);
  for (const listener of listeners) listener(null);
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy or a crash page
  }
  const error = (body as { error?: { code?: string; message?: string; field?: string; requestId?: string } } | null)
    ?.error;
  return new ApiError(
    error?.code ?? 'internal',
    error?.message ?? `the server answered ${response.status} ${response.statusText}`,
    response.status,
    error?.field,
    error?.requestId,
  );
}

async function send(method: string, path: string, body: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('unavailable', 'the Leash server cannot be reached; check that it is running', 0);
  }
}

/**
 * Uses the refresh cookie for a new access token. One refresh at a time, in this tab and across the browser's tabs
 * (a Web Lock): the server rotates the refresh token and ends the session when an old one is used again, so a
 * second tab must wait for the first's new cookie rather than send the same one.
 */
export function refreshSession(): Promise<SessionMember | null> {
  if (!accessToken && !refreshing && !sessionHint()) return Promise.resolve(null);
  const post = () => send('POST', '/api/auth/refresh', undefined);
  refreshing ??= (async () => {
    try {
      const response = navigator.locks ? await navigator.locks.request('leash-session-refresh', post) : await post();
      if (!response.ok) {
        endSession();
        return null;
      }
      return startSession((await response.json()) as SessionAnswer);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Calls the API; a 401 with an expired token refreshes once and retries. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  if (response.status === 401 && accessToken) {
    if (await refreshSession()) response = await send(method, path, body);
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Runs a read operation and returns its result. */
export async function read<T>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
  return (await api<{ result: T }>('POST', `/api/operations/${operation}`, input)).result;
}

/** Asks for a sign-in link by email. */
export async function requestLink(email: string): Promise<string> {
  const response = await send('POST', '/api/auth/login', { email });
  if (!response.ok) throw await errorOf(response);
  return ((await response.json()) as { message: string }).message;
}

/** Redeems a magic link's token: starts the session. */
export async function redeemLink(token: string): Promise<SessionMember> {
  const response = await send('POST', '/api/auth/redeem', { token });
  if (!response.ok) throw await errorOf(response);
  return startSession((await response.json()) as SessionAnswer);
}

/** Signs out: the server revokes the session and clears the cookie. */
export async function signOut(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    endSession();
  }
}

/** One server-sent event of a conversation turn. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** Posts a chat message and yields the turn's events (`call`, `text`, then `done` or `error`) as they arrive. */
export async function* streamTurn(path: string, body: unknown): AsyncGenerator<StreamEvent> {
  let response = await send('POST', path, body, { accept: 'text/event-stream' });
  if (response.status === 401 && accessToken && (await refreshSession()))
    response = await send('POST', path, body, { accept: 'text/event-stream' });
  if (!response.ok || !response.body) throw await errorOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) yield { event, data: JSON.parse(data) };
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Downloads an authenticated file (the audit export) through the browser. */
export async function download(path: string, filename: string): Promise<void> {
  let response = await send('GET', path, undefined);
  if (response.status === 401 && accessToken && (await refreshSession())) response = await send('GET', path, undefined);
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
