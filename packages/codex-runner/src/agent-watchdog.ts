import { spawn, type ChildProcess } from 'node:child_process';
import { scanLockHolders, type ProcFs } from './agent-lock.js';
import { parseProcStat, readProcess, type ProcessInfo } from './process-tree.js';

/** What the watchdog process is told on its command line (as JSON). */
export interface AgentWatchdogConfig {
  /** The workspace lock's kernel key (`major:minor:inode`), or null when the step has no lock file. */
  lockKey: string | null;
  /** SIGTERM, then SIGKILL after this many ms. */
  graceMs: number;
  /** While agentpr is alive: how often to check whether anything of the agent is left (then the watchdog exits). */
  idleCheckMs: number;
  /** Processes never signalled: agentpr itself. */
  protectPids: number[];
  /** Process groups and sessions never used to pick targets: agentpr's own. */
  protectGroups: number[];
  procRoot: string;
  /**
   * `NAME=value` the agent's environment carries, or null. Processes started after the agent whose environment holds
   * it are the agent's too, even after a double fork and `setsid` took them out of its session before the sampler saw
   * them (an agent that scrubs its environment escapes this; bubblewrap's PID namespace does not let it).
   */
  envMarker?: string | null;
}

/** The parts of `process` the watchdog uses. */
export interface WatchdogProcess {
  pid: number;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  exit(code: number): never;
  stdin: NodeJS.ReadableStream;
}

/**
 * The watchdog program. It reads the agent's processes from stdin (one `pid startTime pgid sid` line each, the agent
 * first) until EOF, which comes when agentpr closes the pipe or dies (SIGKILL included). Then it kills, SIGTERM and
 * after `graceMs` SIGKILL, repeated until nothing is left: every recorded process that is still the same process,
 * every process started after the agent in a recorded process group or session, and every process holding the
 * workspace lock. It exits when done, and earlier when the agent and everything it started are gone.
 *
 * Self-contained on purpose: `startAgentWatchdog` runs its source text with `node -e` (with `parseProcStat` and
 * `scanLockHolders`, also self-contained, passed in), so it keeps working wherever this package is bundled and
 * minified (the CLI bundles it) without a second file to locate. Reference nothing outside this body.
 */
export function agentWatchdogMain(
  fs: ProcFs,
  proc: WatchdogProcess,
  config: AgentWatchdogConfig,
  parseStat: (text: string) => ProcessInfo | null,
  lockHolders: (procFs: ProcFs, procRoot: string, key: string, skipPid: number) => number[] | null,
): void {
  const pids = new Map<number, number>();
  const groups = new Set<number>();
  const sessions = new Set<number>();
  const protectedPids = new Set([0, 1, proc.pid, ...config.protectPids]);
  const protectedGroups = new Set([0, 1, proc.pid, ...config.protectGroups]);
  let root: { pid: number; start: number } | null = null;
  let pending = '';
  let cleaning = false;
  // Once nobody holds the lock, the agent's open file is gone for good: a later holder is a newer step's agent.
  let lockGone = config.lockKey === null;

  const read = (pid: number): ProcessInfo | null => {
    try {
      return parseStat(fs.readFileSync(`${config.procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return null;
    }
  };
  const marker = config.envMarker ? `\0${config.envMarker}\0` : null;
  const carriesMarker = (pid: number): boolean => {
    if (marker === null) return false;
    try {
      return `\0${String(fs.readFileSync(`${config.procRoot}/${pid}/environ`, 'latin1'))}\0`.includes(marker);
    } catch {
      return false;
    }
  };
  const record = (line: string): void => {
    const [pid, start, pgid, sid] = line.trim().split(/\s+/).map(Number);
    if (![pid, start, pgid, sid].every((n) => Number.isSafeInteger(n) && n! >= 0)) return;
    if (root === null) root = { pid: pid!, start: start! };
    pids.set(pid!, start!);
    if (!protectedGroups.has(pgid!)) groups.add(pgid!);
    if (!protectedGroups.has(sid!)) sessions.add(sid!);
  };
  /** Live processes of the agent, and the recorded groups they are in (a group signal also hits fresh forks). */
  const targets = (): { pids: number[]; groups: number[] } => {
    const found = new Set<number>();
    const hitGroups = new Set<number>();
    if (root !== null) {
      let entries: string[] = [];
      try {
        entries = fs.readdirSync(config.procRoot);
      } catch {
        // no procfs: nothing to find
      }
      for (const entry of entries) {
        if (!/^\d+$/.test(entry)) continue;
        const info = read(Number(entry));
        if (!info || info.state === 'Z' || info.state === 'X' || protectedPids.has(info.pid)) continue;
        const same = pids.get(info.pid) === info.startTime;
        const sharesTree = info.startTime >= root.start && (groups.has(info.pgid) || sessions.has(info.sid));
        if (!same && !sharesTree && !(info.startTime >= root.start && carriesMarker(info.pid))) continue;
        found.add(info.pid);
        if (groups.has(info.pgid) && info.startTime >= root.start) hitGroups.add(info.pgid);
      }
    }
    if (!lockGone) {
      const holders = lockHolders(fs, config.procRoot, config.lockKey!, proc.pid);
      if (holders === null) lockGone = true;
      else for (const pid of holders) if (!protectedPids.has(pid)) found.add(pid);
    }
    return { pids: [...found], groups: [...hitGroups] };
  };
  const signal = (list: { pids: number[]; groups: number[] }, name: NodeJS.Signals): void => {
    for (const target of [...list.groups.map((group) => -group), ...list.pids]) {
      try {
        proc.kill(target, name);
      } catch {
        // already gone
      }
    }
  };
  const cleanup = (): void => {
    if (cleaning) return;
    cleaning = true;
    let list = targets();
    if (list.pids.length === 0) proc.exit(0);
    signal(list, 'SIGTERM');
    const killAt = Date.now() + config.graceMs;
    let killRounds = 0;
    const tick = (): void => {
      list = targets();
      if (list.pids.length === 0) proc.exit(0);
      if (Date.now() < killAt) {
        setTimeout(tick, 50);
        return;
      }
      signal(list, 'SIGKILL');
      // A process stuck in the kernel (state D) may take a while; do not stay around for it forever.
      killRounds += 1;
      if (killRounds > 60) proc.exit(1);
      setTimeout(tick, 50);
    };
    setTimeout(tick, 50);
  };
  const idle = setInterval(() => {
    if (cleaning || root === null) return;
    const info = read(root.pid);
    if (info && info.startTime === root.start && info.state !== 'Z' && info.state !== 'X') return;
    if (targets().pids.length === 0) proc.exit(0);
  }, config.idleCheckMs);
  idle.unref();

  proc.stdin.setEncoding('utf8');
  proc.stdin.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) record(line);
  });
  proc.stdin.on('end', cleanup);
  proc.stdin.on('error', cleanup);
  proc.stdin.resume();
}

/** The argument that tells a watchdog process apart in `ps` and `/proc/<pid>/cmdline`. */
export const AGENT_WATCHDOG_MARKER = 'agentpr-agent-watchdog';

/** The text `node -e` runs in the watchdog process: the main function and its two helpers, from their own source. */
export const AGENT_WATCHDOG_SCRIPT = `(${agentWatchdogMain.toString()})(require('node:fs'), process, JSON.parse(process.argv[2]), (${parseProcStat.toString()}), (${scanLockHolders.toString()}));`;

/** A running watchdog, as seen from agentpr. */
export interface AgentWatchdog {
  /** The watchdog's pid, or null if it could not be started. */
  readonly pid: number | null;
  /** Tells the watchdog about one of the agent's processes (the agent itself first). */
  record(proc: ProcessInfo): void;
  /** Closes the pipe: the watchdog cleans up what is left and exits. */
  close(): void;
  /** Resolves true once the watchdog has exited, false if it has not within `timeoutMs`. */
  exited(timeoutMs: number): Promise<boolean>;
}

/** Options of {@link startAgentWatchdog}. */
export interface StartAgentWatchdogOptions {
  lockKey: string | null;
  /** `NAME=value` set in the agent's environment; see {@link AgentWatchdogConfig.envMarker}. */
  envMarker?: string | null;
  graceMs: number;
  /** Default 1000 ms. */
  idleCheckMs?: number;
  procRoot?: string;
}

/**
 * Starts the watchdog of one agent step: a detached `node` (own session and process group, so a `kill -9 -<pgid>`
 * of agentpr's group spares it), with an empty environment, `/` as cwd, no inherited descriptor but its stdin, a pipe
 * that only this process holds. Never throws; a watchdog that fails to start has `pid: null` and records nothing.
 */
export function startAgentWatchdog(options: StartAgentWatchdogOptions): AgentWatchdog {
  const procRoot = options.procRoot ?? '/proc';
  const self = readProcess(process.pid, procRoot);
  const config: AgentWatchdogConfig = {
    lockKey: options.lockKey,
    envMarker: options.envMarker ?? null,
    graceMs: options.graceMs,
    idleCheckMs: options.idleCheckMs ?? 1000,
    protectPids: [process.pid],
    protectGroups: self ? [self.pgid, self.sid] : [],
    procRoot,
  };
  let child: ChildProcess | null = null;
  let exited = false;
  const waiters: Array<() => void> = [];
  try {
    // The marker argument names the process in `ps` (after the script text, which `ps` also shows).
    child = spawn(process.execPath, ['-e', AGENT_WATCHDOG_SCRIPT, AGENT_WATCHDOG_MARKER, JSON.stringify(config)], {
      cwd: '/',
      env: {},
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  } catch {
    child = null;
  }
  if (child) {
    child.on('error', () => {
      exited = true;
      for (const wake of waiters.splice(0)) wake();
    });
    child.on('exit', () => {
      exited = true;
      for (const wake of waiters.splice(0)) wake();
    });
    child.stdin!.on('error', () => {
      // EPIPE once the watchdog has exited on its own (nothing left to guard)
    });
    (child.stdin as NodeJS.WritableStream & { unref?: () => void }).unref?.();
    child.unref();
  }
  const pid = child?.pid ?? null;
  return {
    pid,
    record(info) {
      if (!child || exited || child.stdin!.destroyed) return;
      child.stdin!.write(`${info.pid} ${info.startTime} ${info.pgid} ${info.sid}\n`);
    },
    close() {
      if (child && !child.stdin!.destroyed) child.stdin!.end();
    },
    exited(timeoutMs) {
      if (!child || exited) return Promise.resolve(true);
      return new Promise((resolve) => {
        // Kept referenced: a caller awaiting this must not see its event loop drain and exit 0 in silence.
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
