import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderMermaid } from './mermaid.js';
import { transitionPairs } from './resolve-event.js';
import { HOLD_STATES } from './states.js';

describe('renderMermaid', () => {
  it('draws every table edge once', () => {
    const text = renderMermaid();
    for (const [from, to] of transitionPairs()) expect(text).toContain(`  ${from} --> ${to}\n`);
    expect(text.split('\n').filter((l) => l.includes(' --> ') && !l.includes('[*]'))).toHaveLength(transitionPairs().length);
  });

  it('notes that only a human command leaves each hold state (issue 13)', () => {
    const text = renderMermaid();
    for (const state of HOLD_STATES) expect(text).toContain(`note left of ${state}: checks, reviews and unmerged closes are held, only a human command or a merge moves the run`);
  });

  it('is the diagram in the package README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderMermaid());
  });
});
