/**
 * DNS-rebinding guard: a page on evil.example that resolves to 127.0.0.1 makes the browser send
 * `Host: evil.example` and `Origin: http://evil.example`. Requests whose Host is not ours, or whose Origin (when
 * a browser sends one) is not ours, are refused with 403 before any route runs.
 */
import type { FastifyRequest } from 'fastify';
import { LeashError } from '../domain/errors.ts';

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Throws forbidden unless Host and Origin name this server. */
export function checkHostAndOrigin(request: FastifyRequest, allowed: readonly string[]): void {
  const accepted = (hostname: string | undefined) =>
    hostname !== undefined && (LOCAL.has(hostname) || allowed.includes(hostname));
  const host = request.headers.host;
  if (!host || !accepted(hostnameOf(host)))
    throw new LeashError('forbidden', 'this server does not answer for that Host (DNS-rebinding guard)');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      originHost = undefined;
    }
    if (!accepted(originHost)) throw new LeashError('forbidden', 'cross-origin requests are not allowed');
  } else if (origin === 'null') throw new LeashError('forbidden', 'cross-origin requests are not allowed');
}
