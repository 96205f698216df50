import { describe, expect, it } from 'vitest';
import { botIdFromToken, redactSecrets, tokenSecrets } from './bot-token.js';

describe('botIdFromToken', () => {
  it('botIdFromToken returns the numeric prefix', () => {
    expect(botIdFromToken('123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw')).toBe('123456789');
  });

  it('botIdFromToken refuses a malformed token without echoing it', () => {
    expect(() => botIdFromToken('not-a-token-secret')).toThrow(/malformed/);
    expect(() => botIdFromToken('not-a-token-secret')).not.toThrow(/not-a-token-secret/);
  });
});

describe('redactSecrets', () => {
  it('redactSecrets removes the bot token, its secret half and confirm-token-shaped text', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const text = `url /bot${token}/getMe secret AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw token 0123456789ABCDEF new 0123456789ABCDEF0123456789abcdef run run_45f3cbdcdc56 sha ${'a'.repeat(40)}`;
    const out = redactSecrets(text, tokenSecrets(token));
    expect(out).not.toContain('AAHdqTcv');
    expect(out).not.toContain('0123456789ABCDEF');
    expect(out).not.toContain('0123456789abcdef');
    expect(out).toContain('token <redacted> new <redacted> run');
    expect(out).toContain('run_45f3cbdcdc56');
    expect(out).toContain('a'.repeat(40));
  });
});
