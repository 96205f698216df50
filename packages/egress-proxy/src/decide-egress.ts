import { canonicalAddress, classifyAddress } from './classify-address.js';
import { EgressProxyError } from './errors.js';
import { normalizeHost } from './normalize-host.js';
import { parseEgressRule, type EgressRule } from './parse-egress-rule.js';

/** Why a connection was refused. `*_address` reasons name the class of the resolved address that was refused. */
export type EgressDenyReason =
  | 'bad_request'
  | 'bad_host'
  | 'bad_port'
  | 'host_not_allowlisted'
  | 'port_not_allowlisted'
  | 'unresolved'
  | 'loopback_address'
  | 'private_address'
  | 'link_local_address'
  | 'multicast_address'
  | 'unspecified_address'
  | 'reserved_address';

/** A connection the agent asked for: the host as written, the port, and what the host resolved to. */
export interface EgressRequest {
  host: string;
  port: number;
  /** The resolved addresses (for an IP literal, the literal itself). */
  addresses: readonly string[];
}

/** The verdict of {@link decideEgress}: allowed by the named rule, or denied with a reason and a one-line detail. */
export type EgressDecision = { allowed: true; reason: 'allowlisted'; rule: string } | { allowed: false; reason: EgressDenyReason; detail: string };

/** The result of {@link matchEgressRules}: the canonical host and the rules that allow it on that port, or a denial. */
export type EgressRuleMatch = { ok: true; host: string; rules: EgressRule[] } | { ok: false; reason: EgressDenyReason; detail: string };

const WEB_PORTS = [80, 443];

/**
 * The host-and-port half of {@link decideEgress}, which needs no DNS: the proxy asks this first, so a name that is
 * not on the allowlist is never resolved (no DNS lookups an attacker can use as a side channel).
 */
export function matchEgressRules(host: string, port: number, rules: readonly (string | EgressRule)[]): EgressRuleMatch {
  const normalized = normalizeHost(host);
  if (!normalized) return { ok: false, reason: 'bad_host', detail: `host ${JSON.stringify(host.slice(0, 100))} is not a DNS name or IP literal` };
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: 'bad_port', detail: `port ${String(port)} is not a number from 1 to 65535` };
  const parsed = rules.map(toRule);
  const sameHost = parsed.filter((rule) => hostMatches(rule, normalized.kind, normalized.host));
  if (sameHost.length === 0) return { ok: false, reason: 'host_not_allowlisted', detail: `${normalized.host} is not on the egress allowlist` };
  const matching = sameHost.filter((rule) => (rule.port === null ? WEB_PORTS.includes(port) : rule.port === port));
  if (matching.length === 0) {
    const ports = [...new Set(sameHost.flatMap((rule) => (rule.port === null ? WEB_PORTS : [rule.port])))].join(', ');
    return { ok: false, reason: 'port_not_allowlisted', detail: `${normalized.host} is allowlisted on port ${ports} only, not ${port}` };
  }
  return { ok: true, host: normalized.host, rules: matching };
}

/**
 * Decides one outgoing connection. Allowed only when a rule matches the host and port AND every resolved address is
 * public; a loopback, private, link-local, CGNAT, ULA, multicast, unspecified or reserved address (also inside an
 * IPv4-mapped IPv6 address) is refused unless the matching rule names exactly that IP literal (or `localhost` for a
 * loopback address) and that port. One bad address refuses the whole answer (no mixed DNS answers). Pure.
 * @example decideEgress({ host: 'example.com', port: 443, addresses: ['10.0.0.8'] }, ['example.com']) // { allowed: false, reason: 'private_address', ... }
 */
export function decideEgress(request: EgressRequest, rules: readonly (string | EgressRule)[]): EgressDecision {
  const match = matchEgressRules(request.host, request.port, rules);
  if (!match.ok) return { allowed: false, reason: match.reason, detail: match.detail };
  if (request.addresses.length === 0) return { allowed: false, reason: 'unresolved', detail: `${match.host} did not resolve to any address` };
  for (const raw of request.addresses) {
    const address = canonicalAddress(raw.split('%')[0] ?? '') ?? raw;
    const kind = classifyAddress(raw);
    if (kind === 'public') continue;
    if (match.rules.some((rule) => exempts(rule, address, kind))) continue;
    return { allowed: false, reason: `${kind}_address`, detail: `${match.host} resolves to ${kind.replace('_', '-')} address ${address}; only an explicit rule such as ${bracket(address)}:${request.port} allows it` };
  }
  const first = match.rules[0];
  return { allowed: true, reason: 'allowlisted', rule: first ? first.text : '' };
}

function toRule(rule: string | EgressRule): EgressRule {
  if (typeof rule !== 'string') return rule;
  const parsed = parseEgressRule(rule);
  if (!parsed.ok) throw new EgressProxyError('invalid_rule', parsed.error);
  return parsed.rule;
}

function hostMatches(rule: EgressRule, kind: 'name' | 'address', host: string): boolean {
  switch (rule.kind) {
    case 'host':
      return kind === 'name' && rule.host === host;
    case 'wildcard':
      return kind === 'name' && host.endsWith(`.${rule.suffix}`);
    case 'address':
      return kind === 'address' && rule.address === host;
    case 'localhost':
      return kind === 'name' && host === 'localhost';
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}

function exempts(rule: EgressRule, address: string, kind: string): boolean {
  if (rule.kind === 'address') return rule.port !== null && rule.address === address;
  if (rule.kind === 'localhost') return kind === 'loopback';
  return false;
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
