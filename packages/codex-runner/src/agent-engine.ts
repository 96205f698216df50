import { buildCodexCommand, type CodexCommandOptions } from './build-codex-command.js';
import type { CodexCapabilities, CodexStreamFormat } from './codex-capabilities.js';
import type { ClaudePermissionMode, EngineName } from '@agentpr/policy';
import { CODEX_CREDENTIAL_VARS, resolveCodexHome } from './agent-environment.js';
import { createAttemptCodexHome, type AttemptCodexHome } from './codex-home.js';
import { codexModelUrls } from './codex-model-urls.js';
import type { FileProbe } from './file-probe.js';
import { buildIsolatedCommand, describeIsolation, toolchainReadOnlyPaths, type EgressBridge, type HostView, type IsolationLevel, type IsolationOptions, type IsolationSummary, type NetworkMode } from './isolation.js';
import { probeCodex, type ProbeCodexOptions } from './probe-codex.js';
import { resolveCodexBinary } from './resolve-codex-binary.js';
import type { AgentProcessSpec } from './run-agent-process.js';
import { LAST_MESSAGE_FILE_NAME, type RuntimePaths } from './runtime-env.js';

/** The binary an engine resolved, or why it could not. */
export type EngineBinaryResult = { ok: true; path: string; source: string } | { ok: false; reason: string; source: string | null };

/** An engine's capabilities probe, or why the binary is unusable. */
export type EngineProbeResult<Caps> = { ok: true; capabilities: Caps; cached: boolean } | { ok: false; reason: string };

/** How Claude Code runs one step (from the policy's `run_agent_step.claude`). */
export interface ClaudeRunSettings {
  permissionMode: ClaudePermissionMode;
  allowedTools: readonly string[];
  disallowedTools: readonly string[];
  maxTurns: number;
}

/** The command-line inputs of one step. `sandbox` and `lastMessagePath` are codex's; `claude` is Claude Code's. */
export type EngineCommandOptions = CodexCommandOptions & {
  /** Claude Code's settings; required by the claude engine, ignored by codex. */
  claude?: ClaudeRunSettings;
};

/** Inputs of {@link AgentEngine.createAttemptHome}. */
export interface EngineAttemptHomeOptions {
  /** The orchestrator's environment: where the operator's own engine home is found (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`, `HOME`). */
  env: Readonly<Record<string, string | undefined>>;
  /** An existing directory (or one whose parent exists) outside every workspace, e.g. `<data>/agent-homes`. */
  parentDir: string;
  /** Copy the operator's installed skills too (skills mode `agentpr`). */
  includeSkills: boolean;
}

/**
 * A coding-agent CLI agentpr can drive. codex is the first; a second CLI (e.g. Claude Code's `stream-json`) implements
 * the same five members, and the runner, isolation and environment code stay as they are.
 */
export interface AgentEngine<Caps = unknown> {
  /** `engine` in the runtime report, e.g. `codex`. */
  readonly name: EngineName;
  /** The file name (inside the runtime dir) the engine writes its last message to. */
  readonly lastMessageFileName: string;
  /**
   * Where the agent's final message comes from: `file` (codex writes `--output-last-message`) or `stream` (Claude
   * Code's `result` event; agentpr writes it to the last-message path itself after the run).
   */
  readonly lastMessageSource: 'file' | 'stream';
  /** The variable that points the engine at its per-attempt home: `CODEX_HOME`, `CLAUDE_CONFIG_DIR`. */
  readonly homeVar: string;
  /** The model credentials it may take from agentpr's environment (the only secrets an agent holds). */
  readonly credentialVars: readonly string[];
  /** Non-secret variables it needs from agentpr's environment when set (e.g. `ANTHROPIC_BASE_URL`). */
  readonly passVars: readonly string[];
  /** Variables set on every launch (no telemetry, no auto-update, no nonessential traffic). */
  readonly fixedEnv: Readonly<Record<string, string>>;
  /** The operator's own engine home (read only: what a per-attempt home is copied from). */
  operatorHome(env: Readonly<Record<string, string | undefined>>): string;
  /** A fresh per-attempt home (0700, under `parentDir`), thrown away with `dispose()`. */
  createAttemptHome(options: EngineAttemptHomeOptions): AttemptCodexHome;
  /** The model endpoint URLs it will call (for the egress allowlist): from its config and environment. */
  modelUrls(env: Readonly<Record<string, string | undefined>>): string[];
  /** Finds the binary from the environment. */
  resolve(env: Readonly<Record<string, string | undefined>>, fs?: FileProbe): EngineBinaryResult;
  /** Reads the binary's version and capabilities (cached). */
  probe(bin: string, options?: ProbeCodexOptions): Promise<EngineProbeResult<Caps>>;
  /** The binary's arguments for one step; the prompt goes to stdin. */
  buildCommand(capabilities: Caps, options: EngineCommandOptions): string[];
  /** A hint for the stream parser: which JSONL dialect stdout will carry. */
  streamFormat(capabilities: Caps): string;
}

/** The codex engine: `codex exec --json …` with the prompt on stdin. */
export const codexEngine: AgentEngine<CodexCapabilities> = {
  name: 'codex',
  lastMessageFileName: LAST_MESSAGE_FILE_NAME,
  lastMessageSource: 'file',
  homeVar: 'CODEX_HOME',
  credentialVars: CODEX_CREDENTIAL_VARS,
  passVars: [],
  fixedEnv: {},
  operatorHome: (env) => resolveCodexHome(env),
  createAttemptHome: (options) =>
    createAttemptCodexHome({ operatorCodexHome: resolveCodexHome(options.env), parentDir: options.parentDir, includeSkills: options.includeSkills }),
  modelUrls: (env) => codexModelUrls(resolveCodexHome(env), env),
  resolve: (env, fs) => resolveCodexBinary(env, fs),
  probe: (bin, options) => probeCodex(bin, options),
  buildCommand: (capabilities, options) => buildCodexCommand(capabilities, options),
  streamFormat: (capabilities): CodexStreamFormat => capabilities.streamFormat,
};

/** The part of an engine {@link buildAgentLaunch} needs (a plain command wrapped the same way needs no more). */
export type LaunchableEngine<Caps = unknown> = Pick<AgentEngine<Caps>, 'buildCommand' | 'streamFormat'>;

/** Inputs of {@link buildAgentLaunch}. */
export interface AgentLaunchOptions<Caps = CodexCapabilities> {
  /** The engine (what builds its command line); default {@link codexEngine}. */
  engine?: LaunchableEngine<Caps>;
  bin: string;
  capabilities: Caps;
  sandbox: CodexCommandOptions['sandbox'];
  model?: string | null;
  agentArgs?: readonly string[];
  /** The workspace's runtime layout (`runtimePaths(repo)`). */
  paths: RuntimePaths;
  /** The agent's complete environment (`buildAgentEnvironment(...).env`). */
  env: Readonly<Record<string, string>>;
  /** The final prompt (`buildPrompt(...)`). */
  prompt: string;
  isolation: IsolationLevel;
  /** The agent's codex home: the per-attempt home (`createAttemptCodexHome(...).path`); writable under bwrap. */
  codexHome: string;
  /** Claude Code's settings (the claude engine only). */
  claude?: ClaudeRunSettings;
  /** Network under bwrap: `on` (default: the agent must reach its model), `off`, or `allowlist` (needs `egress`). `true`/`false` mean on/off. */
  network?: NetworkMode | boolean;
  /** The egress bridge for network `allowlist`: its socket dir is bound and its wrapper runs in front of the engine. */
  egress?: EgressBridge;
  bwrapPath?: string;
  /**
   * Extra read-only paths under bwrap: the integration root, `--allow-read-path`s, the egress bridge's script. The codex
   * install root and node's prefix are added automatically ({@link toolchainReadOnlyPaths}).
   */
  readOnlyPaths?: readonly string[];
  /** Extra writable directories under bwrap. Never the operator's HOME: the agent's HOME is private. */
  writablePaths?: readonly string[];
  /** node's binary, for the toolchain paths; default `process.execPath`. */
  nodeExecPath?: string;
  /** How the host looks, for tests; default the real file system. */
  host?: HostView;
  maxDurationSec?: number;
  stdoutFile?: string | null;
  killGraceMs?: number;
  drainGraceMs?: number;
}

/** A ready-to-run agent launch: the process spec and, for reports and logs, the engine's own argv. */
export interface AgentLaunch {
  spec: AgentProcessSpec;
  /** The engine binary followed by its arguments (without any bwrap wrapper). */
  engineArgv: string[];
  /** `--output-last-message` target. */
  lastMessagePath: string;
  streamFormat: string;
  /** What the agent sees and can write (for doctor and the runtime report). */
  isolationView: IsolationSummary;
}

/**
 * Assembles one agent launch: the engine's command line (prompt on stdin), wrapped in the isolation level (under
 * bwrap: the workspace and the attempt codex home writable, the workspace's `.git` read-only, the toolchain read-only,
 * the network mode and egress wrapper), with the workspace as cwd and `-C`, the last-message file in the runtime dir,
 * and the given environment and limits. Pure apart from resolving the toolchain's real paths.
 * @example
 * const launch = buildAgentLaunch({
 *   bin, capabilities, sandbox: 'workspace-write', paths, env, prompt, isolation: 'bwrap', codexHome: attemptHome.path, network: 'on',
 * });
 * const result = await runAgentProcess(launch.spec, { onStdoutLine });
 */
export function buildAgentLaunch<Caps = CodexCapabilities>(options: AgentLaunchOptions<Caps>): AgentLaunch {
  const engine = (options.engine ?? codexEngine) as LaunchableEngine<Caps>;
  const lastMessagePath = options.paths.lastMessagePath;
  const engineArgs = engine.buildCommand(options.capabilities, {
    sandbox: options.sandbox,
    model: options.model ?? null,
    lastMessagePath,
    workdir: options.paths.repoDir,
    agentArgs: options.agentArgs ?? [],
    ...(options.claude ? { claude: options.claude } : {}),
  });
  const isolation: IsolationOptions = {
    level: options.isolation,
    command: options.bin,
    args: engineArgs,
    cwd: options.paths.repoDir,
    // The workspace holds the runtime dir; its .git is re-bound read-only by the builder.
    writablePaths: [options.paths.repoDir, options.codexHome, ...(options.writablePaths ?? [])],
    readOnlyPaths: [
      ...toolchainReadOnlyPaths({ codexBin: options.bin, nodeExecPath: options.nodeExecPath ?? process.execPath }),
      ...(options.readOnlyPaths ?? []),
    ],
    network: options.network ?? 'on',
    ...(options.egress ? { egress: options.egress } : {}),
    ...(options.bwrapPath ? { bwrapPath: options.bwrapPath } : {}),
    ...(options.host ? { host: options.host } : {}),
  };
  const wrapped = buildIsolatedCommand(isolation);
  const spec: AgentProcessSpec = {
    command: wrapped.command,
    args: wrapped.args,
    cwd: options.paths.repoDir,
    env: options.env,
    input: options.prompt,
    maxDurationSec: options.maxDurationSec ?? 0,
    stdoutFile: options.stdoutFile ?? null,
    ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
    ...(options.drainGraceMs !== undefined ? { drainGraceMs: options.drainGraceMs } : {}),
  };
  const streamFormat = engine.streamFormat(options.capabilities);
  return { spec, engineArgv: [options.bin, ...engineArgs], lastMessagePath, streamFormat, isolationView: describeIsolation(isolation) };
}
