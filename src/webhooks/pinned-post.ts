/**
 * Posts a webhook to the one address that was checked (endpoint-url.ts `vetDeliveryAddress`): the request's DNS
 * lookup is replaced by one that answers only that address, so the check and the connection use the same IP and a
 * name cannot be re-pointed at a private address in between (DNS rebinding). TLS still checks the certificate
 * against the host name. A fresh connection per delivery (no pooled socket from an earlier lookup), no redirects
 * followed (node:http never follows them), a hard timeout.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** A lookup that answers `address` whatever name it is asked (Node's net.connect calls it with and without `all`). */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all)
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    else callback(null, address, family);
  };
}

/** Posts `body` to `url`, connecting to `target` only; resolves the HTTP status, rejects on a network failure. */
export function postPinned(
  url: string,
  target: { address: string; family: 4 | 6 },
  message: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<number> {
  const parsed = new URL(url);
  const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      parsed,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(target.address, target.family),
        signal: AbortSignal.timeout(message.timeoutMs),
        headers: { ...message.headers, 'content-length': String(Buffer.byteLength(message.body)) },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) =>
      reject(error.name === 'AbortError' ? new Error(`no answer within ${message.timeoutMs} ms`) : error),
    );
    request.end(message.body);
  });
}
