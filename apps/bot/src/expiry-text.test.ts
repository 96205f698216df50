import { describe, expect, it } from 'vitest';
import { expiryText } from './expiry-text.js';

describe('expiryText', () => {
  const now = new Date('2026-11-26T10:02:00.000Z');
  it('reads a future expiry as "in …" and a past one as "… ago"', () => {
    expect(expiryText('2026-11-26T11:00:00.000Z', now)).toBe('in 58 min');
    expect(expiryText('2026-11-26T12:07:00.000Z', now)).toBe('in 2 h 5 min');
    expect(expiryText('2026-11-26T09:50:00.000Z', now)).toBe('12 min ago');
  });
  it('keeps a timestamp it cannot read as it is', () => {
    expect(expiryText('soon', now)).toBe('soon');
  });
});
