import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getRun, listAttempts, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, createSampleWorkspace, freshDatabase, makeBareFork, tempDir, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { agentStepOutcome, type RunAgentStepResult } from '../agent-step-result.js';
import { runAgentStep, type RunAgentStepInput } from '../run-agent-step.js';
import { capture, fakeAgentRunner, memoryArtifacts, type FakeAgent, type FakeScript } from './fake-agent-runner.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..', '..');
afterAll(() => cleanupTempDirs());

let tdb: TestDatabase | undefined;
let store: OpenDatabase | undefined;
afterEach(async () => {
  await store?.close();
  await tdb?.drop();
  store = undefined;
  tdb = undefined;
});

/** A run in IMPLEMENTING with a prepared workspace (real git on a local upstream) and the fake agent as its port. */
async function setup(script: FakeScript) {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-'), GITHUB_TOKEN: 'ghp_secret_fake' };
  const agent: FakeAgent = fakeAgentRunner(script);
  const artifacts = memoryArtifacts();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env, { overrides: { agent: agent.runner, artifacts } }),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(data, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
  };
  const { run_id } = await createRun(ctx, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
  await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
  await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
  await applyCommand(ctx, run_id, { command: 'start-implementation' });
  const { run } = (await getRun(ctx.db, run_id))!;
  return { ctx, runId: run_id, agent, artifacts, workspace: run.workspace_dir };
}

/** No codex, no network, no bwrap: the fake port says bubblewrap is usable, and the network is not proxied. */
const FLAGS: Omit<RunAgentStepInput, 'runId'> = { prompt: 'Add titleCase as the task says.', skipPreflight: true, network: 'on' };

function converged(result: RunAgentStepResult) {
  if (result.kind !== 'converged') throw new Error(`expected a converged step, got ${result.kind}: ${result.message}`);
  return result;
}

function refused(result: RunAgentStepResult) {
  if (result.kind !== 'refused') throw new Error(`expected a refusal, got ${result.kind} ${result.verdict} ${result.classification.reason_code}`);
  return result;
}

describe('runAgentStep over fake ports (a captured codex stream, real git, in-memory reports)', () => {
  it('PASS: the replayed stream passes, the run moves to LOCAL_VALIDATING, reports are written', async () => {
    const { ctx, runId, agent, artifacts } = await setup({ capture: capture('01-pass') });
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS, minTestCommands: 0 }));
    expect([result.verdict, result.classification.reason_code, result.agentExit, result.target, result.state]).toEqual(['PASS', 'runtime_success', 0, 'LOCAL_VALIDATING', 'LOCAL_VALIDATING']);
    expect(agent.launches).toHaveLength(1);
    expect(agent.launches[0]!.prompt).toContain('Add titleCase as the task says.');
    const report = JSON.parse(artifacts.files.get(result.reports.report)!) as { result: { exit_code: number }; classification: { grade: string } };
    expect(report).toMatchObject({ result: { exit_code: 0 }, classification: { grade: 'PASS' } });
    expect(artifacts.files.has(result.reports.digest) && artifacts.files.has(result.reports.insight)).toBe(true);
    expect(agentStepOutcome(result)).toEqual({ ok: true });
    expect((await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' }))[0]).toMatchObject({ grade: 'PASS', stage: 'IMPLEMENTING' });
  });

  it('HUMAN_REVIEW: a stream without test evidence → missing_test_evidence, NEEDS_HUMAN_REVIEW', async () => {
    const { ctx, runId } = await setup({ capture: capture('01-pass') });
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS }));
    expect([result.verdict, result.classification.reason_code, result.state]).toEqual(['HUMAN_REVIEW', 'missing_test_evidence', 'NEEDS_HUMAN_REVIEW']);
    expect(agentStepOutcome(result)).toEqual({ ok: false, error: 'missing_test_evidence' });
    expect((await getRun(ctx.db, runId))?.state.last_error).toBe('agent:missing_test_evidence:HUMAN_REVIEW');
  });

  it('RETRYABLE: the model fails with a transient error (exit 1) → FAILED_RETRYABLE, the agent\'s exit passed on', async () => {
    const { ctx, runId } = await setup({ capture: capture('05-http-500-turn-failed') });
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS }));
    expect([result.verdict, result.agentExit, result.state]).toEqual(['RETRYABLE', 1, 'FAILED_RETRYABLE']);
    // The one-line reason is the agent's last stderr line.
    expect(agentStepOutcome(result)).toEqual({ ok: false, error: result.stderr.split('\n').filter((l) => l.trim()).at(-1) });
    expect((await getRun(ctx.db, runId))?.state.last_error).toMatch(/^agent:codex_agent_failed:/);
  });

  it('diff budget exceeded: the agent changes more files than allowed → HUMAN_REVIEW diff_budget_exceeded', async () => {
    const during: FakeScript['during'] = (request) => {
      for (const name of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(join(request.paths.repoDir, name), 'new\n');
    };
    const { ctx, runId } = await setup({ capture: capture('01-pass'), during });
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS, minTestCommands: 0, maxChangedFiles: 2 }));
    expect([result.verdict, result.classification.reason_code, result.state]).toEqual(['HUMAN_REVIEW', 'diff_budget_exceeded', 'NEEDS_HUMAN_REVIEW']);
    expect(result.classification.details).toMatchObject({ changed_files_count: 3, max_changed_files: 2 });
  });

  it('interrupted: aborting the step stops the agent → RETRYABLE runtime_interrupted (decided by the classifier)', async () => {
    const controller = new AbortController();
    const { ctx, runId } = await setup({ capture: capture('01-pass'), during: () => controller.abort(new Error('manager shutdown')), untilAborted: true });
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS, minTestCommands: 0, signal: controller.signal }));
    expect([result.verdict, result.classification.reason_code, result.classification.next_action, result.agentExit]).toEqual(['RETRYABLE', 'runtime_interrupted', 'retry', 130]);
    expect(result.classification.details).toMatchObject({ interrupted: true });
    expect(result.state).toBe('FAILED_RETRYABLE');
  });

  it('dirty worktree: local changes before the agent → refused, the agent never starts, the run needs a human', async () => {
    const { ctx, runId, agent, workspace } = await setup({ capture: capture('01-pass') });
    writeFileSync(join(workspace, 'stray.txt'), 'left over\n');
    const result = refused(await runAgentStep(ctx, { runId, ...FLAGS }));
    expect([result.reason, result.message, result.state]).toEqual(['dirty_workspace_before_agent', 'workspace has pre-existing local changes', 'NEEDS_HUMAN_REVIEW']);
    expect(agent.launches).toHaveLength(0);
    if (result.reason !== 'dirty_workspace_before_agent') throw new Error(`expected dirty_workspace_before_agent, got ${result.reason}`);
    expect(result.diff.changed_files_count).toBe(1);
    expect(agentStepOutcome(result)).toEqual({ ok: false, error: 'workspace has pre-existing local changes' });
    expect(await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' })).toHaveLength(0);
  });

  it('missing skills: agentpr mode without the required skills → refused with the install command', async () => {
    const { ctx, runId, agent } = await setup({ capture: capture('01-pass') });
    const result = refused(await runAgentStep(ctx, { runId, ...FLAGS, skillsMode: 'agentpr' }));
    if (result.reason !== 'skills_missing') throw new Error(`expected skills_missing, got ${result.reason}`);
    expect(result.missingRequired.length).toBeGreaterThan(0);
    expect(result.nextCommand).toContain('agentpr install-skills --local-skills-root');
    expect(result.state).toBe('NEEDS_HUMAN_REVIEW');
    expect(agent.launches).toHaveLength(0);
    expect(agentStepOutcome(result)).toEqual({ ok: false, error: result.message });
  });

  it('preflight failure: a read-only codex sandbox fails the preflight → refused and judged, the agent never starts', async () => {
    const { ctx, runId, agent, artifacts } = await setup({ capture: capture('01-pass') });
    const result = refused(await runAgentStep(ctx, { runId, ...FLAGS, skipPreflight: false, skipNetworkCheck: true, codexSandbox: 'read-only' }));
    if (result.reason !== 'preflight_failed') throw new Error(`expected preflight_failed, got ${result.reason}`);
    expect([result.classification.grade, result.classification.reason_code, result.state]).toEqual(['HUMAN_REVIEW', 'preflight_hard_failure', 'NEEDS_HUMAN_REVIEW']);
    expect(result.preflight.failures.join(' ')).toContain('read-only');
    expect(artifacts.files.has(result.reports.report)).toBe(true);
    expect(agent.launches).toHaveLength(0);
    expect(artifacts.files.has(result.reports.digest)).toBe(true);
    expect(agentStepOutcome(result)).toEqual({ ok: false, error: 'preflight failed' });
  });
});
