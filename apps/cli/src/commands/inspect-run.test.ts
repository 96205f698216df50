import { describe, expect, it } from 'vitest';
import { ciLine } from './inspect-run.js';

const at = '2026-12-04T12:00:00.000Z';

describe('inspect-run text', () => {
  it('ciLine names the failing checks of a red verdict, says when none were recorded, and shows a green one plainly', () => {
    expect(ciLine({ conclusion: 'failure', red: true, pr_number: 7, head_sha: 'abcdef0123', failing_checks: ['lint', 'test (3.12)'], at })).toBe(
      'CI: failure on abcdef0 — failing: lint, test (3.12)',
    );
    expect(ciLine({ conclusion: 'failure', red: true, pr_number: 7, head_sha: null, failing_checks: null, at })).toBe('CI: failure — failing: (check names not recorded)');
    expect(ciLine({ conclusion: 'success', red: false, pr_number: 7, head_sha: 'abcdef0123', failing_checks: null, at })).toBe('CI: success on abcdef0');
  });
});
