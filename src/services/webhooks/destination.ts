/**
 * Refuses webhook destinations on private, loopback, link-local and other non-public addresses
 * (SSRF), unless configuration allows them. Checked when a URL is registered (literal hosts) and
 * again right before each attempt, on every address the name resolves to.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const BLOCKED = new BlockList();
// IPv4: this network, RFC 1918, CGNAT (RFC 6598), loopback, link-local, IETF protocol
// assignments, benchmarking (RFC 2544), documentation, multicast, reserved and broadcast.
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24],
  ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) BLOCKED.addSubnet(net, bits, "ipv4");
// IPv6: unspecified, loopback, unique local (fc00::/7), link-local (fe80::/10), site-local,
// multicast, documentation. IPv4-mapped addresses are checked against the IPv4 list by BlockList.
for (const [net, bits] of [
  ["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8], ["2001:db8::", 32],
] as const) BLOCKED.addSubnet(net, bits, "ipv6");

/** True for an IP address that is not a public unicast address. */
export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return true;
  return BLOCKED.check(ip, family === 4 ? "ipv4" : "ipv6");
}

const hostOf = (u: URL) => u.hostname.replace(/^\[|\]$/g, "");

/** A reason the URL can never be a destination (scheme, credentials, literal private host), or null. */
export function urlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "not a valid URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "must be an http(s) URL";
  if (u.username || u.password) return "must not carry credentials";
  if (allowPrivate) return null;
  const host = hostOf(u).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return "resolves to a loopback address";
  if (isIP(host) && isNonPublicAddress(host)) return `${host} is not a public address`;
  return null;
}

export type Lookup = (host: string) => Promise<{ address: string }[]>;

/** node:dns lookup with `all: true` (the resolver the operating system uses). */
export const systemLookup: Lookup = (host) => dnsLookup(host, { all: true });

/**
 * Resolves the destination's host and refuses it when any address is non-public. Returns a
 * reason, or null when it may be sent to.
 */
export async function destinationProblem(url: string, allowPrivate: boolean, lookup: Lookup = systemLookup): Promise<string | null> {
  const static_ = urlProblem(url, allowPrivate);
  if (static_ || allowPrivate) return static_;
  const host = hostOf(new URL(url));
  if (isIP(host)) return null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host);
  } catch (e) {
    return `cannot resolve ${host}: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (addresses.length === 0) return `cannot resolve ${host}`;
  const bad = addresses.find((a) => isNonPublicAddress(a.address));
  return bad ? `${host} resolves to ${bad.address}, which is not a public address` : null;
}
