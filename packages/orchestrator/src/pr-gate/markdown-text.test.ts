import { describe, expect, it } from 'vitest';
import { codeSpan, escapePlaceholders, joinSections, oneLine, proseOf, splitSections, stripControl, unfilledPlaceholders } from './markdown-text.js';

describe('markdown text helpers', () => {
  it('stripControl drops terminal escapes and bidi overrides but keeps tabs and newlines', () => {
    expect(stripControl('a\x1b[31mb\r\nc\td\u202ee')).toBe('a[31mb\nc\tde');
    expect(oneLine(' a \n\n b\t c ')).toBe('a b c');
  });

  it('codeSpan shows any text literally, backticks and newlines included', () => {
    expect(codeSpan('npm test')).toBe('`npm test`');
    expect(codeSpan('echo `x`')).toBe('`` echo `x` ``');
    expect(codeSpan('a``b\nc')).toBe('```a``b c```');
  });

  it('unfilledPlaceholders sees placeholders a reader would see, not in code, comments or escaped', () => {
    const body = [
      '## Summary',
      '{summary} and {changes} and {summary}',
      '<!-- {hidden} -->',
      'inline `{code}` and \\{escaped}',
      '```',
      '{fenced}',
      '```',
      '{ not_a_placeholder } {9nope}',
    ].join('\n');
    expect(unfilledPlaceholders(body)).toEqual(['summary', 'changes']);
    expect(proseOf('a `b` c')).toBe('a  c');
  });

  it('escapePlaceholders escapes prose placeholders and leaves code alone, so nothing foreign reads as unfilled', () => {
    const text = 'Use {name} here, `{kept}` there\n```\n{fenced}\n```';
    const escaped = escapePlaceholders(text);
    expect(escaped).toBe('Use \\{name} here, `{kept}` there\n```\n{fenced}\n```');
    expect(unfilledPlaceholders(escaped)).toEqual([]);
  });

  it('splitSections splits at headings outside fences, and joinSections puts them back with blank lines', () => {
    const doc = 'intro\n\n## One\nbody 1\n```\n# not a heading\n```\n### Two ##\nbody 2\n';
    const sections = splitSections(doc);
    expect(sections.map((s) => [s.heading, s.title])).toEqual([[null, ''], ['## One', 'One'], ['### Two ##', 'Two']]);
    expect(sections[1]!.body).toContain('# not a heading');
    expect(joinSections(sections)).toBe('intro\n\n## One\n\nbody 1\n```\n# not a heading\n```\n\n### Two ##\n\nbody 2\n');
    expect(splitSections('## Only\nx').map((s) => s.title)).toEqual(['Only']);
  });
});
