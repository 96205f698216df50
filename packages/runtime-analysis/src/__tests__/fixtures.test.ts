import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeEventStream } from '../read-event-stream.js';
import { classifyAttempt } from '../classify-attempt.js';
import { decideRetention } from '../retention.js';
import type { StreamAnalysis } from '../stream-analyzer.js';
import type { Classification, EvidenceItem } from '../types.js';

// <repo>/tools/fixtures (vendored captures), resolved from this file (<repo>/packages/runtime-analysis/src/__tests__)
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../tools/fixtures');
const EVENTS = join(FIXTURES, 'codex-events');
const CAPTURES = join(FIXTURES, 'codex-0.169-captures');

const DEXTER_ALLOWLIST = ['\\.dexter/gateway-debug\\.log', 'No such file or directory.*gateway-debug\\.log'];

const STREAMS = {
  dexter1: 'calib_dexter_20260225_r2_agent_events_20260225T010156572938Z.jsonl',
  dexter2: 'calib_dexter_20260225_r2_agent_events_20260225T010449205273Z.jsonl',
  mem0r1: 'calib_mem0_20260225_r1_agent_events_20260225T004707761683Z.jsonl',
  mem0r2: 'calib_mem0_20260225_r2_agent_events_20260225T005934988847Z.jsonl',
  mem0r3: 'calib_mem0_20260225_r3_agent_events_20260225T022056291528Z.jsonl',
  smoke1: 'run_policy_smoke_20260224_agent_events_20260224T235433957166Z.jsonl',
  smoke2: 'run_policy_smoke_20260224_agent_events_20260224T235714672437Z.jsonl',
  smoke3: 'run_policy_smoke_20260224_agent_events_20260225T001601002465Z.jsonl',
  smoke4: 'run_policy_smoke_20260224_agent_events_20260225T001719522551Z.jsonl',
  smoke5: 'run_policy_smoke_20260224_agent_events_20260225T003958155866Z.jsonl',
} as const;

interface Verdict {
  a: StreamAnalysis;
  c: Classification;
}

const defaults = { maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };

async function codexEvents(name: keyof typeof STREAMS, stage: string, opts: { allowlist?: string[]; minTestCommands?: number } = {}): Promise<Verdict> {
  const a = await analyzeEventStream(join(EVENTS, STREAMS[name]), { allowlist: opts.allowlist ?? [] });
  const agentExit = a.inferred_exit_code.exit_code;
  const minTests = opts.minTestCommands !== undefined ? { minTestCommands: opts.minTestCommands } : {};
  const c = classifyAttempt({ ...defaults, ...minTests, stage, agentExit, analysis: a });
  return { a, c };
}

async function capture(
  folder: string,
  stage: string,
  opts: { workspaceDir?: string; retryableStreak?: number } = {},
): Promise<Verdict & { agentExit: number; stderr: string }> {
  const dir = join(CAPTURES, folder);
  const stderr = readFileSync(join(dir, 'stderr.txt'), 'utf8');
  const agentExit = Number(readFileSync(join(dir, 'exit-code.txt'), 'utf8').trim());
  const a = await analyzeEventStream(join(dir, 'stdout.jsonl'), { stderr, workspaceDir: opts.workspaceDir ?? '/RUN/ws' });
  const c = classifyAttempt({ ...defaults, stage, agentExit, stderr, analysis: a, retryableStreak: opts.retryableStreak ?? 1 });
  return { a, c, agentExit, stderr };
}

/** Asserts that the verdict names this piece of evidence. */
function expectEvidence(c: Classification, want: { line?: number | null; exit_code?: number | null; command?: string; note?: string | RegExp }): EvidenceItem {
  const found = c.evidence.find(
    (e) =>
      (want.line === undefined || e.line === want.line) &&
      (want.exit_code === undefined || e.exit_code === want.exit_code) &&
      (want.command === undefined || (e.command ?? '').includes(want.command)) &&
      (want.note === undefined || (typeof want.note === 'string' ? e.note.includes(want.note) : want.note.test(e.note))),
  );
  expect(found, `evidence ${JSON.stringify(want)} in ${JSON.stringify(c.evidence.map((e) => e.note), null, 2)}`).toBeDefined();
  return found!;
}

describe('codex-events (February 2026 real runs)', () => {
  it('dexter r2 010156 (IMPLEMENTING): typecheck never passes → HUMAN_REVIEW test_command_failed; the bun test failure was fixed', async () => {
    const { a, c } = await codexEvents('dexter1', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'test_command_failed']);
    expectEvidence(c, { line: 69, exit_code: 2, command: 'bun run typecheck', note: 'line 69: `bun run typecheck` exit 2, never re-run successfully' });
    expectEvidence(c, { line: 90, exit_code: 2, command: 'bun run typecheck' });
    expectEvidence(c, { line: 75, exit_code: 1, note: 'line 75: `bun test` exit 1; line 87: `bun test` exit 0 for the same target → fixed' });
    expect(a.failed_test_command_count).toBe(2);
    expect(a.failed_test_commands.every((cmd) => cmd.includes('bun run typecheck'))).toBe(true);
    // A search is not a test run: `rg -n "typecheck|bun test|bun run" .github -S` (line 44) is no test evidence; only line 87 is
    expect(a.test_runs.map((r) => r.line)).toEqual([87]);
    expect(a.test_commands.some((cmd) => cmd.includes('rg -n'))).toBe(false);
  });

  it('dexter r2 010156 with the dexter allowlist stays test_command_failed: the typecheck output does not match it', async () => {
    const { a, c } = await codexEvents('dexter1', 'IMPLEMENTING', { allowlist: DEXTER_ALLOWLIST });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'test_command_failed']);
    expectEvidence(c, { line: 69, exit_code: 2, note: 'never re-run successfully for the same target → failed' });
    expect(a.waived_test_failures).toEqual([]);
  });

  it('dexter r2 010449 (LOCAL_VALIDATING): typecheck and bun test fail twice each → HUMAN_REVIEW test_command_failed', async () => {
    const { a, c } = await codexEvents('dexter2', 'LOCAL_VALIDATING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'test_command_failed']);
    expectEvidence(c, { line: 21, exit_code: 2, command: 'bun run typecheck' });
    expectEvidence(c, { line: 26, exit_code: 1, command: 'bun test' });
    expectEvidence(c, { line: 38, exit_code: 2, command: 'bun run typecheck' });
    expectEvidence(c, { line: 41, exit_code: 1, command: 'bun test' });
    expect(a.failed_test_command_count).toBe(4);
    expect(a.test_commands).toEqual([]);
  });

  it('dexter r2 010449 with the dexter allowlist waives only the bun test runs whose own output names gateway-debug.log', async () => {
    const { a, c } = await codexEvents('dexter2', 'LOCAL_VALIDATING', { allowlist: DEXTER_ALLOWLIST });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'test_command_failed']);
    expectEvidence(c, { line: 26, exit_code: 1, note: /matches allowlist pattern .*gateway-debug.* → waived/ });
    expectEvidence(c, { line: 41, exit_code: 1, note: /→ waived/ });
    expectEvidence(c, { line: 21, exit_code: 2, note: '`bun run typecheck` exit 2, never re-run successfully for the same target → failed' });
    expect(a.failed_test_commands).toHaveLength(2);
    expect(a.failed_test_commands.every((cmd) => cmd.includes('bun run typecheck'))).toBe(true);
    expect(a.waived_test_failures).toHaveLength(2);
    expect(a.waived_test_failures.every((cmd) => cmd.includes('bun test'))).toBe(true);
    expect(a.allowlisted_test_failure_matches).toEqual(DEXTER_ALLOWLIST);
  });

  it('mem0 r1 (IMPLEMENTING): the agent is blocked on a missing contract and says NEEDS REVIEW → HUMAN_REVIEW agent_reported_needs_review', async () => {
    const { a, c } = await codexEvents('mem0r1', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'agent_reported_needs_review']);
    expectEvidence(c, { line: 40, note: 'reports status NEEDS REVIEW' });
    expectEvidence(c, { line: 11, exit_code: 1, command: 'cat orchestrator/data/contracts/baseline_mem0_20260224.md' });
    // failing cat/rg/find are not test failures, and no test ran
    expect(a.failed_test_command_count).toBe(0);
    expect(a.test_commands).toEqual([]);
  });

  it('mem0 r2 (IMPLEMENTING): make test failed at line 91 and passed at line 142 → PASS runtime_success', async () => {
    const { a, c } = await codexEvents('mem0r2', 'IMPLEMENTING', { minTestCommands: 2 });
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expectEvidence(c, { line: 91, exit_code: 2, note: 'line 91: `make test` exit 2; line 142: `make test` exit 0 for the same target → fixed' });
    expectEvidence(c, { line: 101, exit_code: 2, note: 'line 101: `pytest tests/configs/test_prompts.py -q` exit 2; line 142: `make test` exit 0 for the same target → fixed' });
    expectEvidence(c, { line: 88, exit_code: 0, note: '`make lint` exit 0 → test evidence' });
    expectEvidence(c, { line: 142, exit_code: 0, note: '`make test` exit 0 → test evidence' });
    expect(a.test_runs.map((r) => r.line)).toEqual([88, 137, 142]);
    // An install is not a test run: `hatch run pip install -e ".[test,…]"` (line 111, exit 1) is an install, not a failed test;
    // `hatch run pytest --version` (line 134) is not test evidence
    expect(a.test_failures.map((f) => f.line).sort((x, y) => x - y)).toEqual([91, 101]);
    expect(a.test_commands.some((cmd) => cmd.includes('--version'))).toBe(false);
    expect(decideRetention({ grade: c.grade, runId: 'calib_mem0_20260225_r2', attemptNo: 1, samplePct: 8 })).toEqual({ retained: false, reason: 'success_sample_8pct', bucket: 73 });
  });

  it('mem0 r3 (DISCOVERY): every command exits 0 but the final contract says NEEDS REVIEW → HUMAN_REVIEW, not PASS', async () => {
    const { a, c } = await codexEvents('mem0r3', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'agent_reported_needs_review']);
    expectEvidence(c, { line: 167, note: /status NEEDS REVIEW \("?"status": "NEEDS REVIEW"/ });
    expect(a.summary.command_event_count).toBe(62);
    expect(a.summary.command_events_sample.filter((e) => e.exit_code !== null && e.exit_code !== 0)).toEqual([]);
    expect(decideRetention({ grade: c.grade, runId: 'calib_mem0_20260225_r3', attemptNo: 1, samplePct: 8 })).toEqual({ retained: true, reason: 'non_pass', bucket: null });
  });

  for (const [name, lines] of [
    ['smoke1', [9, 10, 11, 15, 18]],
    ['smoke2', [6]],
    ['smoke3', []],
    ['smoke4', [10, 11, 12, 13, 18, 19]],
    ['smoke5', [8, 9, 10]],
  ] as const) {
    it(`${STREAMS[name]} (DISCOVERY): read-only status check, commands at lines ${lines.join(', ') || 'none'} all exit 0 → PASS runtime_success`, async () => {
      const { a, c } = await codexEvents(name, 'DISCOVERY');
      expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
      expectEvidence(c, { line: null, exit_code: 0, note: 'no failed validation command, no safety or push signal; DISCOVERY needs no test evidence' });
      const completed = a.summary.command_events_sample.filter((e) => e.exit_code !== null);
      expect(completed.map((e) => e.line)).toEqual([...lines]);
      expect(completed.every((e) => e.exit_code === 0)).toBe(true);
      expect(a.git_commands).toEqual([]);
      expect(a.hidden_failures).toEqual([]);
    });
  }

  it('smoke 235433 in IMPLEMENTING: only pwd/ls/git status/sed/rg ran → HUMAN_REVIEW missing_test_evidence', async () => {
    const { c } = await codexEvents('smoke1', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
    expectEvidence(c, { line: 11, exit_code: 0, note: '`git status --short --branch` exit 0 — not a recognised test' });
    expectEvidence(c, { note: '0 successful test/lint/typecheck command(s) observed, 1 required in IMPLEMENTING' });
  });

  it('run_policy_smoke (3rd attempt) retention bucket is 1', () => {
    expect(decideRetention({ grade: 'PASS', runId: 'run_policy_smoke_20260224', attemptNo: 3, samplePct: 15 })).toEqual({ retained: true, reason: 'success_sample_15pct', bucket: 1 });
  });
});

describe('codex 0.169.0 captures', () => {
  it('01-pass (DISCOVERY): `node -e …` exit 0 at line 7, turn.completed → PASS runtime_success', async () => {
    const { a, c } = await capture('01-pass', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(a.summary.command_events_sample.map((e) => [e.line, e.exit_code])).toEqual([
      [6, null],
      [7, 0],
    ]);
    expect(a.summary.command_event_count).toBe(1);
  });

  it('01-pass (IMPLEMENTING): `node -e` is no test run, although the model says tests pass → HUMAN_REVIEW missing_test_evidence', async () => {
    const { c } = await capture('01-pass', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
    expectEvidence(c, { line: 7, exit_code: 0, command: "node -e \\\"console.log('tests passed')", note: 'not a recognised test' });
  });

  it('02-fail-nonzero-exit (IMPLEMENTING): line 5 `node -e …` exit 3 (not a test command), codex exit 0 → HUMAN_REVIEW missing_test_evidence', async () => {
    const { a, c } = await capture('02-fail-nonzero-exit', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
    expectEvidence(c, { line: 5, exit_code: 3, note: "`node -e \"console.error('1 test failed'); process.exit(3)\"` exit 3" });
    expect(a.failed_test_command_count).toBe(0);
  });

  it('03-echo-hi-known-model (DISCOVERY): line 4 `echo hi` exit 0 → PASS; (IMPLEMENTING) → missing_test_evidence', async () => {
    const d = await capture('03-echo-hi-known-model', 'DISCOVERY');
    expect([d.c.grade, d.c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(d.a.warnings).toEqual([]);
    const i = await capture('03-echo-hi-known-model', 'IMPLEMENTING');
    expect(i.c.reason_code).toBe('missing_test_evidence');
    expectEvidence(i.c, { line: 4, exit_code: 0, note: '`echo hi` exit 0' });
  });

  it('04-file-change-workspace-write: file_change to /RUN/ws/hello.txt inside the workspace → PASS; outside it → safety_violation write_outside_repo', async () => {
    const inside = await capture('04-file-change-workspace-write', 'DISCOVERY');
    expect([inside.c.grade, inside.c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(inside.a.file_changes).toEqual(['/RUN/ws/hello.txt']);
    const outside = await capture('04-file-change-workspace-write', 'DISCOVERY', { workspaceDir: '/elsewhere/ws' });
    expect([outside.c.grade, outside.c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    expectEvidence(outside.c, { note: 'file_change writes /RUN/ws/hello.txt, outside the workspace /elsewhere/ws and /tmp → write_outside_repo' });
  });

  it('05-http-500-turn-failed: exit 1, line 5 turn.failed "high demand … temporary errors" → RETRYABLE runtime_transient_failure', async () => {
    const { c } = await capture('05-http-500-turn-failed', 'IMPLEMENTING');
    expect([c.grade, c.reason_code, c.next_action]).toEqual(['RETRYABLE', 'runtime_transient_failure', 'retry']);
    expectEvidence(c, { line: 4, exit_code: 1, note: 'error "We’re currently experiencing high demand' });
    expectEvidence(c, { line: 5, exit_code: 1, note: /^line 5: turn.failed/ });
    expectEvidence(c, { line: null, exit_code: 1, note: /temporary errors/ });
  });

  it('05-http-500-turn-failed on the 4th retryable attempt in a row (max 3) → HUMAN_REVIEW retryable_limit_exceeded', async () => {
    const { c } = await capture('05-http-500-turn-failed', 'IMPLEMENTING', { retryableStreak: 4 });
    expect([c.grade, c.reason_code, c.next_action]).toEqual(['HUMAN_REVIEW', 'retryable_limit_exceeded', 'escalate']);
    expect(c.details).toMatchObject({ original_reason_code: 'runtime_transient_failure', retryable_streak: 4, max_retryable_attempts: 3 });
    expectEvidence(c, { line: 5, note: /turn.failed/ });
  });

  it('06-sse-response-failed: exit 1, line 5 turn.failed "stream disconnected before completion" → RETRYABLE runtime_transient_failure', async () => {
    const { c } = await capture('06-sse-response-failed', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expectEvidence(c, { line: 5, exit_code: 1, note: 'stream disconnected before completion: mock response.failed' });
  });

  it('07-retry-then-pass (DISCOVERY): silent HTTP retries leave no trace; line 5 `node -e` exit 0 → PASS', async () => {
    const { a, c } = await capture('07-retry-then-pass', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(a.failure_messages).toEqual([]);
    expect(a.summary.command_events_sample.at(-1)).toMatchObject({ line: 5, exit_code: 0 });
  });

  it('08-sandbox-denied-read-only: no command item, line 4 says "Could not write" → HUMAN_REVIEW hidden_command_failure even in DISCOVERY', async () => {
    const { a, c } = await capture('08-sandbox-denied-read-only', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'hidden_command_failure']);
    expectEvidence(c, { line: 4, note: 'Could not write: the workspace is read-only.' });
    expect(a.summary.command_event_count).toBe(0);
  });

  it('09-pass-dangerously-bypass (DISCOVERY): same as 01, line 7 exit 0 → PASS', async () => {
    const { a, c } = await capture('09-pass-dangerously-bypass', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(a.summary.command_events_sample.at(-1)).toMatchObject({ line: 7, exit_code: 0, item_id: 'item_3' });
  });

  it('10-resume a/b (DISCOVERY): both PASS; usage is the cumulative thread total (100 then 310), never summed', async () => {
    const first = await capture('10-resume-a-first', 'DISCOVERY');
    const second = await capture('10-resume-b-second', 'DISCOVERY');
    expect([first.c.grade, second.c.grade]).toEqual(['PASS', 'PASS']);
    expect(first.a.summary.usage.input_tokens).toBe(100);
    expect(second.a.summary.usage).toEqual({
      input_tokens: 310, cached_input_tokens: 50, cache_write_input_tokens: 0, output_tokens: 60, reasoning_output_tokens: 5,
    });
    expectEvidence(second.c, { exit_code: 0, note: 'no failed validation command' });
  });

  it('11-output-schema: JSON final answer and no command → PASS in DISCOVERY, missing_test_evidence in IMPLEMENTING', async () => {
    const d = await capture('11-output-schema', 'DISCOVERY');
    expect([d.c.grade, d.c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(d.a.last_agent_message).toBe('{"passed":true,"failures":0}');
    const i = await capture('11-output-schema', 'IMPLEMENTING');
    expect(i.c.reason_code).toBe('missing_test_evidence');
    expectEvidence(i.c, { note: 'the stream has no command executions at all' });
  });

  it('12-human-output-no-json: line 1 is plain text, nothing parses → HUMAN_REVIEW unparseable_event_stream; the text fallback finds the command in stderr', async () => {
    const { a, c } = await capture('12-human-output-no-json', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'unparseable_event_stream']);
    expectEvidence(c, { line: 1, note: 'line 1: not valid JSON' });
    expect(a.text_fallback).toBe(true);
    expect(a.commands).toEqual([`node -e "console.error('1 test failed'); process.exit(3)"`]);
  });

  it('13-pitfall-codex-home-under-tmp: the sandboxed command vanished; line 6 claims "exit code 0" with no command → HUMAN_REVIEW hidden_command_failure', async () => {
    const { c } = await capture('13-pitfall-codex-home-under-tmp', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'hidden_command_failure']);
    expectEvidence(c, { line: 6, note: 'All tests pass (exit code 0).' });
    expectEvidence(c, { line: null, note: 'could not create its sandbox helper aliases' });
  });

  it('14-missing-api-key-env: exit 1, line 5 "Missing environment variable: `MOCK_API_KEY`" → HUMAN_REVIEW runtime_hard_failure (not retried)', async () => {
    const { c } = await capture('14-missing-api-key-env', 'IMPLEMENTING', { retryableStreak: 1 });
    expect([c.grade, c.reason_code, c.next_action]).toEqual(['HUMAN_REVIEW', 'runtime_hard_failure', 'escalate']);
    expectEvidence(c, { line: 5, exit_code: 1, note: 'Missing environment variable: `MOCK_API_KEY`.' });
  });

  it('20-legacy-0.42.0-json-pass (DISCOVERY): legacy begin/end pair at lines 7/14 is one execution, exit 0; usage from token_count → PASS', async () => {
    const { a, c } = await capture('20-legacy-0.42.0-json-pass', 'DISCOVERY');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expect(a.summary.format).toBe('codex_legacy');
    expect(a.summary.command_event_count).toBe(1);
    expect(a.summary.command_events_sample.map((e) => [e.line, e.event_type, e.exit_code])).toEqual([
      [7, 'exec_command_begin', null],
      [14, 'exec_command_end', 0],
    ]);
    expect(a.commands[0]).toBe(`bash -lc 'node -e "console.log('\\''tests passed'\\''); process.exit(0)"'`);
    expect(a.summary.usage).toEqual({ input_tokens: 210, cached_input_tokens: 50, output_tokens: 40, reasoning_output_tokens: 5, total_tokens: 250 });
    // "Permission denied" from the login-shell profile is command output: never failure text
    expect(a.hidden_failures).toEqual([]);
  });

  it('21-legacy-0.42.0-json-fail (IMPLEMENTING): line 9 exec_command_end exit -1 (sandbox heuristic), not a test → HUMAN_REVIEW missing_test_evidence', async () => {
    const { a, c } = await capture('21-legacy-0.42.0-json-fail', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
    expectEvidence(c, { line: 9, exit_code: -1, note: 'exit -1 — not a recognised test' });
    expect(a.summary.format).toBe('codex_legacy');
    expect(a.inferred_exit_code.exit_code).toBe(0);
  });

  it('22-legacy-0.42.0-experimental-json-fail (IMPLEMENTING): item_type command at line 3 exit -1 → HUMAN_REVIEW missing_test_evidence', async () => {
    const { a, c } = await capture('22-legacy-0.42.0-experimental-json-fail', 'IMPLEMENTING');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence']);
    expectEvidence(c, { line: 3, exit_code: -1, command: 'bash -lc' });
    expect(a.summary.format).toBe('codex_experimental_json');
    expect(a.last_agent_message).toBe('The test command failed with exit code 3.');
  });
});

describe('safety findings over every captured stream (issue 12)', () => {
  it('none of the 28 real streams writes outside, overrides a home, reads a credential or changes git config', async () => {
    const files = [
      ...readdirSync(EVENTS).filter((f) => f.endsWith('.jsonl')).map((f) => join(EVENTS, f)),
      ...readdirSync(CAPTURES).map((d) => join(CAPTURES, d, 'stdout.jsonl')).filter((f) => existsSync(f)),
    ];
    expect(files).toHaveLength(28);
    for (const file of files) {
      // the streams' commands run in their workspace (relative paths); any workspace stands for it
      const a = await analyzeEventStream(file, { workspaceDir: '/RUN/ws', tmpDirs: ['/RUN/ws/.agentpr_runtime/tmp'] });
      expect(a.safety_findings, file).toEqual([]);
    }
  });
});
