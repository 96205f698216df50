import { describe, expect, it } from 'vitest';
import { webhookClientAddress } from './webhook-client-address.js';

describe('webhookClientAddress', () => {
  it.each([
    ['the peer when no proxy is trusted', '127.0.0.1', '203.0.113.9', [], '127.0.0.1'],
    ['X-Real-IP from a trusted proxy', '127.0.0.1', '203.0.113.9', ['127.0.0.1'], '203.0.113.9'],
    ['X-Real-IP from a trusted proxy on a dual-stack socket', '::ffff:127.0.0.1', '2001:db8::1', ['127.0.0.1'], '2001:db8::1'],
    ['the peer when the proxy is not trusted', '198.51.100.7', '203.0.113.9', ['127.0.0.1'], '198.51.100.7'],
    ['the peer when X-Real-IP is not an address', '127.0.0.1', 'x'.repeat(500), ['127.0.0.1'], '127.0.0.1'],
    ['the peer when X-Real-IP is missing', '127.0.0.1', undefined, ['127.0.0.1'], '127.0.0.1'],
  ] as const)('webhookClientAddress gives %s', (_name, peer, realIp, trusted, expected) => {
    expect(webhookClientAddress(peer, realIp, trusted)).toBe(expected);
  });
});
