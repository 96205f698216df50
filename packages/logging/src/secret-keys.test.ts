import { textSink } from '@agentpr/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, secretRedactPaths } from './secret-keys.js';

describe('secret keys', () => {
  it('match exact names in any case and with - or _, not substrings', () => {
    for (const key of ['token', 'Authorization', 'x-api-key', 'API_KEY', 'GITHUB_TOKEN', 'set-cookie', 'client_secret']) expect(isSecretKey(key)).toBe(true);
    for (const key of ['input_tokens', 'tokens', 'secretary', 'name', 'author']) expect(isSecretKey(key)).toBe(false);
  });

  it('give pino redact paths that censor the keys on their own, up to four levels deep', () => {
    const sink = textSink();
    const fields = { token: 'v1', h: { 'x-api-key': 'v2', Authorization: 'v3' }, a: { b: { c: { password: 'v4' } } }, SECRET: 'v5' };
    pino({ redact: { paths: secretRedactPaths(), censor: REDACTED } }, sink).info(fields, 'm');
    const line = JSON.parse(sink.text) as Record<string, unknown>;
    expect(line).toMatchObject({ token: REDACTED, h: { 'x-api-key': REDACTED, Authorization: REDACTED }, a: { b: { c: { password: REDACTED } } }, SECRET: REDACTED });
  });
});
