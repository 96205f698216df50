import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildAgentLaunch,
  CODEX_CREDENTIAL_VARS,
  isSecretLookingName,
  prepareAgentEnvironment,
  resolveCodexHome,
  runAgentProcess,
  type LaunchableEngine,
  type AgentProcessResult,
  type IsolationLevel,
  type RuntimePaths,
} from '@agentpr/codex-runner';
import { loadRuntimeEnvOverrides } from '@agentpr/policy';
import { findExecutable } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { policyError } from '../policy-error.js';

/** One confined run of a repository's own command (its test suite) in a throwaway copy of the workspace. */
export interface ConfinedCommandRequest {
  /** The throwaway directory the command runs in; writable, like the agent's workspace. */
  workDir: string;
  argv: readonly string[];
  isolation: IsolationLevel;
  /** The bwrap binary the isolation check found (bwrap only). */
  bwrapPath: string | null;
  /** Policy `run_agent_step.env_passthrough`: the same non-secret names the agent gets. */
  passthrough: readonly string[];
  /** Policy `run_agent_step.sandbox_read_paths`: the toolchains the agent may read. */
  readOnlyPaths: readonly string[];
  maxSeconds: number;
  /** The most bytes of stdout and of stderr kept (their ends). */
  maxOutputBytes: number;
  /** The run's agent workspace lock: an agent and its baseline never run at once. */
  lockFile: string;
}

/** What the confined command did, or why it never started. */
export type ConfinedCommandResult =
  | { kind: 'ran'; process: AgentProcessResult }
  | { kind: 'not_started'; reason: string };

/** An engine that runs the given argv as is: the agent's launcher, sandbox and limits around a plain command. */
function commandEngine(args: readonly string[]): LaunchableEngine<null> {
  return {
    buildCommand: () => [...args],
    streamFormat: () => 'text',
  };
}

interface CommandEnvironment {
  env: Record<string, string>;
  paths: RuntimePaths;
  codexHome: string;
}

/**
 * The agent's environment without what only the model needs: no model keys and nothing that looks like a secret.
 * It starts from the agent's allowlisted environment (no GitHub, Telegram or webhook secret, a private HOME).
 */
async function commandEnvironment(ctx: AppContext, request: ConfinedCommandRequest): Promise<CommandEnvironment | string> {
  const overrides = await loadRuntimeEnvOverrides(ctx.paths.runtimeEnvFile);
  if (!overrides.ok) throw policyError(overrides.error);
  const codexHome = join(request.workDir, '.agentpr_runtime', 'codex-home');
  mkdirSync(codexHome, { recursive: true, mode: 0o700 });
  const env = prepareAgentEnvironment({
    parentEnv: ctx.env,
    repoDir: request.workDir,
    codexHome: resolveCodexHome(ctx.env),
    agentCodexHome: codexHome,
    overrides: overrides.overrides,
    passthrough: request.passthrough,
    providerEnvAllowlist: [],
  });
  if (!env.ok) return `runtime environment: ${env.errors.join('; ')}`;
  const clean = Object.fromEntries(Object.entries(env.env).filter(([name]) => !CODEX_CREDENTIAL_VARS.includes(name) && !isSecretLookingName(name)));
  return { env: clean, paths: env.paths, codexHome };
}

/**
 * Runs a repository's command exactly as confined as the agent's own commands: the agent's launcher (its own process
 * group, a watchdog, the workspace lock, a timeout that kills the tree), the agent's bubblewrap view with the
 * throwaway copy as the only writable place, the agent's scrubbed environment minus the model keys, stdin closed and
 * no network at all under bwrap (less than the agent gets, never more). Output is kept as bounded tails.
 */
export async function runConfinedCommand(ctx: AppContext, request: ConfinedCommandRequest): Promise<ConfinedCommandResult> {
  const prepared = await commandEnvironment(ctx, request);
  if (typeof prepared === 'string') return { kind: 'not_started', reason: prepared };
  const [name, ...args] = request.argv;
  const bin = name === undefined ? undefined : await findExecutable(name, prepared.env);
  if (bin === undefined) return { kind: 'not_started', reason: `${name ?? '(empty command)'} is not on the agent's PATH` };
  const launch = buildAgentLaunch<null>({
    engine: commandEngine(args),
    bin,
    capabilities: null,
    sandbox: 'workspace-write',
    paths: prepared.paths,
    env: prepared.env,
    prompt: '',
    isolation: request.isolation,
    codexHome: prepared.codexHome,
    network: 'off',
    ...(request.bwrapPath ? { bwrapPath: request.bwrapPath } : {}),
    readOnlyPaths: [...request.readOnlyPaths],
    maxDurationSec: request.maxSeconds,
  });
  const process = await runAgentProcess({ ...launch.spec, lockFile: request.lockFile, logTailBytes: request.maxOutputBytes, stdoutFile: null });
  return { kind: 'ran', process };
}
