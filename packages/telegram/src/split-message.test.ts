import { describe, expect, it } from 'vitest';
import { splitMessage } from './split-message.js';

describe('splitMessage', () => {
  it('splitMessage keeps a short reply as one message', () => {
    expect(splitMessage('a\nb')).toEqual(['a\nb']);
  });

  it('splitMessage cuts a long reply at line boundaries into messages within the limit', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const parts = splitMessage(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    expect(parts.every((p) => p.split('\n').every((l) => lines.includes(l)))).toBe(true);
  });

  it('splitMessage cuts a single over-long line without splitting a surrogate pair', () => {
    const text = '🚀'.repeat(3000);
    const parts = splitMessage(text, { limit: 4096 });
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(/^[\uDC00-\uDFFF]/.test(part)).toBe(false);
    }
    expect(parts.join('')).toBe(text);
  });

  it('splitMessage truncates beyond maxParts and says how much was left out', () => {
    const parts = splitMessage('y'.repeat(300).concat('\n').repeat(100), { limit: 1000, maxParts: 2 });
    expect(parts).toHaveLength(2);
    expect(parts[1]!.length).toBeLessThanOrEqual(1000);
    expect(parts[1]).toMatch(/reply cut: \d+ more characters/);
  });

  it('splitMessage turns an empty reply into a placeholder', () => {
    expect(splitMessage('')).toEqual(['(no output)']);
  });
});
