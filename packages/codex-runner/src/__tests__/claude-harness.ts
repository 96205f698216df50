import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAUDE_TEST_RETRY_ENV, createSampleWorkspace, tempDir, withClaudeSandbox, type ClaudeSandbox, type SampleWorkspace } from '@agentpr/testing';
import { buildAgentLaunch, type AgentLaunch, type ClaudeRunSettings } from '../agent-engine.js';
import type { AttemptHome } from '../attempt-home.js';
import { buildPrompt, buildSafetyContract } from '../build-prompt.js';
import { claudeEngine } from '../claude-engine.js';
import type { IsolationLevel } from '../isolation.js';
import { prepareAgentEnvironment } from '../prepare-agent-environment.js';
import { runAgentProcess, type AgentProcessResult } from '../run-agent-process.js';

/** The policy's defaults for `run_agent_step.claude` (acceptEdits, no Write/Edit in the allowed list). */
export const TEST_CLAUDE_SETTINGS: ClaudeRunSettings = {
  permissionMode: 'acceptEdits',
  allowedTools: ['Bash', 'Read', 'Glob', 'Grep', 'TodoWrite'],
  disallowedTools: ['WebSearch', 'WebFetch'],
  maxTurns: 12,
};

/** Options of {@link runClaudeScenario}. */
export interface RunClaudeScenarioOptions {
  isolation: IsolationLevel;
  maxDurationSec?: number;
  vars?: Record<string, string>;
  /** Extra agent arguments (e.g. a marker to find the process by). */
  agentArgs?: string[];
  /** Prepares the workspace (and its parent directory) before claude starts. */
  plant?: (workspace: SampleWorkspace) => void;
  /** Rewrites claude's argv before the launch (a control run without a guard). */
  editArgs?: (args: string[]) => string[];
}

/** What a scripted claude run produced. */
export interface ClaudeScenarioRun {
  result: AgentProcessResult;
  /** stdout, one parsed stream-json event per line. */
  events: Array<Record<string, unknown>>;
  workspace: SampleWorkspace;
  sandbox: ClaudeSandbox;
  launch: AgentLaunch;
  home: AttemptHome;
  /** Every tool result claude sent back to the model, in order. */
  toolResults: Array<{ is_error: boolean; text: string }>;
  /** The request bodies the stub received, as one string (to search for what reached the model). */
  requestText: string;
}

/**
 * Runs one anthropic-stub scenario with the real claude binary through the runner, the way run-agent-step does: the
 * engine's environment, a fresh CLAUDE_CONFIG_DIR, the guarded command line, the isolation level, network on.
 */
export async function runClaudeScenario(scenario: Parameters<typeof withClaudeSandbox>[0]['scenario'], options: RunClaudeScenarioOptions): Promise<ClaudeScenarioRun> {
  const sandbox = await withClaudeSandbox({ scenario, requireKey: true, ...(options.vars ? { vars: options.vars } : {}) });
  try {
    const workspace = await createSampleWorkspace();
    options.plant?.(workspace);
    const home = claudeEngine.createAttemptHome({ env: { HOME: '/nonexistent' }, parentDir: join(tempDir('agentpr-claude-data-'), 'agent-homes'), includeSkills: false });
    const parentEnv = { ...process.env, ...sandbox.env, ...CLAUDE_TEST_RETRY_ENV, AGENTPR_TEST_CANARY_TOKEN: 'canary-must-not-leak' };
    const prepared = prepareAgentEnvironment({
      engine: claudeEngine,
      parentEnv,
      repoDir: workspace.dir,
      codexHome: '/nonexistent',
      agentCodexHome: home.path,
      passthrough: Object.keys(CLAUDE_TEST_RETRY_ENV),
    });
    if (!prepared.ok) throw new Error(prepared.errors.join('; '));
    const bin = claudeEngine.resolve({ AGENTPR_CLAUDE_BIN: sandbox.env.AGENTPR_CLAUDE_BIN });
    if (!bin.ok) throw new Error(bin.reason);
    const probe = await claudeEngine.probe(bin.path, { env: prepared.env });
    if (!probe.ok) throw new Error(probe.reason);
    const prompt = buildPrompt(
      buildSafetyContract({ repoDir: workspace.dir, runtimeDir: prepared.paths.runtimeDir }),
      'Add titleCase(text) in src/title-case.js with a test, then run npm test.\n',
    );
    const launch = buildAgentLaunch({
      engine: claudeEngine,
      bin: bin.path,
      capabilities: probe.capabilities,
      sandbox: 'workspace-write',
      model: sandbox.model,
      agentArgs: options.agentArgs ?? [],
      claude: TEST_CLAUDE_SETTINGS,
      paths: prepared.paths,
      env: prepared.env,
      prompt,
      isolation: options.isolation,
      codexHome: home.path,
      network: 'on',
      maxDurationSec: options.maxDurationSec ?? 60,
      stdoutFile: join(prepared.paths.runtimeDir, 'events.jsonl'),
    });
    if (options.editArgs) launch.spec = { ...launch.spec, args: options.editArgs([...launch.spec.args]) };
    const events: Array<Record<string, unknown>> = [];
    const result = await runAgentProcess(launch.spec, { onStdoutLine: (line) => events.push(JSON.parse(line) as Record<string, unknown>) });
    const toolResults = sandbox.stub.requests.flatMap((r) => r.toolResults.map((t) => ({ is_error: Boolean(t.is_error), text: t.text })));
    return { result, events, workspace, sandbox, launch, home, toolResults, requestText: JSON.stringify(sandbox.stub.requests.map((r) => r.body)) };
  } finally {
    await sandbox.close();
  }
}

/** The text of a workspace file, or null when it does not exist. */
export function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}
