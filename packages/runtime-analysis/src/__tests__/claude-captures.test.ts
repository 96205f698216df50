import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyAttempt } from '../classify-attempt.js';
import { analyzeEventStream } from '../read-event-stream.js';
import type { StreamAnalysis } from '../stream-analyzer.js';
import type { Classification, EvidenceItem } from '../types.js';

// Real Claude Code 2.1.332 stream-json captures (tools/fixtures/claude-2.1.332-captures, made by
// tools/scripts/capture-claude-streams.mjs against tools/anthropic-stub), judged as agentpr would judge an attempt.
const CAPTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../tools/fixtures/claude-2.1.332-captures');

/** What the capture script recorded about how claude ended. */
interface CaptureMeta {
  workspace: string;
  agent_exit: number | null;
  timed_out: boolean;
  stderr: string;
  wrote_outside_dir: boolean;
}

interface Judged {
  a: StreamAnalysis;
  c: Classification;
  meta: CaptureMeta;
  lines: Array<Record<string, any>>;
}

const defaults = { maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };

/**
 * Analyses and classifies one capture the way the agent step would: the process facts come from the capture's meta
 * (a run the capture killed at its timeout is reported like codex-runner reports one: exit 124, timedOut, a stderr note).
 */
async function judge(name: string, stage = 'IMPLEMENTING', opts: { retryableStreak?: number; allowAgentPush?: boolean } = {}): Promise<Judged> {
  const meta = JSON.parse(readFileSync(join(CAPTURES, `${name}.meta.json`), 'utf8')) as CaptureMeta;
  const file = join(CAPTURES, `${name}.jsonl`);
  const stderr = meta.timed_out ? `${meta.stderr}agent_execution_timeout: exceeded max_duration_sec=20\n` : meta.stderr;
  const agentExit = meta.timed_out ? 124 : meta.agent_exit;
  const a = await analyzeEventStream(file, { stderr, workspaceDir: meta.workspace });
  const c = classifyAttempt({
    ...defaults,
    stage,
    agentExit,
    timedOut: meta.timed_out,
    stderr,
    analysis: a,
    retryableStreak: opts.retryableStreak ?? 1,
    allowAgentPush: opts.allowAgentPush ?? false,
  });
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { a, c, meta, lines };
}

/** The 1-based line of the tool_result that answers the `nth` Bash call running `command` (so a re-capture keeps the test true). */
function resultLine(lines: Judged['lines'], command: string, nth = 1): number {
  const ids = lines.flatMap((l) => (l.type === 'assistant' ? (l.message.content as any[]) : []))
    .filter((b) => b.type === 'tool_use' && b.name === 'Bash' && b.input.command === command)
    .map((b) => b.id as string);
  const id = ids[nth - 1];
  const index = lines.findIndex((l) => l.type === 'user' && (l.message.content as any[]).some((b) => b.type === 'tool_result' && b.tool_use_id === id));
  if (!id || index < 0) throw new Error(`no result for call ${nth} of \`${command}\``);
  return index + 1;
}

/** The 1-based line of the assistant tool_use running `command`. */
function callLine(lines: Judged['lines'], command: string): number {
  return lines.findIndex((l) => l.type === 'assistant' && (l.message.content as any[]).some((b) => b.type === 'tool_use' && b.input?.command === command)) + 1;
}

/** The result event claude ends with (usage and cost). */
function resultEvent(lines: Judged['lines']): Record<string, any> {
  const result = lines.findLast((l) => l.type === 'result');
  if (!result) throw new Error('no result event');
  return result;
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

describe('claude 2.1.332 captures', () => {
  it('pass (IMPLEMENTING): `npm test` exit 0 after two Writes, "Status: PASS" → PASS runtime_success with the test run as evidence', async () => {
    const { a, c, lines } = await judge('pass');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    const line = resultLine(lines, 'npm test');
    expectEvidence(c, { line, exit_code: 0, command: 'npm test', note: `line ${line}: \`npm test\` exit 0 → test evidence` });
    expect(a.summary.format).toBe('claude_stream_json');
    expect(a.test_commands).toEqual(['npm test']);
    expect(a.file_changes).toEqual(['src/title-case.js', 'test/title-case.test.js'].map((f) => `/tmp/agentpr-claude-capture/pass/ws/${f}`));
    expect(a.agent_status?.status).toBe('PASS');
    expect(a.inferred_exit_code.exit_code).toBe(0);
    expect(a.summary.unknown_event_type_counts).toEqual({});
  });

  it('pass: usage is the result event\'s, the sum of what the stub reported per response (1200+1500+1900 in, 420+40+60 out), and claude priced it', async () => {
    const { a, lines } = await judge('pass');
    expect(a.summary.usage).toEqual({ input_tokens: 4600, output_tokens: 520, cache_read_input_tokens: 2700, cache_creation_input_tokens: 0 });
    const result = resultEvent(lines);
    expect(result.usage).toMatchObject({ input_tokens: 4600, output_tokens: 520 });
    expect(result.total_cost_usd).toBeGreaterThan(0);
  });

  it('tests-fail (IMPLEMENTING): `npm test` exit 1 naming the failing test, "Status: FAIL" → HUMAN_REVIEW test_command_failed', async () => {
    const { a, c, lines } = await judge('tests-fail');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'test_command_failed']);
    const line = resultLine(lines, 'npm test');
    const e = expectEvidence(c, { line, exit_code: 1, command: 'npm test', note: 'never re-run successfully for the same target → failed' });
    expect(e.failing_tests).toEqual([{ name: 'titleCase capitalises each word', before_agent: false }]);
    expect(a.failed_test_commands).toEqual(['npm test']);
    expect(a.test_commands).toEqual([]);
    expect(a.agent_status?.status).toBe('FAIL');
  });

  it('fail-then-pass (IMPLEMENTING): the first `npm test` exit 1 is fixed by Read + Edit and the second exits 0 → PASS runtime_success', async () => {
    const { a, c, lines } = await judge('fail-then-pass');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    const failed = resultLine(lines, 'npm test', 1);
    const passed = resultLine(lines, 'npm test', 2);
    expect(passed).toBeGreaterThan(failed);
    expectEvidence(c, { line: passed, exit_code: 0, note: `line ${passed}: \`npm test\` exit 0 → test evidence` });
    expectEvidence(c, { line: failed, exit_code: 1, note: `line ${failed}: \`npm test\` exit 1; line ${passed}: \`npm test\` exit 0 for the same target → fixed` });
    expect(a.failed_test_commands).toEqual([]);
    expect(a.file_changes).toEqual(['src/title-case.js', 'test/title-case.test.js'].map((f) => `/tmp/agentpr-claude-capture/fail-then-pass/ws/${f}`));
  });

  it('hang: claude waits on a response that never ends until the timeout kills it; no result event → RETRYABLE runtime_transient_failure (timed out)', async () => {
    const { a, c, lines } = await judge('hang');
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expect(c.details).toMatchObject({ timed_out: true });
    expectEvidence(c, { exit_code: 124, note: /stopped by the agent timeout \(exit 124\)/ });
    expect(lines.some((l) => l.type === 'result')).toBe(false);
    expect(a.commands).toEqual(['echo build started']);
    expect(a.inferred_exit_code).toMatchObject({ exit_code: 1, source: 'the stream ended before the turn finished (interrupted or truncated)' });
  });

  it.todo('hang: the timeout evidence names the engine that ran (claude), not "codex was stopped by the agent timeout"');

  it('attempted-push (IMPLEMENTING): tests pass, then `git commit` and `git push origin HEAD` → HUMAN_REVIEW agent_push_disallowed naming both', async () => {
    const { a, c, lines } = await judge('attempted-push');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'agent_push_disallowed']);
    const push = callLine(lines, 'git push origin HEAD');
    expectEvidence(c, { line: push, command: 'git push origin HEAD', note: 'runs `git push origin HEAD`, but agent push is not allowed' });
    expectEvidence(c, { command: 'git add -A', note: /runs `git -c user\.name=Agent .*commit/ });
    expect(a.git_commands).toHaveLength(2);
    expect(a.test_commands).toEqual(['npm test']);
  });

  it('attempted-push with agent push allowed: the failed push (exit 128, no remote) is no test → PASS on the passing `npm test`', async () => {
    const { c } = await judge('attempted-push', 'IMPLEMENTING', { allowAgentPush: true });
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
  });

  it('write-outside: the Write outside is denied by claude, the Bash redirection writes there → HUMAN_REVIEW safety_violation with both', async () => {
    const { a, c, meta, lines } = await judge('write-outside');
    expect(meta.wrote_outside_dir).toBe(true);
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'safety_violation']);
    const bash = 'mkdir -p /var/tmp/agentpr-claude-outside && echo escaped > /var/tmp/agentpr-claude-outside/escaped-bash.txt';
    expectEvidence(c, { line: callLine(lines, bash), command: bash, note: /writes \(redirection `>`\) \/var\/tmp\/agentpr-claude-outside\/escaped-bash\.txt, outside the workspace and the allowed roots → write_outside/ });
    expectEvidence(c, { note: /\/var\/tmp\/agentpr-claude-outside\/escaped\.txt, outside the workspace .* → write_outside_repo/ });
    expect(a.safety_findings.map((f) => f.kind)).toEqual(['write_outside', 'write_outside']);
    // claude's own denial is seen: the permission_denials of the result event and the failed file change.
    expect(a.hidden_failures.map((h) => [h.kind, h.note])).toEqual(expect.arrayContaining([
      ['permission_denied', 'Write was denied'],
      ['failed_file_change', 'file change to /var/tmp/agentpr-claude-outside/escaped.txt failed and no later change to it succeeded'],
    ]));
    expect(resultEvent(lines).permission_denials).toEqual([expect.objectContaining({ tool_name: 'Write' })]);
  });

  it.todo('write-outside: the Write that claude denied is evidence of an attempt ("tried to write …, denied by claude"), not "file_change writes …"');

  it('stream-error: SSE overloaded_error on every try; claude gives up with is_error and api_error_status 529, exit 1 → RETRYABLE runtime_transient_failure', async () => {
    const { a, c, lines } = await judge('stream-error');
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    const last = lines.length;
    expectEvidence(c, { line: last, note: /API Error: 529 Overloaded/ });
    expectEvidence(c, { exit_code: 1, note: /failure text matches \/\\boverloaded\\b\// });
    expect(resultEvent(lines)).toMatchObject({ is_error: true, subtype: 'success', api_error_status: 529, terminal_reason: 'api_error' });
    expect(a.inferred_exit_code.exit_code).toBe(1);
  });

  it('stream-error on the 4th retryable attempt in a row (max 3) → HUMAN_REVIEW retryable_limit_exceeded', async () => {
    const { c } = await judge('stream-error', 'IMPLEMENTING', { retryableStreak: 4 });
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'retryable_limit_exceeded']);
  });

  it('stream-error-after-text: claude keeps the partial text, asks the model to resume, and ends "Status: PASS" → PASS on the passing `npm test`', async () => {
    const { a, c, lines } = await judge('stream-error-after-text');
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
    expectEvidence(c, { line: resultLine(lines, 'npm test'), exit_code: 0 });
    expect(lines.some((l) => l.type === 'user' && l.isSynthetic === true)).toBe(true);
    expect(a.agent_status?.status).toBe('PASS');
  });

  it('none of the captures but write-outside writes outside, overrides a home, reads a credential or changes git config', async () => {
    for (const name of ['pass', 'tests-fail', 'fail-then-pass', 'hang', 'attempted-push', 'stream-error', 'stream-error-after-text']) {
      const { a, meta } = await judge(name);
      expect([name, a.safety_findings, a.safety_violations, meta.wrote_outside_dir]).toEqual([name, [], [], false]);
    }
  });
});
