/**
 * A loopback server that answers the Stripe requests a permission probe makes, in Stripe's wire format: list
 * objects, `resource_missing` 404s for unknown ids, a 403 naming the missing `rak_*` permission (as Stripe words
 * it) for a key without it, and a 401 for an unknown key. Keys are registered with the permissions they lack.
 * The larger stateful Stripe fake (issue 7) will grow from here.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const RULES: { method: string; path: RegExp; permission: string; object: string }[] = [
  { method: 'GET', path: /^\/v1\/charges$/, permission: 'rak_charge_read', object: 'charges' },
  { method: 'GET', path: /^\/v1\/customers$/, permission: 'rak_customer_read', object: 'customers' },
  { method: 'POST', path: /^\/v1\/customers\/[^/]+$/, permission: 'rak_customer_write', object: 'customer' },
  { method: 'GET', path: /^\/v1\/subscriptions$/, permission: 'rak_subscription_read', object: 'subscriptions' },
  {
    method: 'POST',
    path: /^\/v1\/subscriptions\/[^/]+$/,
    permission: 'rak_subscription_write',
    object: 'subscription',
  },
  { method: 'GET', path: /^\/v1\/invoices$/, permission: 'rak_invoice_read', object: 'invoices' },
  { method: 'POST', path: /^\/v1\/invoices\/[^/]+$/, permission: 'rak_invoice_write', object: 'invoice' },
  { method: 'POST', path: /^\/v1\/refunds$/, permission: 'rak_refund_write', object: 'charge' },
  { method: 'GET', path: /^\/v1\/payment_methods$/, permission: 'rak_payment_method_read', object: 'payment_methods' },
];

/** A running permission server. */
export interface StripePermissionServer {
  /** For LEASH_STRIPE_API_BASE. */
  base: string;
  /** Registers a key and the permissions it lacks. */
  addKey(key: string, lacking?: string[]): void;
  /** The bearer keys requests carried, in order. */
  seenKeys: string[];
  close(): Promise<void>;
}

function masked(key: string): string {
  return `${key.slice(0, 8)}***${key.slice(-4)}`;
}

/** Starts the server on 127.0.0.1. */
export async function startStripePermissionServer(): Promise<StripePermissionServer> {
  const keys = new Map<string, Set<string>>();
  const seenKeys: string[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${seenKeys.length}` });
      response.end(JSON.stringify(body));
    };
    const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    seenKeys.push(key);
    const lacking = keys.get(key);
    if (!lacking)
      return send(401, {
        error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked(key)}` },
      });
    const path = (request.url ?? '').split('?')[0] ?? '';
    const rule = RULES.find((candidate) => candidate.method === request.method && candidate.path.test(path));
    if (!rule)
      return send(404, {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (${request.method}: ${path}).` },
      });
    if (lacking.has(rule.permission))
      return send(403, {
        error: {
          type: 'invalid_request_error',
          message: `The provided key '${masked(key)}' does not have the required permissions for this endpoint on account 'acct_1LeashTest'. Having the '${rule.permission}' permission would allow this request to continue.`,
        },
      });
    if (request.method === 'GET') return send(200, { object: 'list', data: [], has_more: false, url: path });
    return send(404, {
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such ${rule.object}: '${path.split('/').at(-1)}'`,
        param: 'id',
      },
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    addKey: (key, lacking = []) => keys.set(key, new Set(lacking)),
    seenKeys,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
