import { readdirSync, readFileSync } from 'node:fs';

/** One process as seen in `/proc/<pid>/stat`. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** `R`, `S`, `D`, `Z` (zombie), … */
  state: string;
  /** Start time in clock ticks since boot; tells a process apart from a later one with a reused pid. */
  startTime: number;
}

/**
 * Parses one `/proc/<pid>/stat` line; null if it is malformed. The command name may contain spaces and parens.
 * Self-contained (it references nothing outside its body): the agent watchdog runs its source text.
 */
export function parseProcStat(text: string): ProcessInfo | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  //         priority nice num_threads itrealvalue starttime …
  const [state, ppid, pgid, sid] = [fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])];
  const startTime = Number(fields[19]);
  if (!state || !Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgid) || !Number.isFinite(startTime)) return null;
  return { pid, ppid, pgid, sid, state, startTime };
}

/** Every process in `procRoot` (default `/proc`), or null when there is no procfs (e.g. macOS). */
export function listProcesses(procRoot = '/proc'): ProcessInfo[] | null {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return null;
  }
  const out: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const info = parseProcStat(readFileSync(`${procRoot}/${entry}/stat`, 'utf8'));
      if (info) out.push(info);
    } catch {
      // the process exited while we listed
    }
  }
  return out;
}

/** One process's `/proc/<pid>/stat`, or null if it is gone. */
export function readProcess(pid: number, procRoot = '/proc'): ProcessInfo | null {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The root and its descendants found through `/proc/<pid>/task/<tid>/children`, reading only the tree (much cheaper
 * than listing every process). Null when the kernel does not provide `children` files.
 */
export function walkProcessTree(rootPid: number, procRoot = '/proc'): ProcessInfo[] | null {
  const out: ProcessInfo[] = [];
  const queue = [rootPid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const info = readProcess(pid, procRoot);
    if (!info) continue;
    out.push(info);
    let tasks: string[];
    try {
      tasks = readdirSync(`${procRoot}/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let text: string;
      try {
        text = readFileSync(`${procRoot}/${pid}/task/${tid}/children`, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && pid === rootPid && tid === String(pid)) return null;
        continue;
      }
      for (const child of text.split(/\s+/)) if (child) queue.push(Number(child));
    }
  }
  return out;
}

/** The processes whose parent chain leads to `rootPid` (the root itself included when present). */
export function descendantsOf(rootPid: number, processes: readonly ProcessInfo[]): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const proc of processes) {
    const list = children.get(proc.ppid) ?? [];
    list.push(proc);
    children.set(proc.ppid, list);
  }
  const out: ProcessInfo[] = [];
  const root = processes.find((proc) => proc.pid === rootPid);
  if (root) out.push(root);
  const queue = [rootPid];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Options of {@link ProcessTreeTracker}. */
export interface ProcessTreeTrackerOptions {
  /** Called once for each process (pid + start time) the tracker records for the first time, root included. */
  onNewProcess?: (proc: ProcessInfo) => void;
}

/**
 * Remembers every process and process group that ever descended from an agent process, so that a timeout can kill
 * them all, including commands the agent started in their own session (codex does this for every tool command).
 * A remembered group is signalled only while it still has a live member that started after the agent, so a reused
 * pid never hits an unrelated process. Without procfs it degrades to the agent's own process group.
 */
export class ProcessTreeTracker {
  private readonly pids = new Map<number, number>();
  private readonly groups = new Set<number>();
  private rootStart: number | null = null;
  private readonly protectedGroups: Set<number>;

  /**
   * @param rootPid the agent process, leader of its own process group (spawned `detached`).
   * @param procRoot procfs mount, for tests.
   * @param options `onNewProcess` sees each newly recorded process (the runner forwards them to the agent watchdog).
   */
  constructor(
    readonly rootPid: number,
    private readonly procRoot = '/proc',
    private readonly options: ProcessTreeTrackerOptions = {},
  ) {
    this.groups.add(rootPid);
    const self = readProcess(process.pid, procRoot);
    this.protectedGroups = new Set([0, 1, process.pid, ...(self ? [self.pgid, self.sid] : [])]);
  }

  /** Records the current descendants of the root. Cheap enough to call every few hundred ms (it walks only the tree). */
  sample(): void {
    let tree = walkProcessTree(this.rootPid, this.procRoot);
    if (!tree) {
      const all = listProcesses(this.procRoot);
      if (!all) return;
      tree = descendantsOf(this.rootPid, all);
    }
    for (const proc of tree) {
      if (proc.pid === this.rootPid && this.rootStart === null) this.rootStart = proc.startTime;
      const known = this.pids.get(proc.pid) === proc.startTime;
      this.pids.set(proc.pid, proc.startTime);
      if (!this.protectedGroups.has(proc.pgid)) this.groups.add(proc.pgid);
      if (!known) this.options.onNewProcess?.(proc);
    }
  }

  /**
   * Sends `signal` to the root's group, every remembered group that still has a live member started after the root,
   * and every remembered process that is still the same process. `rootAlive` says whether the root has not been reaped
   * yet (then its group is signalled without checks). Returns how many signals were delivered.
   */
  signalAll(signal: NodeJS.Signals, rootAlive: boolean): number {
    this.sample();
    let delivered = 0;
    const send = (target: number): void => {
      try {
        process.kill(target, signal);
        delivered += 1;
      } catch {
        // ESRCH: already gone
      }
    };
    if (rootAlive) send(-this.rootPid);
    // Cheap pre-check (signal 0) so the usual case, where nothing is left, needs no scan of every process.
    const groups = [...this.groups].filter((group) => !this.protectedGroups.has(group) && !(group === this.rootPid && rootAlive) && groupExists(group));
    const pids = [...this.pids].filter(([pid, start]) => readProcess(pid, this.procRoot)?.startTime === start);
    if (groups.length === 0 && pids.length === 0) return delivered;
    const all = listProcesses(this.procRoot);
    if (!all) return delivered;
    const minStart = this.rootStart ?? 0;
    const live = all.filter((proc) => proc.state !== 'Z' && proc.startTime >= minStart);
    for (const group of groups) if (live.some((proc) => proc.pgid === group)) send(-group);
    for (const proc of live) {
      if (this.pids.get(proc.pid) === proc.startTime && !groups.includes(proc.pgid) && !(proc.pgid === this.rootPid && rootAlive)) send(proc.pid);
    }
    return delivered;
  }

  /** Remembered processes that are still alive (not zombies), for diagnostics and tests. */
  survivors(): ProcessInfo[] {
    const all = listProcesses(this.procRoot) ?? [];
    const minStart = this.rootStart ?? 0;
    return all.filter(
      (proc) => proc.state !== 'Z' && proc.startTime >= minStart && (this.pids.get(proc.pid) === proc.startTime || (this.groups.has(proc.pgid) && !this.protectedGroups.has(proc.pgid))),
    );
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    // ESRCH: no such group; EPERM: not ours to signal anyway
    return false;
  }
}
