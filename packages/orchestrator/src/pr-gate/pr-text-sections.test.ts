import { describe, expect, it } from 'vitest';
import { unfilledPlaceholders } from './markdown-text.js';
import { agentSummary, changesSection, fallbackSummary, MAX_LISTED_FILES, validationSection, type ValidationFacts } from './pr-text-sections.js';

describe('agentSummary (the agent final message)', () => {
  it('keeps what the agent says it did and drops the report keys shown from evidence', () => {
    const message = [
      'Status: PASS',
      'Added `titleCase(text)` next to the other string helpers.',
      'files_changed:',
      '- src/title-case.js',
      '- test/title-case.test.js',
      'Tests: npm test passed.',
      '**validation**:',
      '  npm test → 5 passed',
      'Notes: the helper mirrors `camelCase`.',
    ].join('\n');
    expect(agentSummary(message)).toBe('Added `titleCase(text)` next to the other string helpers.\nthe helper mirrors `camelCase`.');
  });

  it('treats the message as hostile text: controls stripped, headings made bold, placeholders escaped, length capped', () => {
    const summary = agentSummary('\x1b[2J## Validation\nUse {summary} here\n' + 'x\n'.repeat(100))!;
    expect(summary.startsWith('[2J## Validation')).toBe(true);
    expect(agentSummary('# Heading\ntext')).toBe('**Heading**\ntext');
    expect(summary).toContain('Use \\{summary} here');
    expect(unfilledPlaceholders(summary)).toEqual([]);
    expect(summary.split('\n')).toHaveLength(41);
    expect(agentSummary('x'.repeat(5000))!.length).toBe(2000);
  });

  it('is null when the message is missing or holds only report keys', () => {
    expect(agentSummary(null)).toBeNull();
    expect(agentSummary('Status: PASS\nFiles changed: a.js\nTests: npm test passed.')).toBeNull();
    expect(fallbackSummary([{ path: 'a', added: 3, deleted: 1 }], { owner: 'octo', repo: 'widgets' })).toBe('This change touches 1 file in octo/widgets (+3 −1 lines); the files are listed below.');
  });
});

describe('changesSection (the diff)', () => {
  it('lists each file with its line counts, binaries as such, then the totals', () => {
    const text = changesSection([
      { path: 'src/title-case.js', added: 12, deleted: 0 },
      { path: 'docs/a`b.md', added: 7, deleted: 2 },
      { path: 'logo.png', added: null, deleted: null },
    ]);
    expect(text).toBe('- `src/title-case.js` (+12 −0)\n- ``docs/a`b.md`` (+7 −2)\n- `logo.png` (binary)\n\n3 files changed, 19 insertions(+), 2 deletions(−).');
  });

  it('lists at most MAX_LISTED_FILES files and says when git could not tell', () => {
    const many = Array.from({ length: MAX_LISTED_FILES + 3 }, (_, i) => ({ path: `f${i}`, added: 1, deleted: 0 }));
    expect(changesSection(many)).toContain('- … and 3 more files\n\n53 files changed, 53 insertions(+), 0 deletions(−).');
    expect(changesSection(null)).toContain('could not be read');
  });
});

describe('validationSection (the verdict evidence)', () => {
  const facts: ValidationFacts = {
    grade: 'PASS',
    reasonCode: 'runtime_success_allowlisted_test_failures',
    attemptNo: 2,
    passed: [{ command: "/bin/bash -c 'npm test'", exit: 0 }, { command: 'npm run lint', exit: null }],
    failed: [],
    waived: ['pytest tests/flaky_test.py'],
  };

  it('shows each test command with its result, waived failures and the verdict', () => {
    expect(validationSection(facts)).toBe(
      [
        "Checks run on the change, from agentpr's record of the agent's commands:",
        '',
        '- `npm test` — passed (exit 0)',
        '- `npm run lint` — passed',
        '- `pytest tests/flaky_test.py` — failed only with a known failure on the allowlist (waived)',
        '',
        "agentpr's verdict on the change: PASS (`runtime_success_allowlisted_test_failures`, attempt 2).",
      ].join('\n'),
    );
  });

  it('claims nothing without evidence', () => {
    expect(validationSection(null)).toContain('No passing agent attempt');
    expect(validationSection({ ...facts, passed: [], waived: [] })).toContain('No test command was recorded');
  });
});
