/**
 * DNS-rebinding and cross-origin guard. A page on evil.example that resolves to 127.0.0.1 makes the browser send
 * `Host: evil.example` and `Origin: http://evil.example`; a page served by another program on this machine
 * (`http://localhost:3000`) sends `Origin: http://localhost:3000`. Requests whose Host is not ours, or whose
 * Origin (when a browser sends one) is not this server's own origin, are refused with 403 before any route runs.
 * This server's own origin is the one the browser reached it at (scheme, the request's Host and port) or the
 * public URL (LEASH_PUBLIC_URL, e.g. behind a TLS proxy); a loopback name on another port is another origin.
 * Requests without an Origin (the CLI, curl, MCP clients) are not browsers' cross-origin calls and pass.
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

/** `scheme://host[:port]` as browsers write it (default ports dropped, lower case), or undefined when not a URL. */
function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The origins that are this server: where the request reached it, and its public URL. */
function ownOrigins(request: FastifyRequest, host: string, publicUrl: string | undefined): Set<string> {
  const origins = new Set<string>();
  const reached = originOf(`${request.protocol}://${host}`);
  if (reached) origins.add(reached);
  const published = publicUrl ? originOf(publicUrl) : undefined;
  if (published) origins.add(published);
  return origins;
}

/** Throws forbidden unless Host names this server and Origin, when sent, is this server's own origin. */
export function checkHostAndOrigin(request: FastifyRequest, allowed: readonly string[], publicUrl?: string): void {
  const accepted = (hostname: string | undefined) =>
    hostname !== undefined && (LOCAL.has(hostname) || allowed.includes(hostname));
  const host = request.headers.host;
  if (!host || !accepted(hostnameOf(host)))
    throw new LeashError('forbidden', 'this server does not answer for that Host (DNS-rebinding guard)');
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const sent = originOf(origin);
  if (sent === undefined || !ownOrigins(request, host, publicUrl).has(sent))
    throw new LeashError('forbidden', 'cross-origin requests are not allowed: call the API from its own origin');
}
