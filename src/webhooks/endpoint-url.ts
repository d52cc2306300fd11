/**
 * Which URLs a webhook endpoint may have. Leash posts billing data to them from inside the deployment, so an
 * endpoint must not reach the deployment's own network (server-side request forgery): https only, and no
 * loopback, private, link-local or otherwise non-public address — checked on the URL when the endpoint is
 * proposed and again on the resolved address before every delivery. `LEASH_WEBHOOKS_ALLOW_PRIVATE=1` (development
 * and tests only) allows http and such addresses.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** True when the environment allows http and private addresses (development and tests). */
export function allowPrivateEndpoints(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LEASH_WEBHOOKS_ALLOW_PRIVATE === '1';
}

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is loopback, private, link-local, multicast or reserved. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  return NOT_PUBLIC.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `url` cannot be a webhook endpoint, or null when it can. Only the URL itself is checked (no DNS). */
export function endpointUrlProblem(url: string, allowPrivate = allowPrivateEndpoints()): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL: give the full address, e.g. https://example.com/hooks/billing';
  }
  if (parsed.protocol !== 'https:' && !(allowPrivate && parsed.protocol === 'http:'))
    return 'a webhook endpoint must use https';
  if (parsed.username || parsed.password) return 'a webhook URL must not carry a user name or password';
  if (allowPrivate) return null;
  const host = parsed.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal'))
    return `${host} is not a public address`;
  if (isNonPublicAddress(host)) return `${host} is a loopback, private or link-local address`;
  if (isIP(host.replace(/^\[|\]$/g, '')) === 0 && !host.includes('.')) return `${host} is not a public host name`;
  return null;
}

/** Why the address `url` resolves to now cannot be posted to, or null (checked before each delivery). */
export async function resolvedAddressProblem(
  url: string,
  allowPrivate = allowPrivateEndpoints(),
): Promise<string | null> {
  const problem = endpointUrlProblem(url, allowPrivate);
  if (problem || allowPrivate) return problem;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = await lookup(host, { all: true });
  const blocked = addresses.find((entry) => isNonPublicAddress(entry.address));
  return blocked ? `${host} resolves to ${blocked.address}, which is not a public address` : null;
}
