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
});
