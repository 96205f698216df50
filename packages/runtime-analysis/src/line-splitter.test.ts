import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: Array<string | Uint8Array>, maxLineChars?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineChars === undefined ? {} : { maxLineChars });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits text and bytes on \\n only, keeping \\r, U+2028 and U+2029 inside lines', () => {
    const text = 'a\r\nb\u2028c\u2029d\ne';
    expect(split([text])).toEqual(['a\r', 'b\u2028c\u2029d', 'e']);
    expect(split([Buffer.from(text)])).toEqual(['a\r', 'b\u2028c\u2029d', 'e']);
  });

  it('decodes a UTF-8 character split across byte chunks', () => {
    const bytes = Buffer.from('x€y\n', 'utf8');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3)])).toEqual(['x€y']);
  });

  it('keeps empty lines between newlines but adds none after the last one', () => {
    expect(split(['a\n\n', 'b\n'])).toEqual(['a', '', 'b']);
    expect(split([Buffer.from('a\n\nb\n')])).toEqual(['a', '', 'b']);
  });

  it('cuts a line longer than maxLineChars to maxLineChars + 1 without buffering the rest', () => {
    expect(split(['ab', 'cdef', 'gh\nok\n'], 3)).toEqual(['abcd', 'ok']);
    expect(split([Buffer.from('ab'), Buffer.from('cdef'), Buffer.from('gh\nok\n')], 3)).toEqual(['abcd', 'ok']);
    expect(split(['abcdefgh\nok'], 3)).toEqual(['abcd', 'ok']);
    expect(split(['abcdefgh'], 3)).toEqual(['abcd']);
  });

  it('passes lines of any length when no limit is given', () => {
    const long = 'z'.repeat(100_000);
    expect(split([long.slice(0, 10), long.slice(10), '\n'])).toEqual([long]);
  });
});
