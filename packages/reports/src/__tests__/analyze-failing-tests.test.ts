import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { analyzeStream } from '../index.js';
import { testReportPaths } from './report-test-context.js';

afterAll(() => cleanupTempDirs());

const dir = tempDir('agentpr-analyze-tests-');
const ctx = { clock: () => new Date('2026-12-04T00:00:00Z'), paths: testReportPaths(dir) };

/** A codex stream where `pytest` failed naming `failing` tests, and nothing was re-run. */
function stream(failing: readonly string[]): string {
  const output = ['=========================== short test summary info ============================', ...failing.map((t) => `FAILED ${t} - assert 1 == 2`), `${failing.length} failed, 3 passed`].join('\n');
  const events = [
    { type: 'turn.started' },
    { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -lc 'python -m pytest'", aggregated_output: output, exit_code: 1, status: 'failed' } },
    { type: 'turn.completed', usage: {} },
  ];
  const file = join(dir, `events-${failing.length}.jsonl`);
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
  return file;
}

function baselineFile(value: unknown): string {
  const file = join(dir, `baseline-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('analyzeStream names failing tests', () => {
  it('lists the failing tests with their excerpt; without a baseline none is known to fail before the agent', async () => {
    const r = await analyzeStream(ctx, { file: stream(['tests/test_a.py::test_add']) });
    expect(r.reason_code).toBe('test_command_failed');
    expect(r.failing_tests).toEqual([{ name: 'tests/test_a.py::test_add', excerpt: 'assert 1 == 2', before_agent: false }]);
    expect(r.digest.validation.failing_tests).toEqual(r.failing_tests);
    expect(r.baseline).toBeNull();
    expect(r.insight).toContain('`tests/test_a.py::test_add` (no baseline to compare with): assert 1 == 2');
  });

  it('with run-prepare\'s baseline file, tests failing there are failing before the agent and do not fail the verdict', async () => {
    const base = baselineFile({ run_id: 'run_1', outcome: 'failed', failing_tests: ['tests/test_a.py::test_add'], command: ['python3', '-m', 'pytest'] });
    const r = await analyzeStream(ctx, { file: stream(['tests/test_a.py::test_add']), baselineFile: base });
    expect([r.grade, r.reason_code]).toEqual(['PASS', 'runtime_success_pre_existing_test_failures']);
    expect(r.failing_tests).toEqual([expect.objectContaining({ name: 'tests/test_a.py::test_add', before_agent: true })]);
    expect(r.baseline).toEqual({ outcome: 'failed', failing_tests: ['tests/test_a.py::test_add'], file: base });
  });

  it('a bad or skipped baseline file is a one-line error naming it', async () => {
    const file = stream(['tests/test_a.py::test_add']);
    await expect(analyzeStream(ctx, { file, baselineFile: join(dir, 'missing.json') })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('cannot read --baseline-file') });
    await expect(analyzeStream(ctx, { file, baselineFile: baselineFile({ outcome: 'skipped', reason: 'disabled' }) })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('records a skipped baseline (disabled)') });
    await expect(analyzeStream(ctx, { file, baselineFile: baselineFile({ outcome: 'failed', failing_tests: [1] }) })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('outcome and failing_tests are missing or invalid') });
  });
});
