import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AiStance } from '@agentpr/policy';
import { classifyAiStance } from './ai-stance.js';
import { contributionDocumentKind } from './contribution-documents.js';

// The vendored corpus of real contribution policies (packages/citizenship/corpus/<stance>/, sources in SOURCES.md):
// every file must classify to the stance its folder names, on sentences it really contains.
const CORPUS = resolve(import.meta.dirname, '..', 'corpus');
const STANCES: readonly AiStance[] = ['forbidden', 'issue_first', 'disclosure_required', 'allowed', 'unknown'];

/** The corpus files of a stance, with the source path their header names (for the document kind). */
function corpusFiles(stance: AiStance): Array<{ name: string; text: string; sourcePath: string }> {
  const dir = join(CORPUS, stance);
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const sourcePath = /^\s*path: (\S+)$/m.exec(text)?.[1] ?? name;
      return { name, text, sourcePath };
    });
}

describe('the AI-policy corpus', () => {
  it('has at least three real texts per stance and fifteen in all, each listed in SOURCES.md', () => {
    const sources = readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8');
    let total = 0;
    for (const stance of STANCES) {
      const files = corpusFiles(stance);
      expect(files.length, stance).toBeGreaterThanOrEqual(3);
      total += files.length;
      for (const file of files) expect(sources, file.name).toContain(`${stance}/${file.name}`);
    }
    expect(total).toBeGreaterThanOrEqual(15);
  });

  for (const stance of STANCES) {
    for (const file of corpusFiles(stance)) {
      it(`classifyAiStance reads ${stance}/${file.name} as ${stance}, quoting sentences it contains`, () => {
        const kind = contributionDocumentKind(file.sourcePath) ?? 'contributing';
        const result = classifyAiStance([{ path: file.sourcePath, kind, text: file.text }]);
        expect(result.stance).toBe(stance);
        if (stance === 'unknown') {
          expect(result.evidence).toEqual([]);
          return;
        }
        expect(result.evidence.length).toBeGreaterThan(0);
        for (const evidence of result.evidence) {
          expect(evidence.path).toBe(file.sourcePath);
          expect(file.text).toContain(evidence.quote);
          expect(evidence.quote.length).toBeLessThanOrEqual(300);
        }
      });
    }
  }
});
