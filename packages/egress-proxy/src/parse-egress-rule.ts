import { classifyAddress } from './classify-address.js';
import { normalizeHost } from './normalize-host.js';

/**
 * One parsed allowlist entry. A `port` of null means the web ports 80 and 443. `address` and `localhost` rules name
 * an exact endpoint and are the only way to reach a loopback or private address.
 */
export type EgressRule =
  | { kind: 'host'; text: string; host: string; port: number | null }
  | { kind: 'wildcard'; text: string; suffix: string; port: number | null }
  | { kind: 'address'; text: string; address: string; port: number | null }
  | { kind: 'localhost'; text: string; port: number };

/** The result of {@link parseEgressRule}. */
export type ParseEgressRuleResult = { ok: true; rule: EgressRule } | { ok: false; error: string };

const EXAMPLES = 'e.g. example.com, example.com:8443, *.pythonhosted.org, 127.0.0.1:4010, [::1]:4010';

/**
 * Parses one allowlist entry from a policy: `example.com` (ports 80 and 443), `example.com:8443`,
 * `*.pythonhosted.org` (subdomains only, not the apex), or an IP literal / `localhost` endpoint (`127.0.0.1:4010`,
 * `[::1]:4010`, `localhost:4010`). A loopback or private address must carry a port: it opens one service, never a
 * whole host. Bad input gets one line naming the rule and the fix. Pure.
 * @example parseEgressRule('*.pythonhosted.org') // { ok: true, rule: { kind: 'wildcard', suffix: 'pythonhosted.org', port: null, ... } }
 */
export function parseEgressRule(input: string): ParseEgressRuleResult {
  const text = input.trim();
  const fail = (why: string): ParseEgressRuleResult => ({ ok: false, error: `egress rule ${JSON.stringify(input)} ${why}` });
  if (text === '') return fail(`is empty; write a host, host:port or *.domain (${EXAMPLES}).`);
  if (/[\s/@?#]/.test(text) || text.includes('://')) return fail(`must be a host, host:port or *.domain without a scheme, path or user (${EXAMPLES}).`);

  let hostPart = text;
  let portPart: string | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail('has an unclosed "["; write IPv6 as [::1]:4010.');
    hostPart = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return fail('has text after "]"; write IPv6 as [::1]:4010.');
      portPart = rest.slice(1);
    }
  } else if ((text.match(/:/g) ?? []).length > 1) {
    return fail('looks like a bare IPv6 address; put it in brackets, e.g. [::1]:4010.');
  } else if (text.includes(':')) {
    [hostPart = '', portPart = ''] = text.split(':');
  }

  let port: number | null = null;
  if (portPart !== null) {
    if (!/^[0-9]{1,5}$/.test(portPart) || Number(portPart) < 1 || Number(portPart) > 65535) return fail(`has port ${JSON.stringify(portPart)}; a port is a number from 1 to 65535.`);
    port = Number(portPart);
  }

  if (hostPart.startsWith('*.')) {
    const suffix = normalizeHost(hostPart.slice(2));
    if (!suffix || suffix.kind !== 'name') return fail(`has no valid domain after "*."; write e.g. *.pythonhosted.org.`);
    if (suffix.host === 'localhost' || suffix.host.endsWith('.localhost')) return fail('names localhost; allow one loopback endpoint instead, e.g. localhost:4010.');
    if (!suffix.host.includes('.')) return fail(`is too broad; a wildcard needs at least two labels after "*.", e.g. *.pythonhosted.org.`);
    return { ok: true, rule: { kind: 'wildcard', text, suffix: suffix.host, port } };
  }
  if (hostPart.includes('*')) return fail('has a "*" that is not a leading "*."; wildcards match subdomains only, e.g. *.pythonhosted.org.');

  const host = normalizeHost(hostPart);
  if (!host) return fail(`has an invalid host ${JSON.stringify(hostPart)}; use a DNS name or an IP literal (${EXAMPLES}).`);
  if (host.kind === 'address') {
    const kind = classifyAddress(host.host);
    if (kind === 'unspecified' || kind === 'multicast') return fail(`names a ${kind} address, which cannot be a destination.`);
    if (kind !== 'public' && port === null) return fail(`names a ${kind.replace('_', '-')} address without a port; allow one service, e.g. ${hostPart}:4010.`);
    return { ok: true, rule: { kind: 'address', text, address: host.host, port } };
  }
  if (host.host === 'localhost') {
    if (port === null) return fail('names localhost without a port; allow one service, e.g. localhost:4010.');
    return { ok: true, rule: { kind: 'localhost', text, port } };
  }
  if (host.host.endsWith('.localhost')) return fail('names a .localhost host, which is loopback; allow one endpoint instead, e.g. localhost:4010.');
  return { ok: true, rule: { kind: 'host', text, host: host.host, port } };
}

/**
 * Parses a policy's whole allowlist; every bad entry is reported (one line each) and nothing is returned for a list
 * with any bad entry.
 */
export function parseEgressRules(inputs: readonly string[]): { ok: true; rules: EgressRule[] } | { ok: false; errors: string[] } {
  const rules: EgressRule[] = [];
  const errors: string[] = [];
  for (const input of inputs) {
    const parsed = parseEgressRule(input);
    if (parsed.ok) rules.push(parsed.rule);
    else errors.push(parsed.error);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}
