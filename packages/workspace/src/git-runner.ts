import { constants as osConstants } from 'node:os';
import { execa } from 'execa';
import { redactSecrets } from './redact.js';

/** The outcome of one git invocation. Never throws for a non-zero exit; check `exitCode`. */
export interface GitResult {
  /** The process exit code; 127 when git could not be started, 124 after a timeout. */
  exitCode: number;
  stdout: string;
  /** stderr with credentials in URLs replaced by `***`. */
  stderr: string;
  timedOut: boolean;
}

/** Options of one git invocation. `cwd` is always explicit. */
export interface GitRunOptions {
  cwd: string;
  /** Milliseconds before the whole process group is killed; defaults to the runner's timeout. */
  timeoutMs?: number;
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  input?: string;
  /** Extra environment for this call only (e.g. `GIT_INDEX_FILE`). */
  env?: Readonly<Record<string, string>>;
}

/** The smallest interface to git that the workspace code needs: run one command with an argv array. */
export interface Git {
  run(args: readonly string[], options: GitRunOptions): Promise<GitResult>;
}

/** How to build the real git runner. */
export interface GitRunnerOptions {
  /** The environment git sees (PATH, HOME, identity, credentials helpers); never the whole `process.env` by default. */
  env: Readonly<Record<string, string | undefined>>;
  /** The git executable; default `git` from `env.PATH`. */
  binary?: string;
  /** Default timeout per command; default 120 000 ms. */
  timeoutMs?: number;
}

const KILL_GRACE_MS = 2_000;

/**
 * A {@link Git} that runs the real git binary through execa: argv arrays, explicit cwd, stdin closed, its own
 * process group killed on timeout, and `GIT_TERMINAL_PROMPT=0` so a missing credential fails instead of
 * waiting for a password.
 *
 * @example
 * const git = createGitRunner({ env: { PATH: process.env.PATH } });
 * const head = await git.run(['rev-parse', 'HEAD'], { cwd: '/srv/ws/acme/widgets/run_1' });
 */
export function createGitRunner(options: GitRunnerOptions): Git {
  const binary = options.binary ?? 'git';
  const defaultTimeout = options.timeoutMs ?? 120_000;
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) baseEnv[key] = value;
  baseEnv.GIT_TERMINAL_PROMPT = '0';
  baseEnv.GCM_INTERACTIVE = 'never';
  return {
    async run(args, runOptions) {
      const timeoutMs = runOptions.timeoutMs ?? defaultTimeout;
      const child = execa(binary, [...args], {
        cwd: runOptions.cwd,
        env: { ...baseEnv, ...runOptions.env },
        extendEnv: false,
        reject: false,
        stripFinalNewline: false,
        detached: true,
        cleanup: true,
        ...(runOptions.input === undefined ? { stdin: 'ignore' as const } : { input: runOptions.input }),
      });
      let timedOut = false;
      const killGroup = (signal: NodeJS.Signals) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is already gone
        }
      };
      let hardKill: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        hardKill = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      }, Math.max(1, timeoutMs));
      try {
        const result = await child;
        const stderr = redactSecrets(String(result.stderr ?? ''));
        if (timedOut) {
          return { exitCode: 124, stdout: String(result.stdout ?? ''), stderr: `${stderr}git ${args[0] ?? ''} timed out after ${timeoutMs} ms\n`, timedOut: true };
        }
        if (result.exitCode === undefined && result.signal) {
          const signo = osConstants.signals[result.signal as NodeJS.Signals] ?? 0;
          return { exitCode: 128 + signo, stdout: String(result.stdout ?? ''), stderr: `${stderr}git ${args[0] ?? ''} was killed by ${result.signal}\n`, timedOut: false };
        }
        if (result.exitCode === undefined) {
          // Could not start (ENOENT, EACCES, bad cwd): execa reports the OS error in `message`.
          const reason = redactSecrets(String((result as { originalMessage?: string }).originalMessage ?? result.message ?? 'git could not be started'));
          return { exitCode: 127, stdout: '', stderr: `${reason}\n`, timedOut: false };
        }
        return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr, timedOut: false };
      } finally {
        clearTimeout(timer);
        if (hardKill) clearTimeout(hardKill);
      }
    },
  };
}
