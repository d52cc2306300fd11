/**
 * Which URLs a webhook endpoint may have. Leash posts billing data to them from inside the deployment, so an
 * endpoint must not reach the deployment's own network (server-side request forgery): https only, and no
 * loopback, private, link-local or otherwise non-public address — checked on the URL when the endpoint is
 * proposed and again on the resolved address at every delivery, where the connection then goes to the address that
 * was checked (pinned-post.ts), so a name cannot answer a public address to the check and a private one to the
 * connection (DNS rebinding). `LEASH_WEBHOOKS_ALLOW_PRIVATE=1` (development and tests only) allows http and such
 * addresses.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** True when the environment allows http and private addresses (development and tests). */
export function allowPrivateEndpoints(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LEASH_WEBHOOKS_ALLOW_PRIVATE === '1';
}

// Two lists: Node's BlockList checks an IPv4 address against IPv6 rules as IPv4-mapped, so an IPv6 rule for
// ::ffff:0:0/96 in the same list would match every IPv4 address.
const NOT_PUBLIC_V4 = new BlockList();
const NOT_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  NOT_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback and IPv4-compatible (::/96), IPv4-mapped (::ffff:0:0/96), the NAT64 prefixes, 6to4
// and Teredo (they carry an IPv4 address inside), documentation, unique local (fc00::/7: AWS's fd00:ec2::254
// metadata address too), link-local, site-local and multicast.
for (const [network, prefix] of [
  ['::', 96],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is loopback, private, link-local, multicast or reserved. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  return family === 4 ? NOT_PUBLIC_V4.check(bare, 'ipv4') : NOT_PUBLIC_V6.check(bare, 'ipv6');
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

/** One resolved address. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses (the system resolver by default; tests inject their own). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as the connection would use). */
export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/** The address a delivery may connect to, or why it may not be made. */
export type VettedAddress = { ok: true; address: string; family: 4 | 6 } | { ok: false; problem: string };

/**
 * Checks `url` and the addresses its host resolves to now, and picks the one address the delivery connects to.
 * Every address must be public (a name that answers one private address among public ones is refused: which one
 * a connection would use is not ours to guess), unless private addresses are allowed.
 */
export async function vetDeliveryAddress(
  url: string,
  options: { allowPrivate?: boolean; resolve?: HostResolver } = {},
): Promise<VettedAddress> {
  const allowPrivate = options.allowPrivate ?? allowPrivateEndpoints();
  const problem = endpointUrlProblem(url, allowPrivate);
  if (problem) return { ok: false, problem };
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { ok: false, problem: `${host} could not be resolved${typeof code === 'string' ? ` (${code})` : ''}` };
    }
  }
  const first = addresses[0];
  if (!first) return { ok: false, problem: `${host} resolves to no address` };
  if (!allowPrivate) {
    const blocked = addresses.find((entry) => isNonPublicAddress(entry.address));
    if (blocked)
      return {
        ok: false,
        problem: `${host} resolves to ${blocked.address}, which is not a public address (loopback, private, link-local, metadata or reserved); not delivered`,
      };
  }
  return { ok: true, address: first.address, family: first.family };
}

/** Why the address `url` resolves to now cannot be posted to, or null. */
export async function resolvedAddressProblem(
  url: string,
  allowPrivate = allowPrivateEndpoints(),
  resolve?: HostResolver,
): Promise<string | null> {
  const vetted = await vetDeliveryAddress(url, { allowPrivate, ...(resolve ? { resolve } : {}) });
  return vetted.ok ? null : vetted.problem;
}
