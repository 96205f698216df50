import { describe, expect, it } from 'vitest';
import { decideEgress, matchEgressRules } from './decide-egress.js';
import { EgressProxyError } from './errors.js';

const RULES = ['registry.npmjs.org', 'example.com:8443', '*.pythonhosted.org', '127.0.0.1:4010', 'localhost:4020', '[::1]:4030', '10.0.0.5:3128'];
const PUBLIC = ['104.16.0.35'];

describe('decideEgress', () => {
  it.each([
    // host, port, addresses, allowed, reason
    ['registry.npmjs.org', 443, PUBLIC, true, 'allowlisted'],
    ['registry.npmjs.org', 80, PUBLIC, true, 'allowlisted'],
    ['REGISTRY.npmjs.org.', 443, PUBLIC, true, 'allowlisted'],
    ['registry.npmjs.org', 8080, PUBLIC, false, 'port_not_allowlisted'],
    ['example.com', 8443, PUBLIC, true, 'allowlisted'],
    ['example.com', 443, PUBLIC, false, 'port_not_allowlisted'],
    ['evil.example', 443, PUBLIC, false, 'host_not_allowlisted'],
    ['npmjs.org', 443, PUBLIC, false, 'host_not_allowlisted'],
    ['files.pythonhosted.org', 443, PUBLIC, true, 'allowlisted'],
    ['a.b.pythonhosted.org', 443, PUBLIC, true, 'allowlisted'],
    ['pythonhosted.org', 443, PUBLIC, false, 'host_not_allowlisted'],
    ['evilpythonhosted.org', 443, PUBLIC, false, 'host_not_allowlisted'],
    ['registry.npmjs.org', 443, ['127.0.0.1'], false, 'loopback_address'],
    ['registry.npmjs.org', 443, ['10.1.2.3'], false, 'private_address'],
    ['registry.npmjs.org', 443, ['172.20.0.1'], false, 'private_address'],
    ['registry.npmjs.org', 443, ['192.168.0.10'], false, 'private_address'],
    ['registry.npmjs.org', 443, ['169.254.169.254'], false, 'link_local_address'],
    ['registry.npmjs.org', 443, ['100.64.1.1'], false, 'private_address'],
    ['registry.npmjs.org', 443, ['fd00::1'], false, 'private_address'],
    ['registry.npmjs.org', 443, ['fe80::1'], false, 'link_local_address'],
    ['registry.npmjs.org', 443, ['::ffff:127.0.0.1'], false, 'loopback_address'],
    ['registry.npmjs.org', 443, ['::'], false, 'unspecified_address'],
    ['registry.npmjs.org', 443, ['239.1.1.1'], false, 'multicast_address'],
    ['registry.npmjs.org', 443, [...PUBLIC, '127.0.0.1'], false, 'loopback_address'],
    ['registry.npmjs.org', 443, [], false, 'unresolved'],
    ['127.0.0.1', 4010, ['127.0.0.1'], true, 'allowlisted'],
    ['127.0.0.1', 4011, ['127.0.0.1'], false, 'port_not_allowlisted'],
    ['127.0.0.2', 4010, ['127.0.0.2'], false, 'host_not_allowlisted'],
    ['localhost', 4010, ['127.0.0.1'], false, 'port_not_allowlisted'],
    ['localhost', 4020, ['127.0.0.1', '::1'], true, 'allowlisted'],
    ['localhost', 4020, ['10.0.0.9'], false, 'private_address'],
    ['127.0.0.1', 4020, ['127.0.0.1'], false, 'port_not_allowlisted'],
    ['127.0.0.3', 4020, ['127.0.0.3'], false, 'host_not_allowlisted'],
    ['[::1]', 4030, ['::1'], true, 'allowlisted'],
    ['::1', 4030, ['::1'], true, 'allowlisted'],
    ['::ffff:127.0.0.1', 4010, ['::ffff:127.0.0.1'], false, 'host_not_allowlisted'],
    ['10.0.0.5', 3128, ['10.0.0.5'], true, 'allowlisted'],
    ['127.1', 4010, ['127.0.0.1'], false, 'bad_host'],
    ['registry.npmjs.org', 0, PUBLIC, false, 'bad_port'],
    ['registry.npmjs.org', 65536, PUBLIC, false, 'bad_port'],
    ['', 443, PUBLIC, false, 'bad_host'],
  ] as const)('decideEgress(%s:%d → %j) allowed=%s (%s)', (host, port, addresses, allowed, reason) => {
    const decision = decideEgress({ host, port, addresses }, RULES);
    expect(decision).toMatchObject({ allowed, reason });
  });

  it('decideEgress names the rule that allowed the connection', () => {
    expect(decideEgress({ host: 'files.pythonhosted.org', port: 443, addresses: PUBLIC }, RULES)).toEqual({ allowed: true, reason: 'allowlisted', rule: '*.pythonhosted.org' });
  });

  it('decideEgress on a private answer says which address and how to allow it', () => {
    const decision = decideEgress({ host: 'registry.npmjs.org', port: 443, addresses: ['10.1.2.3'] }, RULES);
    expect(decision).toMatchObject({ allowed: false, detail: 'registry.npmjs.org resolves to private address 10.1.2.3; only an explicit rule such as 10.1.2.3:443 allows it' });
  });

  it('decideEgress with an invalid rule string throws invalid_rule', () => {
    expect(() => decideEgress({ host: 'a.com', port: 443, addresses: PUBLIC }, ['https://a.com'])).toThrow(EgressProxyError);
  });

  it('matchEgressRules refuses an unlisted host without needing its addresses', () => {
    expect(matchEgressRules('exfil.attacker.example', 443, RULES)).toMatchObject({ ok: false, reason: 'host_not_allowlisted' });
    expect(matchEgressRules('registry.npmjs.org', 443, RULES)).toMatchObject({ ok: true, host: 'registry.npmjs.org' });
  });
});
