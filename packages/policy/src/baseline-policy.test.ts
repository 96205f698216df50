import { describe, expect, it } from 'vitest';
import { effectiveBaselinePolicy } from './baseline-policy.js';
import { DEFAULT_MANAGER_POLICY, parseManagerPolicy } from './manager-policy.js';

describe('baseline_tests policy', () => {
  it('is on by default, detects the command, and bounds time and output', () => {
    expect(effectiveBaselinePolicy(DEFAULT_MANAGER_POLICY.baseline_tests, 'o', 'r')).toEqual({ enabled: true, command: null, max_seconds: 600, max_output_bytes: 1_048_576 });
  });

  it('a repository entry turns it off or names the command; the bare-repo key applies last', () => {
    const r = parseManagerPolicy({ baseline_tests: { command: ['make', 'test'], repos: { 'Acme/Slow': { enabled: false }, slow: { command: ['npm', 'run', 'test:unit'] } } } });
    if (!r.ok) throw new Error(r.issues.join('; '));
    expect(r.warnings).toEqual([]);
    expect(effectiveBaselinePolicy(r.policy.baseline_tests, 'acme', 'slow')).toMatchObject({ enabled: false, command: ['npm', 'run', 'test:unit'] });
    expect(effectiveBaselinePolicy(r.policy.baseline_tests, 'acme', 'other')).toMatchObject({ enabled: true, command: ['make', 'test'] });
  });

  it('bad values are one-line issues naming the field', () => {
    const r = parseManagerPolicy({ baseline_tests: { command: 'npm test', max_seconds: 0, repos: { x: { enabled: 'no', shell: true } } } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.join('\n')).toMatch(/baseline_tests\.command: must be an array of strings/);
    expect(r.issues.join('\n')).toMatch(/baseline_tests\.max_seconds: must be at least 1/);
    expect(r.issues.join('\n')).toMatch(/baseline_tests\.repos\.x\.(enabled: must be true or false|shell: unknown field)/);
  });
});
