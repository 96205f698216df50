import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { confirmTokenMatches, hashConfirmToken, newConfirmToken } from './confirm-token.js';

describe('confirm tokens', () => {
  it('newConfirmToken carries 128 random bits as 32 upper-case hex characters', () => {
    const tokens = new Set(Array.from({ length: 200 }, newConfirmToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^[0-9A-F]{32}$/);
  });

  it('hashConfirmToken is the SHA-256 of the trimmed upper-cased token; confirmTokenMatches compares it', () => {
    const token = newConfirmToken();
    expect(hashConfirmToken(` ${token.toLowerCase()} `)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(confirmTokenMatches(token.toLowerCase(), hashConfirmToken(token))).toBe(true);
    expect(confirmTokenMatches(newConfirmToken(), hashConfirmToken(token))).toBe(false);
    expect(confirmTokenMatches(token, 'not-hex')).toBe(false);
  });
});
