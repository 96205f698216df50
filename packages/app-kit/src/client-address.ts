import { isIP } from 'node:net';
import { AgentprError } from '@agentpr/orchestrator/errors';

/** `::ffff:127.0.0.1` → `127.0.0.1`, so one IPv4 client is one key on a dual-stack socket. */
function plain(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Whether the socket peer `remoteAddress` is one of `trustedProxies` (IPv4-mapped spellings match their IPv4 address). */
export function isTrustedProxy(remoteAddress: string | undefined, trustedProxies: readonly string[]): boolean {
  const peer = plain(remoteAddress ?? '');
  return peer !== '' && trustedProxies.some((p) => plain(p) === peer);
}

/**
 * The address a server counts a request's client by: the socket's peer, or — only when that peer is one of
 * `trustedProxies` (nginx on loopback, say) — the `X-Real-IP` it sent, if that is an IP address. Anyone else could
 * write any `X-Real-IP` and so escape a per-client limit, hence nothing is trusted by default. `X-Forwarded-For` is
 * never read: its first entry is whatever the client wrote.
 *
 * @example
 * clientAddressBehindProxy('127.0.0.1', '203.0.113.9', ['127.0.0.1']); // '203.0.113.9'
 * clientAddressBehindProxy('198.51.100.7', '203.0.113.9', ['127.0.0.1']); // '198.51.100.7'
 */
export function clientAddressBehindProxy(remoteAddress: string | undefined, realIp: string | undefined, trustedProxies: readonly string[]): string {
  const peer = plain(remoteAddress ?? '') || 'unknown';
  if (realIp === undefined || !isTrustedProxy(remoteAddress, trustedProxies)) return peer;
  const forwarded = plain(realIp);
  return isIP(forwarded) ? forwarded : peer;
}

/**
 * The value of `--trusted-proxy ADDR[,ADDR]`: IP addresses separated by commas, undefined when the flag is not
 * given. Anything else is a `usage` error.
 */
export function parseTrustedProxies(raw: string | undefined): string[] | undefined {
  const proxies = raw?.split(',').map((p) => p.trim()).filter(Boolean);
  if (proxies && (proxies.length === 0 || proxies.some((p) => isIP(p) === 0))) {
    throw new AgentprError('usage', '--trusted-proxy must be IP addresses separated by commas (e.g. 127.0.0.1)');
  }
  return proxies;
}
