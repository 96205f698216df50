import { isIP } from 'node:net';

/** `::ffff:127.0.0.1` → `127.0.0.1`, so one IPv4 client is one key on a dual-stack socket. */
function plain(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/**
 * The address the webhook server limits a request by: the socket's peer, or — only when that peer is one of
 * `trustedProxies` (nginx on loopback, say) — the `X-Real-IP` it sent, if that is an IP address. Anyone else
 * could write any `X-Real-IP` and so escape the per-client cap, hence nothing is trusted by default.
 * `X-Forwarded-For` is never read: its first entry is whatever the client wrote.
 *
 * @example
 * webhookClientAddress('127.0.0.1', '203.0.113.9', ['127.0.0.1']); // '203.0.113.9'
 * webhookClientAddress('198.51.100.7', '203.0.113.9', ['127.0.0.1']); // '198.51.100.7'
 */
export function webhookClientAddress(remoteAddress: string | undefined, realIp: string | undefined, trustedProxies: readonly string[]): string {
  const peer = plain(remoteAddress ?? '') || 'unknown';
  if (realIp === undefined || !trustedProxies.some((p) => plain(p) === peer)) return peer;
  const forwarded = plain(realIp);
  return isIP(forwarded) ? forwarded : peer;
}
