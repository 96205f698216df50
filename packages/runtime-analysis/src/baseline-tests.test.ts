import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BaselineTests } from './baseline-tests.js';
import { classifyAttempt } from './classify-attempt.js';
import { parseFailingTests } from './failing-test-names.js';
import { renderManagerInsight } from './manager-insight.js';
import { buildRunDigest } from './run-digest.js';
import { buildStageSnapshot } from './stage-snapshot.js';
import { analyzeEventText } from './stream-analyzer.js';
import type { DiffSummary } from './types.js';

/** TAP as node:test prints it without a terminal, one `not ok` per failing test. */
function tap(failing: readonly string[]): string {
  const lines = ['TAP version 13'];
  failing.forEach((name, i) => lines.push(`not ok ${i + 1} - ${name}`, '  ---', '  duration_ms: 1.2', `  error: 'expected ${name} to pass'`, '  ...'));
  lines.push(`# fail ${failing.length}`);
  return lines.join('\n');
}

/** An agent stream: a file change and one `npm test` that exits `exit` with `output`. */
function stream(output: string, exit: number): string {
  return [
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -lc 'npm test'", aggregated_output: output, exit_code: exit, status: exit === 0 ? 'completed' : 'failed' } },
    { type: 'turn.completed', usage: {} },
  ].map((l) => JSON.stringify(l)).join('\n');
}

function classify(output: string, baseline: BaselineTests | null, exit = 1) {
  const analysis = analyzeEventText(stream(output, exit));
  const classification = classifyAttempt({ stage: 'IMPLEMENTING', agentExit: 0, analysis, maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1, baseline });
  return { analysis, classification };
}

const baseline: BaselineTests = { outcome: 'failed', failing_tests: ['adds numbers'] };

describe('classifyAttempt with a baseline', () => {
  it('a test that already failed on the base commit does not fail the attempt, and counts as test evidence', () => {
    const { classification: c } = classify(tap(['adds numbers']), baseline);
    expect(c.grade).toBe('PASS');
    expect(c.reason_code).toBe('runtime_success_pre_existing_test_failures');
    expect(c.failing_tests).toEqual([{ name: 'adds numbers', excerpt: "error: 'expected adds numbers to pass'", before_agent: true }]);
    expect(c.details.pre_existing_test_failures).toEqual(["/bin/bash -lc 'npm test'"]);
    const item = c.evidence.find((e) => e.failing_tests);
    expect(item?.failing_tests).toEqual([{ name: 'adds numbers', before_agent: true }]);
    expect(item?.note).toContain('"adds numbers"; every one of them already failed on the base commit before the agent');
  });

  it('a new failing test makes the agent responsible for all of them: test_command_failed, each test marked before_agent or not', () => {
    const { classification: c } = classify(tap(['adds numbers', 'subtracts']), baseline);
    expect(c.grade).toBe('HUMAN_REVIEW');
    expect(c.reason_code).toBe('test_command_failed');
    expect(c.failing_tests?.map((t) => [t.name, t.before_agent])).toEqual([['adds numbers', true], ['subtracts', false]]);
    expect(c.details.broken_by_agent).toEqual({ new_failing_tests: ['subtracts'], failing_count: 2, baseline_count: 1 });
    expect(c.evidence.map((e) => e.note).join('\n')).toContain('2 test(s) fail, 1 failed before the agent; new: "subtracts" → broken by the agent');
  });

  it('without a baseline (or one that passed) failing tests are the agent\'s: before_agent false', () => {
    for (const b of [null, { outcome: 'passed', failing_tests: [] } as BaselineTests]) {
      const { classification: c } = classify(tap(['adds numbers']), b);
      expect(c.reason_code).toBe('test_command_failed');
      expect(c.failing_tests).toEqual([expect.objectContaining({ name: 'adds numbers', before_agent: false })]);
    }
  });

  it('a failed command whose output names no test cannot be attributed and still fails the attempt', () => {
    const { classification: c } = classify('Error: Cannot find module ./missing', baseline);
    expect(c.reason_code).toBe('test_command_failed');
    expect(c.failing_tests).toBeUndefined();
  });

  it('the digest and the insight carry the failing tests, and pre-existing failures are not counted as failed', () => {
    const { analysis, classification } = classify(tap(['adds numbers']), baseline);
    const digest = buildRunDigest({
      run: { run_id: 'run_1', owner: 'o', repo: 'r', mode: 'push_only', prompt_version: 'v1', workspace_dir: '/ws' },
      stateBefore: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING', attempt: { attemptNo: 1, durationMs: 725_000, agentExit: 0 },
      classification, skillPlan: null, analysis, diff: null, workspace: null,
      policyUsed: { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' },
      stages: buildStageSnapshot([]), preflight: null, now: new Date('2026-12-04T00:00:00Z'),
    });
    expect(digest.validation).toMatchObject({
      test_command_count: 1,
      failed_test_command_count: 0,
      failed_test_commands: [],
      pre_existing_test_failures: ["/bin/bash -lc 'npm test'"],
      failing_tests: [{ name: 'adds numbers', excerpt: "error: 'expected adds numbers to pass'", before_agent: true }],
    });
    const md = renderManagerInsight(digest);
    expect(md).toContain('## Failing tests');
    expect(md).toContain("- `adds numbers` (failing before the agent): error: 'expected adds numbers to pass'");
    expect(md).toContain('- Attempt 1: 12 min, exit code 0');
  });
});

describe('classifyAttempt with a baseline: runners that report per test or per file (real node --test outputs)', () => {
  const fixture = (name: string) => readFileSync(new URL(`./__tests__/fixtures/test-output/${name}`, import.meta.url), 'utf8');
  // The baseline ran in a throwaway copy; the agent ran in the workspace. Both are compared relative to their root.
  const copy = '/data/baselines/run_1-abc';
  const baselineOf = (output: string): BaselineTests => {
    const found = parseFailingTests(output.replaceAll('/srv/repo', copy), { roots: [copy] });
    return { outcome: 'failed', failing_tests: found.map((t) => t.name), failing_test_locations: found.flatMap((t) => (t.file ? [{ name: t.name, file: t.file }] : [])) };
  };
  const alphaBaseline = baselineOf(fixture('node-test-per-test.txt'));
  const diff = (changed: string[]): DiffSummary => ({
    changed_files: changed, changed_files_count: changed.length, untracked_files: [], untracked_files_count: 0, ignored_files: [], ignored_files_count: 0,
    added_lines: 10, deleted_lines: 0, baseline: 'abc',
  });
  const judge = (output: string, b: BaselineTests, changed: string[] | null = ['src/title-case.js', 'test/title-case.test.js']) =>
    classifyAttempt({
      stage: 'IMPLEMENTING', agentExit: 0, analysis: analyzeEventText(stream(output, 1)), maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1,
      baseline: b, workspaceDirs: ['/srv/repo'], diff: changed ? diff(changed) : null,
    });

  it('the baseline records where its failing test lives', () => {
    expect(alphaBaseline).toEqual({ outcome: 'failed', failing_tests: ['legacy slugify keeps accents'], failing_test_locations: [{ name: 'legacy slugify keeps accents', file: 'test/legacy.test.js' }] });
  });

  it('a file reported whole (node:test under the sandbox) whose baseline failure lives in it is the same failure: PASS, pre-existing', () => {
    const c = judge(fixture('node-test-per-file.txt'), alphaBaseline);
    expect(c.grade).toBe('PASS');
    expect(c.reason_code).toBe('runtime_success_pre_existing_test_failures');
    expect(c.failing_tests).toEqual([expect.objectContaining({ name: 'test/legacy.test.js', file: 'test/legacy.test.js', per_file: true, before_agent: true, baseline_tests: ['legacy slugify keeps accents'] })]);
    expect(c.failing_tests![0]!.excerpt).toMatch(/^reported per file; failing there before the agent: legacy slugify keeps accents\n/);
    const notes = c.evidence.map((e) => e.note).join('\n');
    expect(notes).toContain('test/legacy.test.js was reported as a whole file, not per test; the baseline\'s failing test(s) there ("legacy slugify keeps accents") → counted as the same failure');
  });

  it('the same failure reported per test also passes', () => {
    expect(judge(fixture('node-test-per-test.txt'), alphaBaseline).reason_code).toBe('runtime_success_pre_existing_test_failures');
  });

  it('a new failure in the same file fails the attempt when the output names tests', () => {
    const attempt = fixture('node-test-per-test-two-files.txt').replaceAll('test/more.test.js', 'test/legacy.test.js');
    const c = judge(attempt, alphaBaseline);
    expect(c.reason_code).toBe('test_command_failed');
    expect(c.details.broken_by_agent).toMatchObject({ new_failing_tests: ['trims twice', 'legacy helpers'] });
    expect(c.failing_tests?.find((t) => t.name === 'trims twice')).toMatchObject({ file: 'test/legacy.test.js', before_agent: false });
  });

  it('a whole file that did not fail before is broken by the agent', () => {
    const c = judge(fixture('node-test-per-file-two-files.txt'), alphaBaseline);
    expect(c.reason_code).toBe('test_command_failed');
    expect(c.details.broken_by_agent).toMatchObject({ new_failing_tests: ['test/more.test.js'] });
  });

  it('when it cannot tell it says so and escalates: the agent changed the file, the diff is unknown, or the baseline has no locations', () => {
    const cases: Array<[BaselineTests, string[] | null, string]> = [
      [alphaBaseline, ['test/legacy.test.js'], 'which the agent changed'],
      [alphaBaseline, null, 'what the agent changed is not known'],
      [{ outcome: 'failed', failing_tests: ['legacy slugify keeps accents'] }, [], 'the baseline did not record which file its failing tests live in'],
    ];
    for (const [b, changed, why] of cases) {
      const c = judge(fixture('node-test-per-file.txt'), b, changed);
      expect(c.grade, why).toBe('HUMAN_REVIEW');
      expect(c.reason_code).toBe('test_command_failed');
      expect(c.details.undetermined_test_failures).toEqual([{ name: 'test/legacy.test.js', reason: expect.stringContaining(why) }]);
      expect(c.evidence.map((e) => e.note).join('\n')).toContain('→ cannot tell whether the agent broke it; not excused');
    }
  });

  it('a whole file outside the repository root cannot be compared', () => {
    const c = classifyAttempt({
      stage: 'IMPLEMENTING', agentExit: 0, analysis: analyzeEventText(stream(fixture('node-test-per-file.txt'), 1)), maxChangedFiles: 8, maxAddedLines: 150,
      maxRetryableAttempts: 3, minTestCommands: 1, baseline: alphaBaseline, workspaceDirs: ['/elsewhere'], diff: diff([]),
    });
    expect(c.reason_code).toBe('test_command_failed');
    expect(c.details.undetermined_test_failures).toEqual([{ name: '/srv/repo/test/legacy.test.js', reason: expect.stringContaining('a path outside the repository') }]);
  });
});
