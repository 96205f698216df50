import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderMermaid } from './mermaid.js';
import { transitionPairs } from './resolve-event.js';

describe('renderMermaid', () => {
  it('draws every table edge once', () => {
    const text = renderMermaid();
    for (const [from, to] of transitionPairs()) expect(text).toContain(`  ${from} --> ${to}\n`);
    expect(text.split('\n').filter((l) => l.includes(' --> ') && !l.includes('[*]'))).toHaveLength(transitionPairs().length);
  });

  it('is the diagram in the package README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderMermaid());
  });
});
