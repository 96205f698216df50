import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, getRun, listArtifacts, listAttempts, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, createSampleWorkspace, freshDatabase, git, makeBareFork, tempDir, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { retryRun, type ManagerActions } from '../../manager/actions.js';
import { defaultManagerActions } from '../../manager/default-actions.js';
import { managerTick, type TickOptions } from '../../manager/manager-tick.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import type { AgentLaunchRequest, AgentRunner } from '../agent-runner.js';
import { agentStepOutcome, type RunAgentStepResult } from '../agent-step-result.js';
import { runAgentStep, type RunAgentStepInput } from '../run-agent-step.js';
import { capture, fakeAgentRunner, type FakeScript } from './fake-agent-runner.js';

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

/** A run in IMPLEMENTING with a prepared workspace (real git on a local upstream) and the real artefact writer. */
async function setup() {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-') };
  const base: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(data, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
  };
  const { run_id } = await createRun(base, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
  await prepareRun(base, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
  await applyCommand(base, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
  await applyCommand(base, run_id, { command: 'start-implementation' });
  const { run } = (await getRun(base.db, run_id))!;
  /** The context with a fake agent that plays `script` (one per attempt). */
  const withAgent = (script: FakeScript) => {
    const agent = fakeAgentRunner(script);
    return { ctx: { ...base, ...createAppPorts(env, { overrides: { agent: agent.runner } }) }, agent };
  };
  return { base, withAgent, runId: run_id, workspace: run.workspace_dir, baseSha: sample.baseSha };
}

const FLAGS: Omit<RunAgentStepInput, 'runId'> = { prompt: 'Add titleCase as the task says.', skipPreflight: true, network: 'on' };

/** What a failed attempt leaves: a broken tracked file and an untracked helper. */
function breakWorkspace(request: AgentLaunchRequest): void {
  writeFileSync(join(request.paths.repoDir, 'README.md'), 'half-finished rewrite\n');
  writeFileSync(join(request.paths.repoDir, 'helper.py'), 'def helper():\n    return 1\n');
}

function converged(result: RunAgentStepResult) {
  if (result.kind !== 'converged') throw new Error(`expected a converged step, got ${result.kind}: ${result.message}`);
  return result;
}

/** Attempt 1 fails (a transient model error) after changing the workspace: the run is FAILED_RETRYABLE. */
async function failedAttempt(s: Awaited<ReturnType<typeof setup>>) {
  const { ctx } = s.withAgent({ capture: capture('05-http-500-turn-failed'), during: breakWorkspace });
  const first = converged(await runAgentStep(ctx, { runId: s.runId, ...FLAGS }));
  expect([first.verdict, first.state]).toEqual(['RETRYABLE', 'FAILED_RETRYABLE']);
  expect(existsSync(join(s.workspace, 'helper.py'))).toBe(true);
}

describe('runAgentStep retrying the run\'s own failed attempt (real git, a replayed codex stream)', () => {
  it('the manager\'s retry works without manual git: the workspace is reset to the base, the discarded work kept as a patch, the attempt passes', async () => {
    const s = await setup();
    const readmeBefore = readFileSync(join(s.workspace, 'README.md'), 'utf8');
    await failedAttempt(s);
    expect((await retryRun(s.base, s.runId, 'IMPLEMENTING')).kind).toBe('done');

    const seen: string[] = [];
    const { ctx, agent } = s.withAgent({
      capture: capture('01-pass'),
      during: (request) => {
        // The agent of the retry finds the workspace as run-prepare left it.
        seen.push(readFileSync(join(request.paths.repoDir, 'README.md'), 'utf8'), String(existsSync(join(request.paths.repoDir, 'helper.py'))));
      },
    });
    const second = converged(await runAgentStep(ctx, { runId: s.runId, ...FLAGS, minTestCommands: 0 }));
    expect(agent.launches).toHaveLength(1);
    expect(seen).toEqual([readmeBefore, 'false']);
    expect([second.verdict, second.state]).toEqual(['PASS', 'LOCAL_VALIDATING']);
    expect(await git(s.workspace, ['rev-parse', 'HEAD'])).toBe(s.baseSha);

    const [patchArtifact] = await listArtifacts(s.base.db, s.runId, { limit: 5, type: 'discarded_patch' });
    expect(patchArtifact).toMatchObject({ metadata: { trigger: 'retry', point: 'base', target_sha: s.baseSha, tracked: 1, untracked: 1 } });
    const patch = readFileSync(patchArtifact!.uri, 'utf8');
    expect(patch).toContain('diff --git a/README.md b/README.md');
    expect(patch).toContain('+half-finished rewrite');
    expect(patch).toContain('diff --git a/helper.py b/helper.py\nnew file mode 100644');
    expect(patch).toContain('+def helper():');
    expect(second.warnings[0]).toMatch(new RegExp(`^workspace reset to the base commit ${s.baseSha.slice(0, 12)} before this retry \\(1 tracked, 1 untracked, \\d+ ignored discarded\\); discarded changes kept in ${patchArtifact!.uri}$`));

    // The reset is one of the run's recorded steps (inspect-run lists them), between the two attempts.
    const attempts = (await listAttempts(s.base.db, s.runId, { limit: 10 })).reverse();
    expect(attempts.map((a) => a.step)).toEqual(['prepare', 'agent', 'workspace_reset', 'agent']);
    expect(attempts[2]!.stdout_log).toContain(`reset to ${s.baseSha} (base)`);
  });

  it('an operator\'s edit after the failed attempt is not the attempt\'s product: the retry refuses it as before and discards nothing', async () => {
    const s = await setup();
    await failedAttempt(s);
    writeFileSync(join(s.workspace, 'operator-fix.txt'), 'a human was here\n');
    await applyCommand(s.base, s.runId, { command: 'retry', targetState: 'IMPLEMENTING' });
    const { ctx, agent } = s.withAgent({ capture: capture('01-pass') });
    const result = await runAgentStep(ctx, { runId: s.runId, ...FLAGS, minTestCommands: 0 });
    expect(result).toMatchObject({ kind: 'refused', reason: 'dirty_workspace_before_agent', message: 'workspace has pre-existing local changes', state: 'NEEDS_HUMAN_REVIEW' });
    expect(agent.launches).toHaveLength(0);
    expect(readFileSync(join(s.workspace, 'operator-fix.txt'), 'utf8')).toBe('a human was here\n');
    expect(readFileSync(join(s.workspace, 'helper.py'), 'utf8')).toContain('def helper');
    expect(await listArtifacts(s.base.db, s.runId, { limit: 5, type: 'discarded_patch' })).toEqual([]);
  });

  it('an operator\'s edit with no failed attempt before (not a retry) is still refused', async () => {
    const s = await setup();
    writeFileSync(join(s.workspace, 'README.md'), 'edited by hand\n');
    const { ctx, agent } = s.withAgent({ capture: capture('01-pass') });
    const result = await runAgentStep(ctx, { runId: s.runId, ...FLAGS });
    expect(result).toMatchObject({ kind: 'refused', reason: 'dirty_workspace_before_agent', state: 'NEEDS_HUMAN_REVIEW' });
    expect(agent.launches).toHaveLength(0);
    expect(readFileSync(join(s.workspace, 'README.md'), 'utf8')).toBe('edited by hand\n');
    expect(await listAttempts(s.base.db, s.runId, { limit: 5, step: 'workspace_reset' })).toEqual([]);
  });

  it('in ITERATING a retry resets to the last pushed head, not the base', async () => {
    const s = await setup();
    // The run pushed a commit and CI failed: ITERATING.
    writeFileSync(join(s.workspace, 'pushed.txt'), 'pushed work\n');
    await git(s.workspace, ['add', 'pushed.txt']);
    await git(s.workspace, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'feat: pushed work']);
    const head = await git(s.workspace, ['rev-parse', 'HEAD']);
    const branch = await git(s.workspace, ['branch', '--show-current']);
    for (const event of [
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch, head_sha: head },
      { type: 'command.pr.linked', pr_number: 7 },
      { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: head },
    ] as const) {
      await applyEvent(s.base.db, s.runId, { event }, s.base.clock);
    }
    expect((await getRun(s.base.db, s.runId))?.state.current_state).toBe('ITERATING');
    await failedAttempt(s);
    expect((await retryRun(s.base, s.runId, 'ITERATING')).kind).toBe('done');
    const { ctx } = s.withAgent({ capture: capture('01-pass') });
    converged(await runAgentStep(ctx, { runId: s.runId, ...FLAGS, minTestCommands: 0 }));
    expect(await git(s.workspace, ['rev-parse', 'HEAD'])).toBe(head);
    expect(readFileSync(join(s.workspace, 'pushed.txt'), 'utf8')).toBe('pushed work\n');
    expect(existsSync(join(s.workspace, 'helper.py'))).toBe(false);
    const [reset] = await listArtifacts(s.base.db, s.runId, { limit: 1, type: 'workspace_reset' });
    expect(reset).toMatchObject({ metadata: { trigger: 'retry', point: 'pushed_head', target_sha: head, ok: true } });
  });
});

/** An agent port that plays one script per launch, in order. */
function scriptedAgent(scripts: FakeScript[]): { runner: AgentRunner; launches: () => number } {
  const fakes = scripts.map((script) => fakeAgentRunner(script));
  let n = 0;
  const first = fakes[0]!.runner;
  const runner: AgentRunner = { ...first, prepare: (request) => fakes[Math.min(n++, fakes.length - 1)]!.runner.prepare(request) };
  return { runner, launches: () => n };
}

describe('the manager\'s retry budget on a failed attempt', () => {
  it('the manager retries a failed attempt on a reset workspace, with ticks only: the second attempt passes, no human needed', async () => {
    const s = await setup();
    const agent = scriptedAgent([{ capture: capture('05-http-500-turn-failed'), during: breakWorkspace }, { capture: capture('01-pass') }]);
    const ctx: AppContext = { ...s.base, agent: agent.runner };
    const actions: ManagerActions = {
      ...defaultManagerActions({ changes: 'Adds titleCase.' }),
      // The agent step as the manager runs it, without the repository preflight (no codex, no network here).
      runAgentStep: async (c, runId, signal) => {
        const result = await runAgentStep(c, { runId, ...FLAGS, minTestCommands: 0, signal });
        const outcome = agentStepOutcome(result);
        return outcome.ok ? { kind: 'done', detail: { step: 'agent', result } } : { kind: 'failed', code: 'agent_step_failed', error: outcome.error, detail: { step: 'agent', result } };
      },
    };
    const options = (maxActionsPerRun: number): TickOptions => ({
      runId: s.runId, limit: 5, maxActionsPerRun, dryRun: false, hasPrompt: true, skillsMode: () => 'off', maxRetriesPerRun: 2, actionTimeoutMs: 60_000,
      agentTimeoutMs: () => 60_000, syncIntervalMs: 60_000, backoffBaseMs: 0, concurrency: 1, holder: 'test-manager', signal: new AbortController().signal,
    });
    const first = await managerTick(ctx, actions, options(1));
    expect(first.results[0]!.actions.map((a) => `${a.state}:${a.action}`)).toEqual(['IMPLEMENTING:run_agent_step']);
    expect((await getRun(ctx.db, s.runId))?.state.current_state).toBe('FAILED_RETRYABLE');
    const second = await managerTick(ctx, actions, options(2));
    expect(second.results[0]!.actions.map((a) => `${a.state}:${a.action}`)).toEqual(['FAILED_RETRYABLE:retry', 'IMPLEMENTING:run_agent_step']);
    expect(second.results[0]!.errors).toEqual([]);
    expect(agent.launches()).toBe(2);
    expect((await getRun(ctx.db, s.runId))?.state.current_state).toBe('LOCAL_VALIDATING');
    expect(existsSync(join(s.workspace, 'helper.py'))).toBe(false);
    const [patch] = await listArtifacts(ctx.db, s.runId, { limit: 1, type: 'discarded_patch' });
    expect(readFileSync(patch!.uri, 'utf8')).toContain('+def helper():');
  });
});
