import { describe, expect, it } from 'vitest';
import { textSink } from '@agentpr/testing';
import { main } from '../main.js';

describe('agentpr-webhook output (issue 13: secrets never printed)', () => {
  it('a usage error that would echo a secret flag or a database password prints *** instead', async () => {
    const stdout = textSink();
    const stderr = textSink();
    const secret = 'whsec-CANARY-0123456789';
    const code = await main(['--secret', secret, '--database-url', 'postgres://u:pw-CANARY-98765@127.0.0.1:1/x', '--port', secret], { stdout, stderr, env: { AGENTPR_TELEGRAM_BOT_TOKEN: '123:bot-CANARY-abcdef' }, signal: new AbortController().signal });
    expect(code).toBe(2);
    for (const text of [stdout.text, stderr.text]) {
      expect(text).not.toContain('CANARY');
    }
  });
});
