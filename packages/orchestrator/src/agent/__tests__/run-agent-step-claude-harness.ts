// The harness of the run-agent-step tests with the real claude binary: a run in IMPLEMENTING with a prepared
// workspace, the anthropic stub playing a shipped scenario, and the policy choosing claude.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type OpenDatabase } from '@agentpr/store';
import { CLAUDE_TEST_RETRY_ENV, createSampleWorkspace, freshDatabase, makeBareFork, tempDir, withClaudeSandbox, type ClaudeSandbox, type ClaudeSandboxOptions, type TestDatabase } from '@agentpr/testing';
import { expect } from 'vitest';
import { createAppPorts } from '../../adapters/app-ports.js';
import { dataDirPaths, silentLogger, type AppContext } from '../../context.js';
import { applyCommand } from '../../runs/apply-command.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../../workspace/prepare-run.js';
import { agentStepOutcome } from '../agent-step-result.js';
import { runAgentStep as runStep, type RunAgentStepInput } from '../run-agent-step.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..', '..');
const scenarioDir = join(repoRoot, 'tools', 'anthropic-stub', 'scenarios');

/** Secrets agentpr holds in its own environment; none of them may reach the agent. */
export const HOST_SECRETS = {
  GITHUB_TOKEN: 'ghp_secret-github-token',
  GH_TOKEN: 'gho_secret-gh-token',
  AGENTPR_TELEGRAM_BOT_TOKEN: '123:secret-bot-token',
  AGENTPR_GITHUB_WEBHOOK_SECRET: 'secret-webhook',
  // codex's credential: the claude engine's only credential is ANTHROPIC_API_KEY.
  OPENAI_API_KEY: 'sk-secret-openai-key',
} as const;

/** The model the policy asks claude for (`run_agent_step.claude.model`). */
export const POLICY_MODEL = 'claude-sonnet-4-5';

/** The first turn every scenario here gets: the agent prints its environment, which the stub then records. */
const ENV_TURN = {
  kind: 'reply',
  content: [
    { type: 'text', text: 'First I look at my environment.' },
    { type: 'tool_use', name: 'Bash', input: { command: 'env', description: 'Print the environment' } },
  ],
  usage: { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
};

/** A shipped scenario with {@link ENV_TURN} in front of its own turns. */
function scenarioWithEnvTurn(name: string): ClaudeSandboxOptions['scenario'] {
  const shipped = JSON.parse(readFileSync(join(scenarioDir, `${name}.json`), 'utf8')) as { steps: unknown[] };
  return { ...shipped, steps: [ENV_TURN, ...shipped.steps] } as ClaudeSandboxOptions['scenario'];
}

/** What one test set up; `close` releases the stub and the database. */
export interface ClaudeStep {
  ctx: AppContext;
  runId: string;
  forkUrl: string;
  dataDir: string;
  claude: ClaudeSandbox;
  close(): Promise<void>;
}

/** Options of {@link setupClaudeStep}. */
export interface ClaudeStepOptions {
  /** Values for the scenario's placeholders (e.g. `OUTSIDE_DIR`). */
  vars?: Record<string, string>;
  /** `run_agent_step` fields over the defaults here (engine claude, the retry variables passed through, the model). */
  runAgentStep?: Record<string, unknown>;
}

/**
 * A run in IMPLEMENTING whose workspace is cloned from a local upstream, the anthropic stub playing `scenario` (a
 * shipped one, with the environment turn first), and a policy that runs claude under the defaults (bwrap, network
 * allowlist: the stub's loopback endpoint is the model endpoint). agentpr's own environment holds {@link HOST_SECRETS}.
 */
export async function setupClaudeStep(scenario: string, options: ClaudeStepOptions = {}): Promise<ClaudeStep> {
  const tdb: TestDatabase = await freshDatabase('sqlite');
  const store: OpenDatabase = await openStore(tdb.location);
  const claude = await withClaudeSandbox({ scenario: scenarioWithEnvTurn(scenario), ...(options.vars ? { vars: options.vars } : {}) });
  const close = async () => {
    await claude.close();
    await store.close();
    await tdb.drop();
  };
  try {
    const sample = await createSampleWorkspace({ withRemote: true });
    const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
    const dataDir = tempDir('agentpr-data-');
    const policy = { run_agent_step: { engine: 'claude', env_passthrough: Object.keys(CLAUDE_TEST_RETRY_ENV), claude: { model: POLICY_MODEL }, ...options.runAgentStep } };
    writeFileSync(join(dataDir, 'manager_policy.json'), JSON.stringify(policy));
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('agentpr-home-'), ...claude.env, ...CLAUDE_TEST_RETRY_ENV, ...HOST_SECRETS };
    const ctx: AppContext = {
      db: store.db,
      dialect: store.dialect,
      clock: () => new Date(),
      env,
      ...createAppPorts(env),
      log: silentLogger,
      actor: 'operator',
      paths: dataDirPaths(dataDir, { campaignDir: join(repoRoot, 'campaigns', 'example'), skillsDir: join(repoRoot, 'skills') }),
    };
    const { run_id } = await createRun(ctx, { owner: 'octo', repo: 'sample', prompt_version: 'v1' });
    await prepareRun(ctx, { runId: run_id, upstreamUrl: sample.remote!, forkUrl: fork.url, forkOwner: 'me' });
    await applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: join(dataDir, 'contract.md') });
    await applyCommand(ctx, run_id, { command: 'start-implementation' });
    return { ctx, runId: run_id, forkUrl: fork.url, dataDir, claude, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The step's converged result with its pass/fail: every scenario here runs the agent. */
export async function runClaudeStep(step: ClaudeStep, input: Partial<RunAgentStepInput> = {}) {
  const result = await runStep(step.ctx, { runId: step.runId, prompt: 'Add titleCase as the task says.', skipNetworkCheck: true, ...input });
  if (result.kind !== 'converged') throw new Error(`expected the agent to run, got ${result.reason}: ${result.message}`);
  return { ...result, ok: agentStepOutcome(result).ok };
}

/** What claude's `env` printed, as the stub received it in the tool result of the environment turn. */
export function agentEnvironment(step: ClaudeStep): Map<string, string> {
  const printed = step.claude.stub.requests.flatMap((r) => r.toolResults).find((t) => /^CLAUDE_CONFIG_DIR=/m.test(t.text));
  expect(printed, `no env output reached the model; stub saw: ${JSON.stringify(step.claude.stub.requests.map((r) => [r.outcome, r.step, r.error]))}`).toBeDefined();
  const vars = new Map<string, string>();
  for (const line of printed!.text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, eq))) vars.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return vars;
}

/** Directories under `dir` named like an attempt's claude home (`claude-home-*`), without following symlinks. */
function claudeHomesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(d, entry.name);
      if (entry.name.startsWith('claude-home-')) found.push(path);
      else if (depth < 4 && entry.name !== 'workspaces') walk(path, depth + 1);
    }
  };
  if (existsSync(dir)) walk(dir, 0);
  return found;
}

/**
 * The guarantees every claude attempt keeps: the agent's environment held the model key and none of agentpr's secrets
 * or codex's credential, it ran with a per-attempt CLAUDE_CONFIG_DIR, and that directory is gone after the step.
 * Returns the agent's environment for more assertions.
 */
export function expectConfinedAttempt(step: ClaudeStep): Map<string, string> {
  const env = agentEnvironment(step);
  for (const [name, value] of Object.entries(HOST_SECRETS)) {
    expect(env.has(name), `${name} reached the agent`).toBe(false);
    expect([...env.values()].some((v) => v.includes(value)), `the value of ${name} reached the agent`).toBe(false);
  }
  expect(env.get('ANTHROPIC_API_KEY')).toBe(step.claude.env.ANTHROPIC_API_KEY);
  const configDir = env.get('CLAUDE_CONFIG_DIR')!;
  expect(configDir).toMatch(/claude-home-/);
  expect(existsSync(configDir), `the attempt's CLAUDE_CONFIG_DIR ${configDir} outlived the step`).toBe(false);
  expect(claudeHomesUnder(step.dataDir)).toEqual([]);
  return env;
}

/** Processes (other than this one) whose environment names `marker`, e.g. an attempt's `CLAUDE_CONFIG_DIR=<dir>`. */
export function processesWithEnv(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}
