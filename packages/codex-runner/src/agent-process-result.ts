import { WORKSPACE_BUSY_EXIT_CODE } from './agent-lock.js';

/** What to run, and under which limits. Build it with `buildAgentLaunch` or by hand. */
export interface AgentProcessSpec {
  /** Executable: the codex binary, or `bwrap` when isolated. */
  command: string;
  args: readonly string[];
  /** Working directory (the workspace). */
  cwd: string;
  /** The complete environment of the process; nothing is inherited. */
  env: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed (the prompt). */
  input: string;
  /** Wall-clock limit in seconds; 0 or absent means none. Appears as `max_duration_sec` in the timeout line. */
  maxDurationSec?: number;
  /** After SIGTERM to the process tree, wait this long before SIGKILL. Default 1000 ms. */
  killGraceMs?: number;
  /** After SIGKILL, or after the process exited, stop draining pipes held open by leftovers this soon. Default 500 ms. */
  drainGraceMs?: number;
  /** If set, raw stdout is streamed to this file as it arrives (parent directories are created). */
  stdoutFile?: string | null;
  /** Bound of the returned stdout tail and stderr. Default 64 KiB. */
  logTailBytes?: number;
  /** How often to record the agent's process tree (0 disables; default 250 ms). See {@link ProcessTreeTracker}. */
  treeSampleMs?: number;
  /**
   * The workspace lock: an absolute path OUTSIDE the workspace, e.g. `<dataDir>/locks/<run_id>.agent.lock`. The
   * runner takes an exclusive flock on it (refusing with exit 75 if an earlier agent still holds it) and hands the
   * locked file to the agent as inherited fd 3, so the lock lives exactly as long as any process of the agent's tree.
   * A relative path or one inside `cwd` is a caller bug (`CodexRunnerError` `invalid_option`).
   */
  lockFile?: string | null;
  /** Start the watchdog that kills the agent's tree if this process dies (default true). See {@link startAgentWatchdog}. */
  watchdog?: boolean;
  /** Monotonic milliseconds; default `performance.now`. */
  now?: () => number;
}

/** Callbacks while the agent runs. Lines are passed as they arrive, split on `\n` only. */
export interface AgentProcessHandlers {
  /** One stdout line (a JSONL event) and its arrival offset in ms since launch. */
  onStdoutLine?: (line: string, offsetMs: number) => void;
  /** One stderr line and its arrival offset in ms since launch. */
  onStderrLine?: (line: string, offsetMs: number) => void;
  /** Called once the process has started. */
  onSpawn?: (pid: number) => void;
  /** Aborting (e.g. manager shutdown) stops the agent like a timeout and returns `interrupted: true`, exit 130. */
  signal?: AbortSignal;
}

/** The outcome of one agent process. */
export interface AgentProcessResult {
  /** The agent process's exit status; 124 on timeout, 130 when interrupted, 127 when it could not be started, 75 when busy. */
  agentExit: number;
  /** The signal that ended the process, if any (before the forced codes above). */
  signal: NodeJS.Signals | null;
  /** Wall time from launch until draining ended. */
  durationMs: number;
  timedOut: boolean;
  interrupted: boolean;
  /** True when the process never started (exit 127; `stderr` holds the OS error). */
  spawnFailed: boolean;
  pid: number | null;
  /** The last `logTailBytes` of stdout, with a truncation marker if cut. */
  stdoutTail: string;
  /** The last `logTailBytes` of stderr (marker if cut), plus the timeout/interrupt line. */
  stderr: string;
  /** Number of stdout lines. */
  lineCount: number;
  stdoutBytes: number;
  /** Arrival offset (ms since launch) of each stdout line, in order (`stdout_line_offsets_ms`). */
  stdoutLineOffsetsMs: number[];
  /** The file stdout was streamed to, or null. */
  stdoutFile: string | null;
  /** The limit that applied, in seconds (0 = none). */
  maxDurationSec: number;
  /** True when the step was refused because an earlier agent still holds the workspace lock (exit 75). */
  workspaceBusy: boolean;
  /** The pid of the step's watchdog, or null when none ran. */
  watchdogPid: number | null;
}

/** The exit code for a timed-out agent. */
export const TIMEOUT_EXIT_CODE = 124;
/** The exit code for an agent that could not be started. */
export const SPAWN_FAILED_EXIT_CODE = 127;
/** The exit code for an agent stopped by the abort signal. */
export const INTERRUPTED_EXIT_CODE = 130;

export { WORKSPACE_BUSY_EXIT_CODE };

/** The result for an agent that could not be started, or a codex that was not found (exit 127, as a shell reports a command not found). */
export function notStartedResult(stderr: string, options: { maxDurationSec?: number; durationMs?: number } = {}): AgentProcessResult {
  return {
    agentExit: SPAWN_FAILED_EXIT_CODE,
    signal: null,
    durationMs: options.durationMs ?? 0,
    timedOut: false,
    interrupted: false,
    spawnFailed: true,
    pid: null,
    stdoutTail: '',
    stderr: appendLine('', stderr.trim()),
    lineCount: 0,
    stdoutBytes: 0,
    stdoutLineOffsetsMs: [],
    stdoutFile: null,
    maxDurationSec: options.maxDurationSec ?? 0,
    workspaceBusy: false,
    watchdogPid: null,
  };
}

/** The result for a process whose spawn failed (exit 127, the OS error in stderr). */
export function spawnFailure(
  base: { stdoutFile: string | null; maxDurationSec: number; watchdogPid: number | null },
  error: unknown,
  durationMs: number,
): AgentProcessResult {
  const result = notStartedResult((error as Error)?.message ?? String(error), { maxDurationSec: base.maxDurationSec, durationMs });
  return { ...result, stdoutFile: base.stdoutFile, watchdogPid: base.watchdogPid };
}

/** `text` with `line` appended on a line of its own. */
export function appendLine(text: string, line: string): string {
  if (!text) return `${line}\n`;
  return `${text}${text.endsWith('\n') ? '' : '\n'}${line}\n`;
}

/** Seconds as the timeout line shows them (at most 3 decimals). */
export function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : String(Number(seconds.toFixed(3)));
}

/** The abort signal's reason as one short phrase. */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message || 'aborted';
  if (typeof reason === 'string' && reason) return reason;
  return 'aborted';
}
