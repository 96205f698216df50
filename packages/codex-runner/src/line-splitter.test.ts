import { describe, expect, it } from 'vitest';
import { BoundedTail, boundTail } from './bounded-tail.js';
import { LineSplitter } from './line-splitter.js';

describe('LineSplitter', () => {
  it('LineSplitter splits on \\n only and keeps \\r, U+2028 and U+2029 inside lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('a\r\nb\u2028c\u2029d\ne'));
    splitter.end();
    expect(lines).toEqual(['a\r', 'b\u2028c\u2029d', 'e']);
  });

  it('LineSplitter decodes a UTF-8 character split across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('é€\n');
    for (const byte of bytes) splitter.push(Buffer.from([byte]));
    splitter.end();
    expect(lines).toEqual(['é€']);
  });

  it('LineSplitter keeps an empty line between two newlines but adds none after the last one', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('x\n\n'));
    splitter.end();
    expect(lines).toEqual(['x', '']);
  });
});

describe('BoundedTail', () => {
  it('BoundedTail keeps short text as is', () => {
    const tail = new BoundedTail(10);
    tail.push('abc');
    tail.push(Buffer.from('def'));
    expect(tail.text()).toBe('abcdef');
    expect(tail.dropped).toBe(0);
  });

  it('BoundedTail keeps the last bytes with a truncation marker', () => {
    expect(boundTail('0123456789abcdef', 6)).toBe('[... 10 bytes truncated ...]\nabcdef');
  });

  it('BoundedTail never starts inside a UTF-8 sequence', () => {
    const text = boundTail('ab€€', 4);
    expect(text.endsWith('€')).toBe(true);
    expect(text).not.toContain('\ufffd');
  });
});
