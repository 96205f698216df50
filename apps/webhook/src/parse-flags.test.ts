import { describe, expect, it } from 'vitest';
import { parseWebhookFlags } from './parse-flags.js';

describe('parseWebhookFlags', () => {
  it('parseWebhookFlags fills the data paths from AGENTPR_HOME and keeps the webhook flags', () => {
    const f = parseWebhookFlags(['--port', '0', '--secret', 's', '--allow-unsigned', '--max-payload-bytes', '2048'], { AGENTPR_HOME: '/srv/agentpr' });
    expect(f).toMatchObject({ dataDir: '/srv/agentpr', db: '/srv/agentpr/agentpr.db', port: 0, secret: 's', allowUnsigned: true, maxPayloadBytes: 2048, databaseUrl: undefined });
  });

  it('parseWebhookFlags rejects a bad port, a payload limit under 1024 and unknown flags with a usage error', () => {
    expect(() => parseWebhookFlags(['--port', 'http'], {})).toThrow(expect.objectContaining({ code: 'usage', message: '--port must be an integer' }));
    expect(() => parseWebhookFlags(['--port', '70000'], {})).toThrow(/--port must be at most 65535/);
    expect(() => parseWebhookFlags(['--max-payload-bytes', '100'], {})).toThrow(/--max-payload-bytes must be at least 1024/);
    expect(() => parseWebhookFlags(['--sekret', 'x'], {})).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringContaining('--sekret') }));
  });

  it('parseWebhookFlags reads the limits, trusted proxies and the metrics listener flags', () => {
    const f = parseWebhookFlags(
      ['--max-connections', '64', '--max-concurrent-per-client', '8', '--max-unverified-bytes', '8388608', '--trusted-proxy', '127.0.0.1, ::1', '--metrics-port', '9464', '--metrics-host', '127.0.0.2', '--metrics-token', 'a-long-enough-token'],
      {},
    );
    expect(f).toMatchObject({ maxConnections: 64, maxConcurrentPerClient: 8, maxUnverifiedBytes: 8388608, trustedProxies: ['127.0.0.1', '::1'], metricsPort: 9464, metricsHost: '127.0.0.2', metricsToken: 'a-long-enough-token' });
    expect(parseWebhookFlags([], {})).toMatchObject({ maxConnections: undefined, trustedProxies: undefined, metricsPort: undefined });
  });

  it('parseWebhookFlags refuses a trusted proxy that is not an address, a zero cap and a short metrics token', () => {
    expect(() => parseWebhookFlags(['--trusted-proxy', 'nginx.local'], {})).toThrow(/--trusted-proxy must be IP addresses/);
    expect(() => parseWebhookFlags(['--max-concurrent-per-client', '0'], {})).toThrow(/--max-concurrent-per-client must be at least 1/);
    expect(() => parseWebhookFlags(['--metrics-token', 'short'], {})).toThrow(/--metrics-token must be at least 16 characters/);
  });
});
