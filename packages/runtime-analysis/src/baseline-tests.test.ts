import { describe, expect, it } from 'vitest';
import type { BaselineTests } from './baseline-tests.js';
import { classifyAttempt } from './classify-attempt.js';
import { renderManagerInsight } from './manager-insight.js';
import { buildRunDigest } from './run-digest.js';
import { buildStageSnapshot } from './stage-snapshot.js';
import { analyzeEventText } from './stream-analyzer.js';

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
