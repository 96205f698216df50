// runAgentStep with the REAL claude binary (Claude Code 2.1.332) against the anthropic stub, under the defaults:
// bubblewrap, the network through the egress proxy with the stub's loopback endpoint as the model endpoint. Each
// scenario is a shipped one (tools/anthropic-stub/scenarios) with one turn in front that prints the agent's environment,
// so every test also proves what the agent held.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getRun, listAttempts } from '@agentpr/store';
import { cleanupTempDirs, lsRemote } from '@agentpr/testing';
import { expectConfinedAttempt, POLICY_MODEL, processesWithEnv, runClaudeStep, setupClaudeStep, type ClaudeStep } from './run-agent-step-claude-harness.js';

afterAll(() => cleanupTempDirs());

let step: ClaudeStep | undefined;
afterEach(async () => {
  await step?.close();
  step = undefined;
});

/** The newest agent attempt row of the step's run. */
async function agentAttempt(s: ClaudeStep) {
  const [attempt] = await listAttempts(s.ctx.db, s.runId, { limit: 1, step: 'agent' });
  expect(attempt).toBeDefined();
  return attempt!;
}

describe('runAgentStep with the real claude binary against the anthropic stub (bwrap, network allowlist)', () => {
  it('pass → PASS runtime_success, LOCAL_VALIDATING, the attempt row says claude with the model and the tokens the stub reported', async () => {
    step = await setupClaudeStep('pass');
    const { ok, classification, state, reports } = await runClaudeStep(step);
    expect(classification, JSON.stringify(classification.evidence)).toMatchObject({ grade: 'PASS', reason_code: 'runtime_success' });
    expect([ok, state]).toEqual([true, 'LOCAL_VALIDATING']);
    expectConfinedAttempt(step);
    // The policy's model reached claude's --model: every request the stub answered asked for it.
    const answered = step.claude.stub.requests.filter((r) => r.outcome === 'reply');
    expect(answered.map((r) => r.model)).toEqual(Array(answered.length).fill(POLICY_MODEL));
    // Usage is the result event's sum of what the stub reported per response (the env turn's 100/10 included),
    // recorded codex's way: input includes the cached reads (4700 + 2700 cached), output 530.
    expect(await agentAttempt(step)).toMatchObject({ grade: 'PASS', exit_code: 0, engine: 'claude', model: POLICY_MODEL, input_tokens: 7400, cached_input_tokens: 2700, output_tokens: 530 });
    const report = JSON.parse(readFileSync(reports.report, 'utf8')) as Record<string, any>;
    expect([report.engine, report.runtime.engine, report.runtime.engine_source]).toEqual(['claude', 'claude', 'default']);
    // Under network allowlist the egress proxy let claude reach its model: the stub's loopback endpoint is a rule.
    expect(report.sandbox.egress.rules).toContain(new URL(step.claude.stubUrl).host);
    const digest = JSON.parse(readFileSync(reports.digest, 'utf8')) as Record<string, any>;
    expect(digest.changes.changed_files).toEqual(expect.arrayContaining(['src/title-case.js', 'test/title-case.test.js']));
  }, 120_000);

  it('tests-fail with --engine claude over a codex policy → HUMAN_REVIEW test_command_failed naming npm test; NEEDS_HUMAN_REVIEW', async () => {
    step = await setupClaudeStep('tests-fail', { runAgentStep: { engine: 'codex' } });
    const { ok, agentExit, classification, state, reports } = await runClaudeStep(step, { engine: 'claude' });
    expect([ok, agentExit]).toEqual([false, 0]);
    expect(classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'test_command_failed' });
    expect(JSON.stringify(classification.evidence)).toContain('npm test');
    expect(state).toBe('NEEDS_HUMAN_REVIEW');
    expect((await getRun(step.ctx.db, step.runId))?.state.last_error).toBe('agent:test_command_failed:HUMAN_REVIEW');
    expect((await agentAttempt(step)).engine).toBe('claude');
    expect(readFileSync(reports.report, 'utf8')).toMatch(/"engine_source":\s*"flag"/);
    expectConfinedAttempt(step);
  }, 120_000);

  it('fail-then-pass: one step whose first npm test fails and whose second passes after the Edit → PASS, the failure resolved in the evidence', async () => {
    step = await setupClaudeStep('fail-then-pass');
    const { ok, classification, state } = await runClaudeStep(step);
    // One agent step holds the whole session: claude fixes the failure itself, so the step is not RETRYABLE.
    expect(classification, JSON.stringify(classification.evidence)).toMatchObject({ grade: 'PASS', reason_code: 'runtime_success' });
    expect([ok, state]).toEqual([true, 'LOCAL_VALIDATING']);
    const notes = classification.evidence.map((e) => (typeof e === 'string' ? e : e.note));
    expect(notes.some((n) => /`npm test` exit 1; .*`npm test` exit 0 .*→ fixed/.test(n)), JSON.stringify(notes)).toBe(true);
    const testRuns = step.claude.stub.requests.flatMap((r) => r.toolResults).filter((t) => t.text.includes('node --test'));
    expect(testRuns.map((t) => t.is_error)).toEqual([true, false]);
    expect(await listAttempts(step.ctx.db, step.runId, { limit: 5, step: 'agent' })).toHaveLength(1);
    expectConfinedAttempt(step);
  }, 120_000);

  it('hang past max_agent_seconds 3 → exit 124, RETRYABLE runtime_transient_failure, FAILED_RETRYABLE, and no agent process left', async () => {
    step = await setupClaudeStep('hang', { runAgentStep: { max_agent_seconds: 3 } });
    const t0 = Date.now();
    const { agentExit, classification, state } = await runClaudeStep(step);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(agentExit).toBe(124);
    expect(classification).toMatchObject({ grade: 'RETRYABLE', reason_code: 'runtime_transient_failure' });
    expect(state).toBe('FAILED_RETRYABLE');
    expect(step.claude.stub.requests.map((r) => r.outcome)).toContain('hang');
    const env = expectConfinedAttempt(step);
    // Every process of the agent's tree carries its CLAUDE_CONFIG_DIR; the step returns only after the tree is gone.
    expect(processesWithEnv(`CLAUDE_CONFIG_DIR=${env.get('CLAUDE_CONFIG_DIR')!}`)).toEqual([]);
  }, 120_000);

  it('attempted-push → HUMAN_REVIEW agent_push_disallowed naming the push, and nothing reaches the fork', async () => {
    step = await setupClaudeStep('attempted-push');
    const before = await lsRemote(step.forkUrl);
    const { ok, classification, state } = await runClaudeStep(step);
    expect(ok).toBe(false);
    expect(classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'agent_push_disallowed' });
    expect(JSON.stringify(classification.evidence)).toContain('git push origin HEAD');
    expect(state).toBe('NEEDS_HUMAN_REVIEW');
    expect(await lsRemote(step.forkUrl)).toBe(before);
    expectConfinedAttempt(step);
  }, 120_000);

  it('write-outside → nothing exists outside the workspace, HUMAN_REVIEW safety_violation naming both tries', async () => {
    const outside = `/var/tmp/agentpr-claude-outside-${process.pid}-${Date.now().toString(36)}`;
    rmSync(outside, { recursive: true, force: true });
    step = await setupClaudeStep('write-outside', { vars: { OUTSIDE_DIR: outside } });
    try {
      const { ok, classification, state } = await runClaudeStep(step);
      expect(existsSync(outside), `${outside} was created`).toBe(false);
      expect(ok).toBe(false);
      expect(classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'safety_violation' });
      const evidence = JSON.stringify(classification.evidence);
      expect(evidence).toContain(`${outside}/escaped.txt`);
      expect(evidence).toContain(`${outside}/escaped-bash.txt`);
      expect(state).toBe('NEEDS_HUMAN_REVIEW');
      // What claude answered the model: its Write was refused, and the shell could not create the directory.
      const results = step.claude.stub.requests.flatMap((r) => r.toolResults).filter((t) => !/^CLAUDE_CONFIG_DIR=/m.test(t.text));
      expect(results.slice(0, 2).map((t) => t.is_error)).toEqual([true, true]);
      expectConfinedAttempt(step);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  }, 120_000);

  it('stream-error on every retry → RETRYABLE with the model error in the evidence, FAILED_RETRYABLE', async () => {
    step = await setupClaudeStep('stream-error');
    const { ok, agentExit, classification, state } = await runClaudeStep(step);
    expect([ok, agentExit]).toEqual([false, 1]);
    expect(classification.grade).toBe('RETRYABLE');
    expect(JSON.stringify(classification.evidence)).toMatch(/529 Overloaded|overloaded_error/);
    expect(state).toBe('FAILED_RETRYABLE');
    expect((await getRun(step.ctx.db, step.runId))?.state.last_error).toMatch(/^agent:claude_agent_failed:/);
    expect((await agentAttempt(step)).engine).toBe('claude');
    // CLAUDE_CODE_MAX_RETRIES=2 reached claude through env_passthrough, so it gave up after four tries, as in the real
    // capture (tools/fixtures/claude-2.1.332-captures/stream-error.meta.json) instead of retrying for minutes.
    expect(expectConfinedAttempt(step).get('CLAUDE_CODE_MAX_RETRIES')).toBe('2');
    expect(step.claude.stub.requests.filter((r) => r.outcome === 'stream_error')).toHaveLength(4);
  }, 120_000);

  it('stream-error-after-text: claude resumes after the broken response and ends "Status: PASS" → PASS', async () => {
    step = await setupClaudeStep('stream-error-after-text');
    const { ok, classification } = await runClaudeStep(step);
    expect(classification, JSON.stringify(classification.evidence)).toMatchObject({ grade: 'PASS' });
    expect(ok).toBe(true);
    expect(step.claude.stub.requests.map((r) => r.outcome)).toContain('stream_error');
    expectConfinedAttempt(step);
  }, 120_000);
});
