import { describe, expect, it } from 'vitest';
import { parseEgressRule, parseEgressRules } from './parse-egress-rule.js';

describe('parseEgressRule', () => {
  it.each([
    ['example.com', { kind: 'host', host: 'example.com', port: null }],
    ['Example.COM.', { kind: 'host', host: 'example.com', port: null }],
    ['example.com:8443', { kind: 'host', host: 'example.com', port: 8443 }],
    ['*.pythonhosted.org', { kind: 'wildcard', suffix: 'pythonhosted.org', port: null }],
    ['*.example.com:8080', { kind: 'wildcard', suffix: 'example.com', port: 8080 }],
    ['127.0.0.1:4010', { kind: 'address', address: '127.0.0.1', port: 4010 }],
    ['[::1]:4010', { kind: 'address', address: '::1', port: 4010 }],
    ['[0:0::1]:4010', { kind: 'address', address: '::1', port: 4010 }],
    ['10.0.0.5:3128', { kind: 'address', address: '10.0.0.5', port: 3128 }],
    ['93.184.215.14', { kind: 'address', address: '93.184.215.14', port: null }],
    ['localhost:4010', { kind: 'localhost', port: 4010 }],
  ])('parseEgressRule(%s) accepts it', (text, expected) => {
    const parsed = parseEgressRule(text);
    expect(parsed).toMatchObject({ ok: true, rule: expected });
  });

  it.each([
    ['', /is empty/],
    ['https://example.com', /without a scheme/],
    ['example.com/path', /without a scheme, path/],
    ['user@example.com', /without a scheme, path or user/],
    ['example.com:0', /port "0"/],
    ['example.com:70000', /port "70000"/],
    ['example.com:http', /port "http"/],
    ['::1:4010', /put it in brackets/],
    ['[::1', /unclosed/],
    ['[::1]4010', /text after "\]"/],
    ['127.0.0.1', /loopback address without a port/],
    ['[::1]', /loopback address without a port/],
    ['192.168.1.10', /private address without a port/],
    ['169.254.169.254', /link-local address without a port/],
    ['0.0.0.0:80', /unspecified address/],
    ['localhost', /localhost without a port/],
    ['api.localhost:80', /\.localhost host/],
    ['*.localhost', /names localhost/],
    ['*', /not a leading "\*\."/],
    ['*.org', /too broad/],
    ['foo.*.org', /leading "\*\."/],
    ['127.1:80', /invalid host/],
    ['0x7f000001:80', /invalid host/],
    ['exa mple.com', /without a scheme/],
    ['-bad-.com', /invalid host/],
  ])('parseEgressRule(%j) refuses it with one line', (text, message) => {
    const parsed = parseEgressRule(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toMatch(message);
    expect(parsed.error).toContain(JSON.stringify(text));
    expect(parsed.error).not.toContain('\n');
  });

  it('parseEgressRules reports every bad entry and returns no rules', () => {
    expect(parseEgressRules(['example.com', 'bad rule', 'localhost'])).toEqual({ ok: false, errors: [expect.stringMatching(/"bad rule"/), expect.stringMatching(/"localhost"/)] });
    expect(parseEgressRules(['example.com', '*.npmjs.org'])).toMatchObject({ ok: true, rules: [{ kind: 'host' }, { kind: 'wildcard' }] });
  });
});
