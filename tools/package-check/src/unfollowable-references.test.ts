import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { findUnfollowableReferences, isChecked, scanTrackedFiles } from './unfollowable-references.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
// The citations are assembled from pieces so that this file does not cite anything itself.
const SECTION = '\u00a7';
const SP = ['SP', 'EC'].join('');

describe('citations a reader cannot follow', () => {
  it('finds each kind of citation, by line', () => {
    const text = [
      `/** Bounded (${SP} ${SECTION}4.2). */`,
      `it('W${40}: an edit never runs', () => {});`,
      `// codex hides denied commands (${['CODEX', 'md'].join('.')} ${SECTION}7 pitfall 1)`,
      `// as the Python ${'reference'} does`,
      `// unlike the ${'reference'} implementation`,
      `// see ${SECTION}3`,
    ].join('\n');
    expect(findUnfollowableReferences(text).map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('leaves public RFC sections, identifiers and stated rules alone', () => {
    const text = [
      `// RFC 9110 ${SECTION}7.6.1 connection-specific fields never go upstream.`,
      `const ${SP}S = []; const MAX_PATH${SP}_BYTES = 1; const ${SP}IAL_CASE = 2;`,
      '/** 128 bits: at least 64 bits make guessing impractical. */',
      "it('a W3C date and a Windows path stay', () => {});",
    ].join('\n');
    expect(findUnfollowableReferences(text)).toEqual([]);
  });

  it('checks code, scripts, configuration and docs, except the paths still being cleaned', () => {
    expect(isChecked('packages/store/src/runs.ts')).toBe(true);
    expect(isChecked('deploy/systemd/agentpr-manager.service')).toBe(true);
    expect(isChecked('README.md')).toBe(true);
    expect(isChecked('tools/fixtures/codex-events/a.jsonl')).toBe(false);
    expect(isChecked('packages/policy/src/policy.ts', ['packages/policy/'])).toBe(false);
    expect(isChecked('packages/policy/src/policy.ts', [])).toBe(true);
  });

  it('no tracked file of the repository cites one (file:line listed when it fails)', async () => {
    const found = await scanTrackedFiles(root);
    expect(found.map((f) => `${f.file}:${f.line}: ${f.text}`)).toEqual([]);
  });
});
