import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineName } from '@agentpr/policy';
import { getRun, listAttempts, listEvents, openStore, type OpenDatabase, type RunWithState } from '@agentpr/store';
import { cleanupTempDirs, createSampleWorkspace, freshDatabase, makeBareFork, tempDir, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import type { RunAgentStepResult } from '../agent-step-result.js';
import { resolveParameters, type RunAgentStepInput } from '../parameters.js';
import { runAgentStep } from '../run-agent-step.js';
import { capture, claudeCapture, fakeAgentRunner, memoryArtifacts, type FakeScript } from './fake-agent-runner.js';

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

/** A policy that gives octo/sample Claude (with its own settings) and everything else codex. */
const CLAUDE_FOR_SAMPLE = {
  run_agent_step: {
    claude: { model: 'claude-sonnet-4-5', permission_mode: 'acceptEdits', allowed_tools: ['Bash', 'Read'], disallowed_tools: ['WebSearch'], max_turns: 12 },
    repo_overrides: { 'octo/sample': { engine: 'claude' } },
  },
};

/** A run in IMPLEMENTING with a prepared workspace (real git on a local upstream), the fake agent as its port and `policy` as the policy file. */
async function setup(script: FakeScript, policy: unknown = {}) {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  const data = tempDir('agentpr-data-');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-') };
  const agent = fakeAgentRunner(script);
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
  writeFileSync(ctx.paths.policyFile, JSON.stringify(policy));
  const { run_id } = await createRun(ctx, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
  await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
  await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
  await applyCommand(ctx, run_id, { command: 'start-implementation' });
  const { run } = (await getRun(ctx.db, run_id))!;
  return { ctx, runId: run_id, agent, artifacts, workspace: run.workspace_dir, data };
}

/** No engine, no network, no bwrap: the fake port says bubblewrap is usable, and the network is not proxied. */
const FLAGS: Omit<RunAgentStepInput, 'runId'> = { prompt: 'Add titleCase as the task says.', skipPreflight: true, network: 'on', minTestCommands: 0 };

function converged(result: RunAgentStepResult) {
  if (result.kind !== 'converged') throw new Error(`expected a converged step, got ${result.kind}: ${result.message}`);
  return result;
}

/** What the runtime report says about the engine. */
interface EngineReport {
  runtime: { engine: string; engine_source: string; model: string | null; claude?: Record<string, unknown>; policy: Record<string, unknown> };
}

describe('resolveParameters picks the engine: flag > repository stage > repository > stage > default', () => {
  const run = (owner: string, state: string) => ({ run: { owner, repo: 'r' }, state: { current_state: state } }) as RunWithState;

  it.each([
    ['the flag wins over everything', 'o', 'IMPLEMENTING', 'codex', { engine: 'codex', source: 'flag' }],
    ['the repository\'s stage entry', 'o', 'IMPLEMENTING', undefined, { engine: 'claude', source: 'repo_stage' }],
    ['the repository\'s engine for its other stages', 'o', 'ITERATING', undefined, { engine: 'codex', source: 'repo' }],
    ['the global stage entry for another repository', 'x', 'ITERATING', undefined, { engine: 'claude', source: 'stage' }],
    ['a QUEUED run starts in DISCOVERY: the global stage entry', 'x', 'QUEUED', undefined, { engine: 'claude', source: 'stage' }],
    ['the default', 'x', 'IMPLEMENTING', undefined, { engine: 'codex', source: 'default' }],
  ] as const)('%s', async (_name, owner, state, flag, expected) => {
    const policyFile = join(tempDir('agentpr-policy-'), 'policy.json');
    writeFileSync(policyFile, JSON.stringify({
      run_agent_step: {
        engine_by_stage: { ITERATING: 'claude', DISCOVERY: 'claude' },
        repo_overrides: { 'o/r': { engine: 'codex', engine_by_stage: { IMPLEMENTING: 'claude' } } },
      },
    }));
    const ctx = { paths: { policyFile } } as AppContext;
    const params = await resolveParameters(ctx, { runId: 'run_x', ...(flag ? { engine: flag } : {}) }, run(owner, state));
    expect(params.engine).toEqual(expected);
  });
});

describe('runAgentStep runs the engine the policy or the flag picks', () => {
  it('a repository the policy gives Claude: forEngine(claude) is launched with the policy\'s settings and model, recorded on the attempt and in the report', async () => {
    const { ctx, runId, agent, artifacts, data } = await setup({ capture: claudeCapture('pass') }, CLAUDE_FOR_SAMPLE);
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS }));
    expect([result.engine, result.engineSource, result.model]).toEqual(['claude', 'repo', 'claude-sonnet-4-5']);
    expect(agent.asked).toEqual(['claude']);
    expect(agent.engines).toEqual(['claude']);
    expect(agent.probeCaches).toEqual([join(data, 'cache', 'claude-probe.json')]);
    expect(agent.launches[0]).toMatchObject({
      model: 'claude-sonnet-4-5',
      claude: { permissionMode: 'acceptEdits', allowedTools: ['Bash', 'Read'], disallowedTools: ['WebSearch'], maxTurns: 12 },
    });
    // The claude attempt home is CLAUDE_CONFIG_DIR, and codex's variables are not set.
    expect(agent.launches[0]!.env.CLAUDE_CONFIG_DIR).toBe(agent.launches[0]!.codexHome);
    expect(agent.launches[0]!.env.CODEX_HOME).toBeUndefined();
    const [attempt] = await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' });
    expect(attempt).toMatchObject({ engine: 'claude', model: 'claude-sonnet-4-5' });
    const report = JSON.parse(artifacts.files.get(result.reports.report)!) as EngineReport;
    expect(report.runtime).toMatchObject({ engine: 'claude', engine_source: 'repo', model: 'claude-sonnet-4-5', claude: { max_turns: 12 } });
    expect(report.runtime.policy).toMatchObject({ engine: 'claude', engine_source: 'repo', agent_bin: '/fake/bin/claude', agent_bin_source: 'fake' });
    expect(report.runtime.policy).not.toHaveProperty('codex_bin');
  });

  it('--engine codex overrides the policy\'s Claude: codex runs, with the codex_* report keys kept', async () => {
    const { ctx, runId, agent, artifacts } = await setup({ capture: capture('01-pass') }, CLAUDE_FOR_SAMPLE);
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS, engine: 'codex' }));
    expect([result.engine, result.engineSource]).toEqual(['codex', 'flag']);
    expect(agent.engines).toEqual(['codex']);
    expect(agent.launches[0]).not.toHaveProperty('claude');
    expect((await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' }))[0]).toMatchObject({ engine: 'codex' });
    const report = JSON.parse(artifacts.files.get(result.reports.report)!) as EngineReport;
    expect(report.runtime.policy).toMatchObject({ engine: 'codex', engine_source: 'flag', agent_bin: '/fake/bin/codex', codex_bin: '/fake/bin/codex', codex_bin_source: 'fake' });
  });

  it('a bad --engine is a usage error naming the engines, and changes nothing', async () => {
    const { ctx, runId, agent } = await setup({ capture: capture('01-pass') });
    const before = await listEvents(ctx.db, runId, { limit: 100 });
    const engine = JSON.parse('"gemini"') as EngineName;
    await expect(runAgentStep(ctx, { runId, ...FLAGS, engine })).rejects.toMatchObject({ code: 'usage', message: '--engine must be one of codex, claude, got "gemini"' });
    expect(await listEvents(ctx.db, runId, { limit: 100 })).toEqual(before);
    expect(await listAttempts(ctx.db, runId, { limit: 5, step: 'agent' })).toEqual([]);
    expect(agent.launches).toHaveLength(0);
  });

  it('Claude\'s last message and model come from its stream: the message copied into the reports, nothing written or followed in the workspace', async () => {
    const outside = join(tempDir('agentpr-outside-'), 'target.txt');
    writeFileSync(outside, 'untouched\n');
    const during: FakeScript['during'] = (request) => {
      // A hostile agent plants symlinks where a last message could be written.
      symlinkSync(outside, join(request.paths.runtimeDir, 'claude_last_message.txt'));
      symlinkSync(outside, request.paths.lastMessagePath);
    };
    // No model in the policy: the attempt records the one the stream names.
    const policy = { run_agent_step: { repo_overrides: { 'octo/sample': { engine: 'claude' } } } };
    const { ctx, runId, workspace } = await setup({ capture: claudeCapture('pass'), during }, policy);
    const result = converged(await runAgentStep(ctx, { runId, ...FLAGS }));
    expect((await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' }))[0]).toMatchObject({ engine: 'claude', model: 'claude-sonnet-4-5' });
    expect(result.lastMessage).not.toBeNull();
    expect(result.lastMessage!.startsWith(ctx.paths.reportsDir)).toBe(true);
    expect(readFileSync(result.lastMessage!, 'utf8')).toContain('Status: PASS');
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
    const runtime = readdirSync(join(workspace, '.agentpr_runtime'));
    expect(runtime.filter((n) => n.includes('last_message')).sort()).toEqual(['claude_last_message.txt', 'codex_last_message.txt']);
  });

  it('a claude binary that is not found: a not-started attempt whose error names Claude\'s own fix, recorded as claude_agent_failed', async () => {
    const { ctx, runId, agent } = await setup({ capture: claudeCapture('pass') }, CLAUDE_FOR_SAMPLE);
    const forEngine = agent.runner.forEngine;
    const runner = { ...agent.runner, forEngine: (name: EngineName) => ({ ...forEngine(name), resolve: () => ({ ok: false as const, reason: 'claude was found nowhere.', source: null }) }) };
    const result = converged(await runAgentStep({ ...ctx, agent: runner }, { runId, ...FLAGS }));
    expect(result.agentExit).toBe(127);
    expect(result.stderr).toContain('claude not found: claude was found nowhere. Set AGENTPR_CLAUDE_BIN or install Claude Code: npm i -g @anthropic-ai/claude-code@2.1.332.');
    expect(agent.launches).toHaveLength(0);
    expect((await getRun(ctx.db, runId))?.state.last_error).toMatch(/^agent:claude_agent_failed:/);
    expect(existsSync(join(ctx.paths.dataDir, 'cache', 'codex-probe.json'))).toBe(false);
  });
});
