import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAttempts, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, createSampleWorkspace, freshDatabase, makeBareFork, tempDir, type TestDatabase } from '@agentpr/testing';
import { createAppPorts } from '../../adapters/app-ports.js';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { claudeCapture, fakeAgentRunner } from '../../agent/__tests__/fake-agent-runner.js';
import { defaultManagerActions, managerTick, type ManagerActionConfig, type TickOptions } from '../index.js';

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

/**
 * Two runs in IMPLEMENTING, octo/alpha and octo/beta, each with a prepared workspace (real git), a policy that gives
 * alpha Claude and leaves beta on the default codex, and a fake agent port that replays a Claude capture for both.
 */
async function setup() {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-') };
  const agent = fakeAgentRunner({ capture: claudeCapture('pass') });
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env,
    ...createAppPorts(env, { overrides: { agent: agent.runner } }),
    log: silentLogger,
    actor: 'manager',
    paths: dataDirPaths(data, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
  };
  writeFileSync(ctx.paths.policyFile, JSON.stringify({ run_agent_step: { network: 'on', min_test_commands: 0, repo_overrides: { 'octo/alpha': { engine: 'claude' } } } }));
  const runs: Record<string, string> = {};
  for (const repo of ['alpha', 'beta']) {
    const sample = await createSampleWorkspace({ withRemote: true });
    const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
    const { run_id } = await createRun(ctx, { owner: 'octo', repo, prompt_version: 'v1' });
    await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
    await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
    await applyCommand(ctx, run_id, { command: 'start-implementation' });
    runs[repo] = run_id;
  }
  const promptFile = join(data, 'prompt.md');
  writeFileSync(promptFile, 'Add titleCase as the task says.\n');
  return { ctx, agent, runs, promptFile };
}

/** One agent step per run, no preflight network checks, no isolation needed from the fake port. */
function tickOptions(): TickOptions {
  return {
    limit: 5, maxActionsPerRun: 1, dryRun: false, hasPrompt: true, skillsMode: () => 'off', maxRetriesPerRun: 2, actionTimeoutMs: 60_000,
    agentTimeoutMs: () => 60_000, syncIntervalMs: 60_000, backoffBaseMs: 0, concurrency: 1, holder: 'test-manager', signal: new AbortController().signal,
  };
}

describe('the manager runs each run\'s own engine', () => {
  it('one tick launches the two repositories\' runs with the engines their policy gives them; --engine makes it one engine for all', async () => {
    const { ctx, agent, runs, promptFile } = await setup();
    const config: ManagerActionConfig = { promptFile, changes: 'Adds titleCase.', skipNetworkCheck: true };
    const report = await managerTick(ctx, defaultManagerActions(config), tickOptions());
    expect(report.results.map((r) => [r.repo, r.actions.map((a) => a.action)])).toEqual([['alpha', ['run_agent_step']], ['beta', ['run_agent_step']]]);
    const byRun = Object.fromEntries(agent.launches.map((l, i) => [l.paths.repoDir.split('/').at(-1), agent.engines[i]]));
    expect(byRun).toEqual({ [runs.alpha!]: 'claude', [runs.beta!]: 'codex' });
    for (const [repo, engine] of [['alpha', 'claude'], ['beta', 'codex']] as const) {
      expect((await listAttempts(ctx.db, runs[repo]!, { limit: 1, step: 'agent' }))[0]).toMatchObject({ engine });
    }
    // `--engine codex` (ManagerActionConfig.engine) wins over alpha's policy.
    const forced = await defaultManagerActions({ ...config, engine: 'codex' }).runAgentStep(ctx, runs.alpha!, new AbortController().signal);
    expect(forced.kind === 'done' || forced.kind === 'failed' ? forced.detail?.step : null).toBe('agent');
    expect(agent.engines.at(-1)).toBe('codex');
    expect((await listAttempts(ctx.db, runs.alpha!, { limit: 1, step: 'agent' }))[0]).toMatchObject({ engine: 'codex' });
  });
});
