import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { analyzeEventText } from '@agentpr/runtime-analysis';
import { getRun, listAttempts, openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, createSampleWorkspace, freshDatabase, makeBareFork, tempDir, type TestDatabase } from '@agentpr/testing';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { attemptModel, attemptUsageOf, modelFromArgs, modelFromConfigToml } from '../attempt-usage.js';
import { runAgentStep } from '../run-agent-step.js';
import { capture, fakeAgentRunner, memoryArtifacts } from './fake-agent-runner.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..', '..');
const fixtures = join(repoRoot, 'tools', 'fixtures');
afterAll(() => cleanupTempDirs());

describe('the model of an attempt', () => {
  it('modelFromArgs reads -m, --model, --model= and -c model=; the last one wins', () => {
    expect(modelFromArgs(['--skip-git-repo-check', '-m', 'gpt-5-codex'])).toBe('gpt-5-codex');
    expect(modelFromArgs(['--model=o4-mini'])).toBe('o4-mini');
    expect(modelFromArgs(['-c', 'model="gpt-5"', '--model', 'gpt-5.5'])).toBe('gpt-5.5');
    expect(modelFromArgs(['-c', "model='gpt-5'"])).toBe('gpt-5');
    expect(modelFromArgs(['-c', 'model_provider="stub"', '-m'])).toBeNull();
  });

  it('modelFromConfigToml reads the active profile\'s model, else the top-level one', () => {
    expect(modelFromConfigToml('model = "gpt-5-codex"\nmodel_provider = "stub"\n[model_providers.stub]\nmodel = "not-this"\n')).toBe('gpt-5-codex');
    expect(modelFromConfigToml('profile = "fast"\nmodel = "gpt-5"\n[profiles.fast]\nmodel = "o4-mini" # cheaper\n[profiles.slow]\nmodel = "o3"\n')).toBe('o4-mini');
    expect(modelFromConfigToml('profile = "none"\nmodel = "gpt-5"\n')).toBe('gpt-5');
    expect(modelFromConfigToml('[model_providers.stub]\nbase_url = "http://127.0.0.1:1"\n')).toBeNull();
  });

  it('attemptModel: the step\'s --codex-model, else the agent arguments, else the operator\'s codex config, else null', () => {
    const home = tempDir('agentpr-codex-home-');
    expect(attemptModel({}, home)).toBeNull();
    writeFileSync(join(home, 'config.toml'), 'model = "gpt-5-codex"\n');
    expect(attemptModel({}, home)).toBe('gpt-5-codex');
    expect(attemptModel({ agentArgs: ['-m', 'o4-mini'] }, home)).toBe('o4-mini');
    expect(attemptModel({ codexModel: 'gpt-5.5', agentArgs: ['-m', 'o4-mini'] }, home)).toBe('gpt-5.5');
  });
});

describe('attemptUsageOf over real codex streams (tools/fixtures)', () => {
  it('codex 0.169 (turn.completed usage): input, cached, output and reasoning_output_tokens as reasoning', () => {
    const analysis = analyzeEventText(readFileSync(join(fixtures, 'codex-0.169-captures', '01-pass', 'stdout.jsonl'), 'utf8'));
    expect(attemptUsageOf('codex', 'gpt-5-codex', analysis.summary.usage)).toEqual({
      engine: 'codex',
      model: 'gpt-5-codex',
      inputTokens: 210,
      cachedInputTokens: 50,
      outputTokens: 40,
      reasoningTokens: 5,
    });
  });

  it('codex 0.42 (cumulative token_count events): the last cumulative total, not a sum of the reports', () => {
    const analysis = analyzeEventText(readFileSync(join(fixtures, 'codex-0.169-captures', '20-legacy-0.42.0-json-pass', 'stdout.jsonl'), 'utf8'));
    expect(attemptUsageOf('codex', null, analysis.summary.usage)).toMatchObject({ inputTokens: 210, cachedInputTokens: 50, outputTokens: 40, reasoningTokens: 5 });
  });

  it('a stream without usage records null counters', () => {
    expect(attemptUsageOf('codex', null, {})).toEqual({ engine: 'codex', model: null, inputTokens: null, cachedInputTokens: null, outputTokens: null, reasoningTokens: null });
  });
});

describe('runAgentStep records the engine, model and token usage of the attempt', () => {
  let tdb: TestDatabase | undefined;
  let store: OpenDatabase | undefined;
  afterEach(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it('a replayed codex 0.169 stream with usage: the agent attempt row carries codex, the configured model and the stream\'s totals', async () => {
    tdb = await freshDatabase('sqlite');
    store = await openStore(tdb.location);
    const sample = await createSampleWorkspace({ withRemote: true });
    const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
    const data = tempDir('agentpr-data-');
    const codexHome = tempDir('agentpr-codex-home-');
    writeFileSync(join(codexHome, 'config.toml'), 'model = "gpt-5-codex"\n');
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-'), CODEX_HOME: codexHome };
    const agent = fakeAgentRunner({ capture: capture('01-pass') });
    const ctx: AppContext = {
      db: store.db,
      dialect: store.dialect,
      clock: () => new Date(),
      env,
      ...createAppPorts(env, { overrides: { agent: agent.runner, artifacts: memoryArtifacts() } }),
      log: silentLogger,
      actor: 'operator',
      paths: dataDirPaths(data, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
    };
    const { run_id } = await createRun(ctx, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
    await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
    await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(data, 'contract.md') });
    await applyCommand(ctx, run_id, { command: 'start-implementation' });
    const result = await runAgentStep(ctx, { runId: run_id, prompt: 'Add titleCase.', skipPreflight: true, network: 'on', minTestCommands: 0 });
    expect(result.kind).toBe('converged');
    const [attempt] = await listAttempts(ctx.db, run_id, { limit: 1, step: 'agent' });
    expect(attempt).toMatchObject({ engine: 'codex', model: 'gpt-5-codex', input_tokens: 210, cached_input_tokens: 50, output_tokens: 40, reasoning_tokens: 5 });
    expect((await getRun(ctx.db, run_id))?.state.current_state).toBe('LOCAL_VALIDATING');
  });
});
