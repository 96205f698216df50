import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { acquireAgentLock, validateLockFileOption, WORKSPACE_BUSY_EXIT_CODE, type HeldAgentLock } from './agent-lock.js';
import { startAgentWatchdog, type AgentWatchdog } from './agent-watchdog.js';
import { BoundedTail, DEFAULT_LOG_TAIL_BYTES } from './bounded-tail.js';
import { LineSplitter } from '@agentpr/runtime-analysis';
import { ProcessTreeTracker } from './process-tree.js';
import {
  abortReason,
  appendLine,
  formatSeconds,
  INTERRUPTED_EXIT_CODE,
  notStartedResult,
  spawnFailure,
  TIMEOUT_EXIT_CODE,
  type AgentProcessHandlers,
  type AgentProcessResult,
  type AgentProcessSpec,
} from './agent-process-result.js';

export { notStartedResult, TIMEOUT_EXIT_CODE, SPAWN_FAILED_EXIT_CODE, INTERRUPTED_EXIT_CODE, WORKSPACE_BUSY_EXIT_CODE } from './agent-process-result.js';
export type { AgentProcessSpec, AgentProcessHandlers, AgentProcessResult } from './agent-process-result.js';

/** The variable that marks every process of one agent step for its watchdog (a random value per step). */
export const AGENT_TREE_ENV = 'AGENTPR_AGENT_TREE';

/**
 * Runs the agent process under guardrails: its own process group, the prompt on stdin (then
 * closed), stdout and stderr read concurrently line by line with arrival offsets, stdout streamed to a file as it
 * arrives. On timeout or abort the whole process tree gets SIGTERM, then SIGKILL after `killGraceMs`, and draining stops
 * `drainGraceMs` after that even if a grandchild holds the pipes, so it returns within limit + grace + drain. Leftover
 * descendants are killed after a normal exit too. Never rejects for process failures; rethrows a handler's exception.
 *
 * The agent dies with its step: a detached watchdog process (see {@link startAgentWatchdog}) kills the agent's whole
 * tree when this process closes its pipe, on return or by dying (SIGKILL included). With `lockFile`, the agent's tree
 * holds the workspace lock; a second step on a held lock is refused with exit 75 (`workspaceBusy`), and the call
 * returns only once the lock is free (bounded by `killGraceMs` + 2 s).
 * @example
 * const result = await runAgentProcess(launch.spec, { onStdoutLine: (line, ms) => analyser.push(line, ms) });
 */
export async function runAgentProcess(spec: AgentProcessSpec, handlers: AgentProcessHandlers = {}): Promise<AgentProcessResult> {
  const now = spec.now ?? (() => performance.now());
  const started = now();
  const elapsed = (): number => Math.max(0, Math.round(now() - started));
  const maxDurationSec = Math.max(0, spec.maxDurationSec ?? 0);
  const killGraceMs = spec.killGraceMs ?? 1000;
  const drainGraceMs = spec.drainGraceMs ?? 500;
  const tailBytes = spec.logTailBytes ?? DEFAULT_LOG_TAIL_BYTES;
  const stdoutTail = new BoundedTail(tailBytes);
  const stderrTail = new BoundedTail(tailBytes);
  const offsets: number[] = [];
  let stdoutBytes = 0;
  let handlerError: unknown;
  const call = (fn: ((line: string, offsetMs: number) => void) | undefined, line: string, offset: number): void => {
    if (!fn || handlerError !== undefined) return;
    try {
      fn(line, offset);
    } catch (error) {
      handlerError = error;
    }
  };

  if (spec.lockFile) validateLockFileOption(spec.lockFile, spec.cwd);

  const base = {
    stdoutLineOffsetsMs: offsets,
    stdoutFile: spec.stdoutFile ?? null,
    maxDurationSec,
    workspaceBusy: false,
    watchdogPid: null as number | null,
  };

  const abortedBeforeStart = (): AgentProcessResult => ({
    ...base,
    agentExit: INTERRUPTED_EXIT_CODE,
    signal: null,
    durationMs: elapsed(),
    timedOut: false,
    interrupted: true,
    spawnFailed: false,
    pid: null,
    stdoutTail: '',
    stderr: `agent_execution_interrupted: ${abortReason(handlers.signal)}\n`,
    lineCount: 0,
    stdoutBytes: 0,
  });
  if (handlers.signal?.aborted) return abortedBeforeStart();

  let lock: HeldAgentLock | null = null;
  if (spec.lockFile) {
    const acquired = await acquireAgentLock(spec.lockFile);
    if (!acquired.ok) {
      const busy = acquired.reason === 'busy';
      const line = busy ? `agent_workspace_busy: ${acquired.message}` : `agent_workspace_lock_unusable: ${acquired.message}`;
      return {
        ...notStartedResult(line, { maxDurationSec, durationMs: elapsed() }),
        ...(busy ? { agentExit: WORKSPACE_BUSY_EXIT_CODE, workspaceBusy: true } : {}),
        stdoutFile: base.stdoutFile,
      };
    }
    lock = acquired.lock;
    if (handlers.signal?.aborted) {
      lock.release();
      return abortedBeforeStart();
    }
  }
  // Started before the agent, so that there is no moment when the agent runs unguarded.
  // Every process of the agent inherits this marker, so the watchdog finds escapees that left its session early.
  const treeMarker = `${AGENT_TREE_ENV}=${randomBytes(12).toString('hex')}`;
  const watchdog: AgentWatchdog | null =
    spec.watchdog === false ? null : startAgentWatchdog({ lockKey: lock?.key ?? null, graceMs: killGraceMs, envMarker: treeMarker });
  base.watchdogPid = watchdog?.pid ?? null;
  const releaseGuards = async (): Promise<void> => {
    lock?.release();
    watchdog?.close();
    // With a lock, return only once the watchdog has seen to it that the lock is free for the next step.
    if (lock && watchdog) await watchdog.exited(killGraceMs + 2000);
  };

  let file: WriteStream | null = null;
  if (spec.stdoutFile) {
    try {
      mkdirSync(dirname(spec.stdoutFile), { recursive: true });
    } catch (error) {
      await releaseGuards();
      throw error;
    }
    file = createWriteStream(spec.stdoutFile, { flags: 'w' });
    file.on('error', () => {
      // The stream file is best effort; the tail and the line callbacks still see everything.
    });
  }

  let child: ChildProcess;
  try {
    child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...spec.env, [AGENT_TREE_ENV]: treeMarker.slice(AGENT_TREE_ENV.length + 1) },
      detached: true,
      // fd 3 is the locked workspace lock: every descendant that does not close it holds the lock.
      stdio: lock ? ['pipe', 'pipe', 'pipe', lock.fd] : ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    await closeFile(file);
    await releaseGuards();
    return spawnFailure(base, error, elapsed());
  }
  // The agent holds the lock now (or never will, if it failed to start); our descriptor only kept it alive till here.
  lock?.release();
  const tracker = child.pid ? new ProcessTreeTracker(child.pid, '/proc', { onNewProcess: (proc) => watchdog?.record(proc) }) : null;
  tracker?.sample();

  return await new Promise<AgentProcessResult>((resolve, reject) => {
    let exited = false;
    let spawned = false;
    let spawnError: unknown = null;
    let childExit: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let stdoutEnded = false;
    let stderrEnded = false;
    let timedOut = false;
    let interrupted = false;
    let finished = false;
    let stopping = false;
    const timers: NodeJS.Timeout[] = [];
    let sampler: NodeJS.Timeout | null = null;

    // A line's offset is the arrival time of the chunk that completed it.
    const lastChunkOffset = { stdout: 0, stderr: 0 };
    const stdoutLines = new LineSplitter((line) => {
      offsets.push(lastChunkOffset.stdout);
      call(handlers.onStdoutLine, line, lastChunkOffset.stdout);
    });
    const stderrLines = new LineSplitter((line) => call(handlers.onStderrLine, line, lastChunkOffset.stderr));

    child.stdout!.on('data', (chunk: Buffer) => {
      lastChunkOffset.stdout = elapsed();
      stdoutBytes += chunk.length;
      stdoutTail.push(chunk);
      file?.write(chunk);
      stdoutLines.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      lastChunkOffset.stderr = elapsed();
      stderrTail.push(chunk);
      stderrLines.push(chunk);
    });
    child.stdout!.on('end', () => {
      stdoutEnded = true;
      maybeFinish();
    });
    child.stderr!.on('end', () => {
      stderrEnded = true;
      maybeFinish();
    });
    child.stdout!.on('error', () => {
      stdoutEnded = true;
      maybeFinish();
    });
    child.stderr!.on('error', () => {
      stderrEnded = true;
      maybeFinish();
    });

    child.on('spawn', () => {
      spawned = true;
      tracker?.sample();
      const every = spec.treeSampleMs ?? 250;
      if (every > 0) {
        sampler = setInterval(() => tracker?.sample(), every);
        sampler.unref();
      }
      handlers.onSpawn?.(child.pid!);
    });
    child.on('error', (error) => {
      if (!spawned) {
        spawnError = error;
        exited = true;
        stdoutEnded = true;
        stderrEnded = true;
        maybeFinish();
      }
    });
    child.on('exit', (code, signal) => {
      exited = true;
      childExit = code;
      exitSignal = signal;
      if (!stopping) {
        // Pipes still open after a normal exit belong to leftovers; give them a moment, then cut them off.
        timers.push(setTimeout(() => finish(), drainGraceMs));
      }
      maybeFinish();
    });

    child.stdin!.on('error', () => {
      // EPIPE when the agent exits without reading its prompt; the exit code tells the story.
    });
    child.stdin!.end(spec.input);

    const stop = (reason: 'timeout' | 'abort'): void => {
      if (stopping || finished) return;
      stopping = true;
      if (reason === 'timeout') timedOut = true;
      else interrupted = true;
      signalTree('SIGTERM');
      timers.push(
        setTimeout(() => {
          signalTree('SIGKILL');
          timers.push(setTimeout(() => finish(), drainGraceMs));
        }, killGraceMs),
      );
    };

    const signalTree = (signal: NodeJS.Signals): void => {
      if (tracker) tracker.signalAll(signal, !exited);
      else if (child.pid && !exited) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    };

    if (maxDurationSec > 0) timers.push(setTimeout(() => (exited ? finish() : stop('timeout')), maxDurationSec * 1000));
    const onAbort = (): void => stop('abort');
    handlers.signal?.addEventListener('abort', onAbort, { once: true });

    function maybeFinish(): void {
      if (exited && stdoutEnded && stderrEnded) finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      handlers.signal?.removeEventListener('abort', onAbort);
      // Whatever the agent left behind (daemons, hung grandchildren) does not outlive the step.
      tracker?.signalAll('SIGKILL', !exited);
      for (const stream of [child.stdout, child.stderr, child.stdin]) {
        stream?.removeAllListeners('data');
        stream?.destroy();
      }
      child.unref();
      stdoutLines.end();
      stderrLines.end();
      void Promise.all([closeFile(file), releaseGuards()]).then(() => {
        if (handlerError !== undefined) {
          reject(handlerError);
          return;
        }
        const durationMs = elapsed();
        if (spawnError) {
          resolve(spawnFailure(base, spawnError, durationMs));
          return;
        }
        let stderr = stderrTail.text();
        let code: number;
        if (timedOut) {
          code = TIMEOUT_EXIT_CODE;
          stderr = appendLine(stderr, `agent_execution_timeout: exceeded max_duration_sec=${formatSeconds(maxDurationSec)}`);
        } else if (interrupted) {
          code = INTERRUPTED_EXIT_CODE;
          stderr = appendLine(stderr, `agent_execution_interrupted: ${abortReason(handlers.signal)}`);
        } else if (childExit !== null) {
          code = childExit;
        } else if (exitSignal) {
          code = 128 + (osConstants.signals[exitSignal] ?? 0);
        } else {
          code = 1;
        }
        resolve({
          ...base,
          agentExit: code,
          signal: exitSignal,
          durationMs,
          timedOut,
          interrupted,
          spawnFailed: false,
          pid: child.pid ?? null,
          stdoutTail: stdoutTail.text(),
          stderr,
          lineCount: offsets.length,
          stdoutBytes,
        });
      });
    }
  });
}

function closeFile(file: WriteStream | null): Promise<void> {
  if (!file) return Promise.resolve();
  return new Promise((resolve) => {
    if (file.destroyed || file.writableFinished) {
      resolve();
      return;
    }
    file.end(() => resolve());
    file.once('error', () => resolve());
  });
}
