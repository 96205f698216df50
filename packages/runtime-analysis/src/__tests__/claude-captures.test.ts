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

/** claude-sonnet-4-5's list price per million tokens (what the captures' `modelUsage` says claude priced with). */
const SONNET_4_5 = { input: 3, cached: 0.3, output: 15 };

/** Prices recorded usage the way packages/reports/src/cost.ts does: cached input at the cached price, the rest of the input at the input price. */
function listCost(usage: Record<string, number>): number {
  const input = usage.input_tokens ?? 0;
  const cached = usage.cached_input_tokens ?? 0;
  return ((input - cached) * SONNET_4_5.input + cached * SONNET_4_5.cached + (usage.output_tokens ?? 0) * SONNET_4_5.output) / 1e6;
}

/** The usage recorded for a capture (no cache writes, no thinking: what the stub answers). */
function usageOf(input: number, cached: number, output: number): Record<string, number> {
  return { input_tokens: input, cached_input_tokens: cached, cache_creation_input_tokens: 0, output_tokens: output, reasoning_output_tokens: 0 };
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
    expect(a.summary).toMatchObject({ model: 'claude-sonnet-4-5', result_text: 'Status: PASS\nAdded titleCase(text) in src/title-case.js with a test; npm test passes (2 tests).' });
  });

  it('pass: usage is the result event\'s in codex\'s convention: input 4600 fresh + 2700 cache reads = 7300 with 2700 cached, 520 out; cost as claude computed it', async () => {
    const { a, lines } = await judge('pass');
    const result = resultEvent(lines);
    // Anthropic's input_tokens leaves the cache reads out; codex's (and agentpr's record) counts them in
    expect(result.usage).toMatchObject({ input_tokens: 4600, cache_read_input_tokens: 2700, cache_creation_input_tokens: 0, output_tokens: 520 });
    expect(a.summary.usage).toEqual(usageOf(7300, 2700, 520));
    expect(a.summary.cost_usd).toBe(0.02241);
    expect(a.summary.cost_usd).toBe(result.total_cost_usd);
    // live progress counts the same tokens (input with cached, plus output)
    expect(a.summary.usage.input_tokens! + a.summary.usage.output_tokens!).toBe(7820);
  });

  it('every capture with a result: the recorded usage priced at claude-sonnet-4-5 list prices as the cost report prices it is the cost claude reported', async () => {
    for (const name of ['pass', 'tests-fail', 'fail-then-pass', 'attempted-push', 'write-outside', 'stream-error', 'stream-error-after-text']) {
      const { a, lines } = await judge(name);
      const result = resultEvent(lines);
      expect([name, a.summary.model, Object.keys(result.modelUsage)]).toEqual([name, 'claude-sonnet-4-5', ['claude-sonnet-4-5']]);
      expect([name, Math.round(listCost(a.summary.usage) * 1e6)]).toEqual([name, Math.round(result.total_cost_usd * 1e6)]);
      expect([name, a.summary.result_text]).toEqual([name, result.result]);
    }
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
    expect(a.summary.usage).toEqual(usageOf(7500, 2700, 520));
    expect(a.summary.result_text).toBe('Status: FAIL\nnpm test fails: titleCase upper-cases every letter instead of each word\'s first letter.');
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
    expect(a.summary.usage).toMatchObject({ input_tokens: 20200, cached_input_tokens: 8300, output_tokens: 720 });
    expect(a.summary).toMatchObject({ model: 'claude-sonnet-4-5', result_text: 'Status: PASS\nFixed titleCase to capitalise each word; npm test passes.' });
  });

  it('hang: claude waits on a response that never ends until the timeout kills it; no result event → RETRYABLE runtime_transient_failure (timed out)', async () => {
    const { a, c, lines } = await judge('hang');
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    expect(c.details).toMatchObject({ timed_out: true });
    expectEvidence(c, { exit_code: 124, note: /stopped by the agent timeout \(exit 124\)/ });
    expect(lines.some((l) => l.type === 'result')).toBe(false);
    expect(a.commands).toEqual(['echo build started']);
    expect(a.inferred_exit_code).toMatchObject({ exit_code: 1, source: 'the stream ended before the turn finished (interrupted or truncated)' });
    // the init event names the model; no result event: no usage, no cost, no result text
    expect(a.summary).toMatchObject({ model: 'claude-sonnet-4-5', usage: {}, cost_usd: null, result_text: null });
    expect(a.last_agent_message).toBe('Starting the long build.');
  });

  it('hang: the timeout evidence names the engine that ran (claude, from the stream), or the one the caller names', async () => {
    const { c } = await judge('hang');
    expect(c.evidence.map((e) => e.note)).toEqual(['claude was stopped by the agent timeout (exit 124)']);
    expect(JSON.stringify(c)).not.toContain('codex');
    const { a, meta } = await judge('hang');
    const named = classifyAttempt({ ...defaults, stage: 'IMPLEMENTING', agentExit: 124, timedOut: true, stderr: meta.stderr, analysis: a, engine: 'claude-code' });
    expect(named.evidence[0]?.note).toBe('claude-code was stopped by the agent timeout (exit 124)');
    const unknown = classifyAttempt({ ...defaults, stage: 'IMPLEMENTING', agentExit: 124, timedOut: true, analysis: null });
    expect(unknown.evidence[0]?.note).toBe('the agent was stopped by the agent timeout (exit 124)');
  });

  it('attempted-push (IMPLEMENTING): tests pass, then `git commit` and `git push origin HEAD` → HUMAN_REVIEW agent_push_disallowed naming both', async () => {
    const { a, c, lines } = await judge('attempted-push');
    expect([c.grade, c.reason_code]).toEqual(['HUMAN_REVIEW', 'agent_push_disallowed']);
    const push = callLine(lines, 'git push origin HEAD');
    expectEvidence(c, { line: push, command: 'git push origin HEAD', note: 'runs `git push origin HEAD`, but agent push is not allowed' });
    expectEvidence(c, { command: 'git add -A', note: /runs `git -c user\.name=Agent .*commit/ });
    expect(a.git_commands).toHaveLength(2);
    expect(a.test_commands).toEqual(['npm test']);
    // both ran (the push failed for want of a remote): nothing says "refused"
    expect(a.refused_actions).toEqual([]);
    expect(c.evidence.every((e) => !e.note.includes('refused'))).toBe(true);
    expect(a.summary.result_text).toBe('Status: PASS\nImplemented titleCase, committed and pushed.');
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
    expectEvidence(c, { line: callLine(lines, bash), command: bash, note: /writes \(redirection `>`\) \/var\/tmp\/agentpr-claude-outside\/escaped-bash\.txt, outside the workspace and the allowed roots → write_outside$/ });
    expect(a.safety_findings.map((f) => [f.kind, f.path, f.refused === undefined ? 'ran' : 'refused'])).toEqual([
      ['write_outside', '/var/tmp/agentpr-claude-outside', 'ran'],
      ['write_outside', '/var/tmp/agentpr-claude-outside/escaped-bash.txt', 'ran'],
      ['write_outside', '/var/tmp/agentpr-claude-outside/escaped.txt', 'refused'],
    ]);
    // claude's own denial is seen: the permission_denied event (once, though the result names it again) and the denied file change
    const denied = lines.findIndex((l) => l.type === 'system' && l.subtype === 'permission_denied') + 1;
    expect(a.hidden_failures.map((h) => [h.kind, h.line, h.note])).toEqual([
      ['permission_denied', denied, 'Write was denied'],
      ['failed_file_change', denied, 'file change to /var/tmp/agentpr-claude-outside/escaped.txt denied and no later change to it succeeded'],
    ]);
    expect(resultEvent(lines).permission_denials).toEqual([expect.objectContaining({ tool_name: 'Write' })]);
    expect(a.summary.result_text).toBe('Status: PASS\nWrote a file outside the repository.');
  });

  it('write-outside: the Write that claude denied is evidence of an attempt ("tried to write …, refused: denied by claude"), not of a write', async () => {
    const { a, c, lines } = await judge('write-outside');
    const write = lines.findIndex((l) => l.type === 'assistant' && l.message.content.some((b: any) => b.type === 'tool_use' && b.name === 'Write')) + 1;
    const denied = lines.findIndex((l) => l.type === 'system' && l.subtype === 'permission_denied') + 1;
    const e = expectEvidence(c, {
      line: write,
      command: 'Write /var/tmp/agentpr-claude-outside/escaped.txt',
      note: `line ${write}: Write tried to write /var/tmp/agentpr-claude-outside/escaped.txt, outside the workspace /tmp/agentpr-claude-capture/write-outside/ws and /tmp; refused: denied by claude at line ${denied} ("Path is outside allowed working directories"), nothing was written → write_outside`,
    });
    expect(e.item_id).toBe('toolu_stub_0_1');
    // nothing reads as if the denied Write happened
    expect(c.evidence.some((x) => /file_change writes/.test(x.note))).toBe(false);
    expect(a.safety_violations).toEqual([]);
    expect(a.file_changes).toEqual([]);
    expect(a.refused_actions).toEqual([{
      outcome: 'denied', kind: 'file_change', tool: 'Write', target: '/var/tmp/agentpr-claude-outside/escaped.txt', line: write, item_id: 'toolu_stub_0_1', refused_line: denied, reason: 'Path is outside allowed working directories',
    }]);
  });

  it('stream-error: SSE overloaded_error on every try; claude gives up with is_error and api_error_status 529, exit 1 → RETRYABLE runtime_transient_failure', async () => {
    const { a, c, lines } = await judge('stream-error');
    expect([c.grade, c.reason_code]).toEqual(['RETRYABLE', 'runtime_transient_failure']);
    const last = lines.length;
    expectEvidence(c, { line: last, note: /API Error: 529 Overloaded/ });
    expectEvidence(c, { exit_code: 1, note: /failure text matches \/\\boverloaded\\b\// });
    expect(resultEvent(lines)).toMatchObject({ is_error: true, subtype: 'success', api_error_status: 529, terminal_reason: 'api_error' });
    expect(a.inferred_exit_code.exit_code).toBe(1);
    expect(a.summary.result_text).toMatch(/^API Error: 529 Overloaded\./);
  });

  it('stream-error: usage comes from modelUsage (what claude priced: the answered request), not the result usage that also counts the three failed tries', async () => {
    const { a, lines } = await judge('stream-error');
    const result = resultEvent(lines);
    expect(result.usage).toMatchObject({ input_tokens: 4800, cache_read_input_tokens: 1200, output_tokens: 43 });
    expect(result.modelUsage['claude-sonnet-4-5']).toMatchObject({ inputTokens: 1500, cacheReadInputTokens: 1200, outputTokens: 40 });
    expect(a.summary.usage).toEqual(usageOf(2700, 1200, 40));
    expect(a.summary.cost_usd).toBe(result.total_cost_usd);
    // the synthetic error message does not name a model: the init event's stays
    expect(a.summary.model).toBe('claude-sonnet-4-5');
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
    expect(a.summary).toMatchObject({ usage: { input_tokens: 7000, cached_input_tokens: 2700, output_tokens: 71 }, result_text: 'Status: PASS\nnpm test passes.' });
  });

  it('none of the captures but write-outside writes outside, overrides a home, reads a credential, changes git config or is refused anything', async () => {
    for (const name of ['pass', 'tests-fail', 'fail-then-pass', 'hang', 'attempted-push', 'stream-error', 'stream-error-after-text']) {
      const { a, meta } = await judge(name);
      expect([name, a.safety_findings, a.safety_violations, a.refused_actions, meta.wrote_outside_dir]).toEqual([name, [], [], [], false]);
    }
  });
});
