import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// RFC 9110 §7.6.1 connection-specific fields, plus the proxy's own credentials, which never go upstream.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Copies end-to-end headers only: drops the hop-by-hop set, any field the `Connection` header names, and
 * `Proxy-Authorization`. `host` is dropped too when `dropHost` is set (the proxy writes it from the target).
 */
export function endToEndHeaders(headers: IncomingHttpHeaders, options: { dropHost?: boolean } = {}): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (options.dropHost && name === 'host') continue;
    out[name] = value;
  }
  return out;
}
