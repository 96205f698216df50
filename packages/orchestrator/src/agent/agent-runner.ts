import {
  buildAgentLaunch,
  checkIsolation,
  checkWorkspaceFree,
  fileProbeCache,
  getAgentEngine,
  runAgentProcess,
  type AgentEngine,
  type AgentLaunchOptions,
  type AgentProcessResult,
  type CheckIsolationResult,
  type EngineBinaryResult,
  type EngineProbeResult,
  type IsolationLevel,
  type IsolationSummary,
  type WorkspaceLockCheck,
} from '@agentpr/codex-runner';
import type { EngineName } from '@agentpr/policy';

/** One launch of the agent, as `runAgentStep` asks for it: everything but the engine's binary and capabilities. */
export type AgentLaunchRequest = Omit<AgentLaunchOptions<unknown>, 'engine' | 'bin' | 'capabilities' | 'stdoutFile'> & {
  /** The resolved binary ({@link AgentRunner.resolve}). */
  bin: string;
  /** The probed capabilities ({@link AgentRunner.probe}). */
  capabilities: unknown;
  /** Raw stdout is streamed to this file as it arrives. */
  stdoutFile: string;
  /** The workspace lock, outside the workspace; the agent's process tree holds it while it runs. */
  lockFile: string;
};

/** Callbacks while the agent runs. */
export interface AgentRunHandlers {
  /** One stdout line (a JSONL event) and its arrival offset in ms since launch. */
  onStdoutLine: (line: string, offsetMs: number) => void;
  /** Aborting stops the agent's process tree; the result says `interrupted: true`. */
  signal?: AbortSignal | undefined;
}

/** A launch that is ready to run: what the agent will see, and the one call that runs it. */
export interface PreparedAgentLaunch {
  /** What the agent sees and can write (for the runtime report). */
  isolationView: IsolationSummary | null;
  /** Runs the agent once under its limits; never rejects for the agent's own failures. */
  run(handlers: AgentRunHandlers): Promise<AgentProcessResult>;
}

/**
 * The agent-engine port of {@link AppPorts}: what `runAgentStep` calls to resolve, probe, confine and run the coding
 * agent. The real one wraps `@agentpr/codex-runner`; unit tests pass a fake that replays a captured event stream.
 */
export interface AgentRunner {
  /** `engine` in the reports, e.g. `codex`. */
  readonly name: EngineName;
  /** The runner of another engine (same isolation and lock checks); itself for its own name. */
  forEngine(name: EngineName): AgentRunner;
  /** Finds the engine's binary from the environment. */
  resolve(env: Readonly<Record<string, string | undefined>>): EngineBinaryResult;
  /** Reads the binary's version and capabilities (cached in `cacheFile`). */
  probe(bin: string, options: { env: Readonly<Record<string, string>>; cacheFile: string }): Promise<EngineProbeResult<unknown>>;
  /** Whether the isolation level can be enforced here (bubblewrap usable). */
  checkIsolation(level: IsolationLevel, env: Readonly<Record<string, string | undefined>>): Promise<CheckIsolationResult>;
  /** Whether an earlier agent's process tree still holds the workspace lock. */
  workspaceFree(lockFile: string): WorkspaceLockCheck;
  /** Builds the launch; throws a `CodexRunnerError` when the workspace cannot be sandboxed. */
  prepare(request: AgentLaunchRequest): PreparedAgentLaunch;
}

/**
 * The real agent runner over `@agentpr/codex-runner` for one engine (default codex); `forEngine` gives the others.
 * @example createAgentRunner().forEngine('claude').resolve(env)
 */
export function createAgentRunner(engine: AgentEngine<unknown> = getAgentEngine('codex')): AgentRunner {
  const runner: AgentRunner = {
    name: engine.name,
    forEngine: (name) => (name === engine.name ? runner : createAgentRunner(getAgentEngine(name))),
    resolve: (env) => engine.resolve(env),
    probe: (bin, options) => engine.probe(bin, { env: options.env, cache: fileProbeCache(options.cacheFile) }),
    checkIsolation: (level, env) => checkIsolation(level, env),
    workspaceFree: (lockFile) => checkWorkspaceFree(lockFile),
    prepare(request) {
      const { lockFile, ...options } = request;
      const launch = buildAgentLaunch<unknown>({ ...options, engine });
      return {
        isolationView: launch.isolationView,
        run: (handlers) =>
          runAgentProcess({ ...launch.spec, lockFile }, { onStdoutLine: handlers.onStdoutLine, ...(handlers.signal ? { signal: handlers.signal } : {}) }),
      };
    },
  };
  return runner;
}
