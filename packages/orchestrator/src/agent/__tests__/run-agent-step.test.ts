import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getRun, listArtifacts, listAttempts, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, codexBinaryPath, createSampleWorkspace, freshDatabase, lsRemote, makeBareFork, tempDir, withCodexSandbox, type CodexSandbox, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { agentStepOutcome } from '../agent-step-result.js';
import { runAgentStep as runStep, type RunAgentStepInput } from '../run-agent-step.js';

/** The step's converged result with its pass/fail: every scenario here runs the agent. */
async function runAgentStep(ctx: AppContext, input: RunAgentStepInput) {
  const result = await runStep(ctx, input);
  if (result.kind !== 'converged') throw new Error(`expected the agent to run, got ${result.reason}: ${result.message}`);
  return { ...result, ok: agentStepOutcome(result).ok };
}

const scenarioDir = join(import.meta.dirname, '..', '..', '..', '..', '..', 'tools', 'model-stub', 'scenarios');
afterAll(() => cleanupTempDirs());

let tdb: TestDatabase | undefined;
let store: OpenDatabase | undefined;
let sandbox: CodexSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  await store?.close();
  await tdb?.drop();
  sandbox = undefined;
  store = undefined;
  tdb = undefined;
});

/** A run in IMPLEMENTING with a prepared workspace cloned from a local upstream, and codex pointed at the stub. */
async function setup(scenario: string, extraEnv: Record<string, string> = {}) {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  sandbox = await withCodexSandbox({ scenario: join(scenarioDir, `${scenario}.json`) });
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: tempDir('agentpr-home-'),
    AGENTPR_CODEX_BIN: codexBinaryPath(),
    ...sandbox.env,
    AGENTPR_TELEGRAM_BOT_TOKEN: '123:secret-bot-token',
    GITHUB_TOKEN: 'ghp_secret',
    ...extraEnv,
  };
  delete env.TMPDIR;
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(data, { campaignDir: join(import.meta.dirname, '..', '..', '..', '..', '..', 'campaigns', 'example'), skillsDir: join(import.meta.dirname, '..', '..', '..', '..', '..', 'skills') }),
  };
  const { run_id } = await createRun(ctx, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
  await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
  await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
  await applyCommand(ctx, run_id, { command: 'start-implementation' });
  return { ctx, runId: run_id, fork };
}

const FLAGS = { prompt: 'Add titleCase as the task says.', skipNetworkCheck: true } as const;

describe('runAgentStep with the real codex binary against the model stub', () => {
  it('implement + tests pass → PASS runtime_success, LOCAL_VALIDATING, artefacts written', async () => {
    const { ctx, runId } = await setup('implement-and-tests-pass');
    const { ok, classification, state, reports } = await runAgentStep(ctx, { runId, ...FLAGS });
    expect(classification).toMatchObject({ grade: 'PASS', reason_code: 'runtime_success' });
    expect(ok).toBe(true);
    expect(state).toBe('LOCAL_VALIDATING');
    for (const [key, path] of Object.entries(reports)) expect(existsSync(path), key).toBe(true);
    const digest = JSON.parse(readFileSync(reports.digest, 'utf8'));
    expect(digest.validation.test_commands.join(' ')).toContain('npm test');
    expect(digest.changes.changed_files).toEqual(expect.arrayContaining(['src/title-case.js']));
    const attempts = await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' });
    expect(attempts[0]).toMatchObject({ grade: 'PASS', stage: 'IMPLEMENTING', exit_code: 0 });
    const types = (await listArtifacts(ctx.db, runId, { limit: 50 })).map((a) => a.artifact_type);
    expect(types).toEqual(expect.arrayContaining(['agent_runtime_report', 'run_digest', 'manager_insight', 'preflight_report']));
  }, 120_000);

  it('tests fail → HUMAN_REVIEW test_command_failed naming the failing command; NEEDS_HUMAN_REVIEW', async () => {
    const { ctx, runId } = await setup('tests-fail');
    const { ok, agentExit, classification, state, eventStream } = await runAgentStep(ctx, { runId, ...FLAGS });
    expect([ok, agentExit]).toEqual([false, 0]);
    expect(classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'test_command_failed' });
    expect(JSON.stringify(classification.evidence)).toContain('npm test');
    expect(state).toBe('NEEDS_HUMAN_REVIEW');
    expect((await getRun(ctx.db, runId))?.state.last_error).toBe('agent:test_command_failed:HUMAN_REVIEW');
    expect(eventStream).toBeTruthy();
  }, 120_000);

  it('tests fail then pass after a fix → PASS (the failure is resolved)', async () => {
    const { ctx, runId } = await setup('tests-fail-then-pass');
    const { ok, classification } = await runAgentStep(ctx, { runId, ...FLAGS });
    expect(classification).toMatchObject({ grade: 'PASS' });
    expect(ok).toBe(true);
  }, 120_000);

  it('the model stream fails → RETRYABLE, FAILED_RETRYABLE with the failure kept in last_error', async () => {
    const { ctx, runId } = await setup('model-stream-fails');
    const { ok, agentExit, classification, state } = await runAgentStep(ctx, { runId, ...FLAGS });
    expect([ok, agentExit]).toEqual([false, 1]);
    expect(classification.grade).toBe('RETRYABLE');
    expect(state).toBe('FAILED_RETRYABLE');
    expect((await getRun(ctx.db, runId))?.state.last_error).toMatch(/^agent:codex_agent_failed:/);
  }, 120_000);

  it('git push when not allowed (under bwrap) → HUMAN_REVIEW agent_push_disallowed and nothing reaches the fork', async () => {
    const { ctx, runId, fork } = await setup('git-push-not-allowed');
    const forkPath = fork.url;
    const before = await lsRemote(forkPath);
    const { ok, classification, state } = await runAgentStep(ctx, { runId, ...FLAGS, codexSandbox: 'danger-full-access', isolation: 'bwrap' });
    expect(ok).toBe(false);
    expect(classification).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'agent_push_disallowed' });
    expect(state).toBe('NEEDS_HUMAN_REVIEW');
    const after = await lsRemote(forkPath);
    expect(after).toBe(before);
  }, 120_000);

  it('the agent hangs past the timeout → exit 124 RETRYABLE runtime_transient_failure within the limit + 2 s', async () => {
    const { ctx, runId } = await setup('hang-past-timeout');
    const t0 = Date.now();
    const { agentExit, classification, state } = await runAgentStep(ctx, { runId, ...FLAGS, maxAgentSeconds: 2 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(agentExit).toBe(124);
    expect(classification).toMatchObject({ grade: 'RETRYABLE', reason_code: 'runtime_transient_failure' });
    expect(state).toBe('FAILED_RETRYABLE');
  }, 120_000);

  it('--allow-agent-push without the policy grant is refused before anything is recorded or moved', async () => {
    const { ctx, runId } = await setup('implement-and-tests-pass');
    const attemptsBefore = (await listAttempts(ctx.db, runId, { limit: 50 })).length;
    await expect(runAgentStep(ctx, { runId, ...FLAGS, allowAgentPush: true })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('repo_overrides["octo/sample"].allow_agent_push') });
    expect((await listAttempts(ctx.db, runId, { limit: 50 })).length).toBe(attemptsBefore);
    expect((await getRun(ctx.db, runId))!.state.current_state).toBe('IMPLEMENTING');
  }, 120_000);

  it('the agent environment holds no bot token or GitHub token', async () => {
    const { ctx, runId } = await setup('inspect-environment');
    const { eventStream, reports } = await runAgentStep(ctx, { runId, ...FLAGS, minTestCommands: 0 });
    const stream = readFileSync(eventStream ?? reports.report, 'utf8');
    expect(stream).not.toContain('secret-bot-token');
    expect(stream).not.toContain('ghp_secret');
  }, 120_000);

  it('refuses a run in a state that allows no agent step, changing nothing', async () => {
    const { ctx, runId } = await setup('implement-and-tests-pass');
    await applyCommand(ctx, runId, { command: 'pause' });
    await expect(runAgentStep(ctx, { runId, ...FLAGS })).rejects.toMatchObject({ code: 'refused' });
    expect((await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' }))).toHaveLength(0);
  }, 120_000);

  it('under bwrap a write outside the workspace fails and is flagged', async () => {
    const { ctx, runId } = await setup('write-outside-workspace');
    const outside = '/var/tmp/agentpr-outside/escaped.txt';
    const { rmSync } = await import('node:fs');
    rmSync(outside, { force: true });
    const { classification } = await runAgentStep(ctx, { runId, ...FLAGS, codexSandbox: 'danger-full-access', isolation: 'bwrap' });
    expect(existsSync(outside)).toBe(false);
    expect(classification.grade).not.toBe('PASS');
  }, 120_000);

  it('a prompt file that does not exist is refused before the run is touched', async () => {
    const { ctx, runId } = await setup('implement-and-tests-pass');
    const before = await getRun(ctx.db, runId);
    await expect(runAgentStep(ctx, { runId, promptFile: '/nonexistent/prompt.md', skipNetworkCheck: true })).rejects.toMatchObject({ code: 'io', message: expect.stringContaining('/nonexistent/prompt.md') });
    expect(await getRun(ctx.db, runId)).toEqual(before);
    expect((await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' }))).toHaveLength(0);
  }, 120_000);

  it('a missing codex binary gives exit 127 and a failed attempt', async () => {
    const { ctx, runId } = await setup('implement-and-tests-pass', { AGENTPR_CODEX_BIN: '/nonexistent/codex' });
    const { agentExit, stderr } = await runAgentStep(ctx, { runId, ...FLAGS });
    expect(agentExit).toBe(127);
    expect(stderr).toMatch(/AGENTPR_CODEX_BIN/);
  }, 120_000);
});
