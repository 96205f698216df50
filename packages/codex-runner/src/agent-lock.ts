import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CodexRunnerError } from './errors.js';

/** Exit code of an agent step refused because an earlier agent still holds the workspace lock (EX_TEMPFAIL). */
export const WORKSPACE_BUSY_EXIT_CODE = 75;

/** Longest lock file content read back (the kernel lock key is ~20 bytes); a bigger file is not a key. */
const MAX_KEY_BYTES = 128;

/**
 * The subset of `node:fs` that the `/proc` scans use; the agent watchdog passes the real module in its own process.
 */
export type ProcFs = Pick<typeof fs, 'readdirSync' | 'readFileSync' | 'readlinkSync'>;

/** A workspace lock this process holds through its own descriptor until the agent has inherited it. */
export interface HeldAgentLock {
  /** The lock file. */
  readonly path: string;
  /** Our read-only descriptor of the locked open file; pass it to the agent as an inherited fd. */
  readonly fd: number;
  /** The kernel's key of the locked file, `major:minor:inode` as `/proc/locks` prints it. */
  readonly key: string;
  /** Closes our descriptor; the lock then lives exactly as long as some process of the agent's tree holds it. */
  release(): void;
}

/** Why a workspace lock could not be taken: `busy` (an earlier agent holds it) or `unusable` (the path or flock(1)). */
export type AgentLockRefusal = { ok: false; reason: 'busy' | 'unusable'; holders: number[]; message: string };

/** The outcome of {@link acquireAgentLock}. */
export type AcquireAgentLockResult = { ok: true; lock: HeldAgentLock } | AgentLockRefusal;

/** The outcome of {@link checkWorkspaceFree}. */
export type WorkspaceLockCheck = { ok: true } | AgentLockRefusal;

/**
 * The one-line refusal for a workspace whose lock is still held; names the pids and how to stop them.
 * @example workspaceBusyMessage([123, 456]) // 'an earlier agent is still running in this workspace (pids 123, 456); …'
 */
export function workspaceBusyMessage(holders: readonly number[]): string {
  if (holders.length === 0) {
    return "an earlier agent is still running in this workspace (its processes are not visible from here); it will be stopped when its step's watchdog fires";
  }
  const pids = holders.join(', ');
  return `an earlier agent is still running in this workspace (pids ${pids}); it will be stopped when its step's watchdog fires, or stop it with kill ${holders.join(' ')}`;
}

/**
 * The pids of processes that hold the workspace lock `lockFile`: those with a descriptor on the locked open file
 * (`/proc/<pid>/fdinfo/<fd>` shows the flock), except this process. A process that merely opened the file (a
 * manager about to check it) is not a holder. Reads only procfs, never the files the descriptors point at, so a
 * hostile mount cannot hang it. Empty when the file is missing, is not a lock file, or nothing holds it.
 * @example if (agentLockHolders(lockFile).length > 0) console.error(workspaceBusyMessage(agentLockHolders(lockFile)));
 */
export function agentLockHolders(lockFile: string, procRoot = '/proc'): number[] {
  return lockState(lockFile, procRoot) ?? [];
}

/** null when nobody holds the lock; else the holders (possibly none visible from here). */
function lockState(lockFile: string, procRoot: string): number[] | null {
  const key = readLockKey(lockFile);
  if (key === null) return null;
  return scanLockHolders(fs, procRoot, key, process.pid);
}

/**
 * Whether a new agent may start in the workspace guarded by `lockFile`: `{ ok: true }`, or a refusal whose
 * `message` is one line naming the holders' pids (`reason: 'busy'`), or saying why the lock file is unusable.
 * Call it before each launch; `runAgentProcess` checks again atomically when it takes the lock.
 */
export function checkWorkspaceFree(lockFile: string, procRoot = '/proc'): WorkspaceLockCheck {
  const invalid = lockPathProblem(lockFile);
  if (invalid) return { ok: false, reason: 'unusable', holders: [], message: invalid };
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true };
    return { ok: false, reason: 'unusable', holders: [], message: `cannot read the workspace lock ${lockFile}: ${(error as Error).message}` };
  }
  if (!stat.isFile()) return { ok: false, reason: 'unusable', holders: [], message: notRegularMessage(lockFile) };
  const holders = lockState(lockFile, procRoot);
  if (holders !== null) return { ok: false, reason: 'busy', holders, message: workspaceBusyMessage(holders) };
  return { ok: true };
}

/**
 * Like {@link checkWorkspaceFree}, but throws a `CodexRunnerError` with code `workspace_busy` (or `invalid_option`
 * for an unusable lock path) carrying the one-line message.
 */
export function assertWorkspaceFree(lockFile: string, procRoot = '/proc'): void {
  const check = checkWorkspaceFree(lockFile, procRoot);
  if (!check.ok) throw new CodexRunnerError(check.reason === 'busy' ? 'workspace_busy' : 'invalid_option', check.message);
}

/**
 * Opens `lockFile` (created 0600, the last component never followed if it is a symlink; its directory is made if
 * missing, one level only) and takes an exclusive `flock(2)` on that open file with util-linux `flock(1)`, without
 * waiting. Returns the held lock, or `busy` with the holders' pids, or `unusable` with one line. The lock key is
 * written into the file so that {@link agentLockHolders} can find the holders later without taking the lock.
 */
export async function acquireAgentLock(lockFile: string, options: { flockBin?: string; procRoot?: string } = {}): Promise<AcquireAgentLockResult> {
  const procRoot = options.procRoot ?? '/proc';
  const unusable = (message: string): AgentLockRefusal => ({ ok: false, reason: 'unusable', holders: [], message });
  const invalid = lockPathProblem(lockFile);
  if (invalid) return unusable(invalid);
  try {
    fs.mkdirSync(dirname(lockFile), { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return unusable(`cannot create the directory of the workspace lock ${lockFile}: ${(error as Error).message}`);
  }
  let fd: number;
  try {
    // Read-only: the agent inherits this descriptor and must not be able to write through it.
    fd = fs.openSync(lockFile, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return unusable(`the workspace lock ${lockFile} is a symlink; agentpr never follows one there. Remove it.`);
    return unusable(`cannot open the workspace lock ${lockFile}: ${(error as Error).message}`);
  }
  const close = (): void => {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  };
  try {
    if (!fs.fstatSync(fd).isFile()) {
      close();
      return unusable(notRegularMessage(lockFile));
    }
    const flocked = await runFlock(options.flockBin ?? 'flock', fd);
    if (flocked === 'busy') {
      close();
      const holders = agentLockHolders(lockFile, procRoot);
      return { ok: false, reason: 'busy', holders, message: workspaceBusyMessage(holders) };
    }
    if (flocked !== 'locked') {
      close();
      return unusable(`cannot lock the workspace lock ${lockFile}: ${flocked}`);
    }
    const key = flockKey(fs.readFileSync(`${procRoot}/self/fdinfo/${fd}`, 'utf8'));
    if (key === null) {
      close();
      return unusable(`cannot lock the workspace lock ${lockFile}: the kernel does not show flock locks in ${procRoot}/self/fdinfo`);
    }
    writeLockKey(lockFile, fd, key);
    let released = false;
    return {
      ok: true,
      lock: {
        path: lockFile,
        fd,
        key,
        release: () => {
          if (released) return;
          released = true;
          close();
        },
      },
    };
  } catch (error) {
    close();
    return unusable(`cannot lock the workspace lock ${lockFile}: ${(error as Error).message}`);
  }
}

/**
 * The pids (except `skipPid`) with a descriptor on the open file that holds the flock `key`, or null when
 * `/proc/locks` shows nobody holds it (the kernel's answer, read at once; also the cheap usual case). An empty array
 * means held, by no process visible from here.
 * Self-contained (it references nothing outside its body): the agent watchdog runs its source text.
 */
export function scanLockHolders(procFs: ProcFs, procRoot: string, key: string, skipPid: number): number[] | null {
  const holdsKey = (line: string): boolean => /^(?:lock:\s+)?\d+:\s+FLOCK\s/.test(line) && line.includes(` ${key} `);
  try {
    if (!procFs.readFileSync(`${procRoot}/locks`, 'utf8').split('\n').some(holdsKey)) return null;
  } catch {
    // no /proc/locks: scan every process
  }
  let entries: string[];
  try {
    entries = procFs.readdirSync(procRoot);
  } catch {
    return [];
  }
  const holders: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === skipPid) continue;
    let fds: string[];
    try {
      fds = procFs.readdirSync(`${procRoot}/${entry}/fd`);
    } catch {
      continue; // exited, or not ours to read
    }
    for (const fd of fds) {
      try {
        // Pipes, sockets and anonymous inodes cannot be the lock; skip them without reading their fdinfo.
        if (!procFs.readlinkSync(`${procRoot}/${entry}/fd/${fd}`).startsWith('/')) continue;
        if (procFs.readFileSync(`${procRoot}/${entry}/fdinfo/${fd}`, 'utf8').split('\n').some(holdsKey)) {
          holders.push(Number(entry));
          break;
        }
      } catch {
        // the descriptor or the process went away while we looked
      }
    }
  }
  return holders;
}

/** The `major:minor:inode` key of the flock held through the open file whose fdinfo this is, or null. */
export function flockKey(fdinfo: string): string | null {
  const match = /^lock:\s+\d+:\s+FLOCK\s.*?\s([0-9a-f]+:[0-9a-f]+:\d+)\s/m.exec(fdinfo);
  return match ? match[1]! : null;
}

function lockPathProblem(lockFile: string): string | null {
  if (typeof lockFile !== 'string' || lockFile === '' || lockFile.includes('\0')) return `the workspace lock path must be a non-empty path, got ${JSON.stringify(lockFile)}`;
  if (!isAbsolute(lockFile)) return `the workspace lock path must be absolute, got ${lockFile}`;
  return null;
}

/** Whether `lockFile` lies inside `workspace` (where the agent could delete or replace it). */
export function lockInsideWorkspace(lockFile: string, workspace: string): boolean {
  const rel = relative(resolve(workspace), resolve(lockFile));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Validates a `lockFile` option against the workspace; throws `CodexRunnerError('invalid_option')` for a relative path
 * or one inside the workspace (the agent could delete it there and start a second agent's lock from scratch).
 */
export function validateLockFileOption(lockFile: string, workspace: string): void {
  const invalid = lockPathProblem(lockFile);
  if (invalid) throw new CodexRunnerError('invalid_option', invalid);
  if (lockInsideWorkspace(lockFile, workspace)) {
    throw new CodexRunnerError('invalid_option', `the workspace lock ${lockFile} is inside the workspace ${workspace}; keep it in the data dir (e.g. <dataDir>/locks/<run_id>.agent.lock)`);
  }
}

function notRegularMessage(lockFile: string): string {
  return `the workspace lock ${lockFile} is not a regular file; remove it or choose another path`;
}

function readLockKey(lockFile: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(MAX_KEY_BYTES);
    const text = buffer.subarray(0, fs.readSync(fd, buffer, 0, MAX_KEY_BYTES, 0)).toString('utf8').trim();
    return /^[0-9a-f]+:[0-9a-f]+:\d+$/.test(text) ? text : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the key through a second descriptor (ours is read-only), after checking it is the same file. */
function writeLockKey(lockFile: string, lockedFd: number, key: string): void {
  const fd = fs.openSync(lockFile, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const [a, b] = [fs.fstatSync(lockedFd), fs.fstatSync(fd)];
    if (a.dev !== b.dev || a.ino !== b.ino) throw new Error('the file was replaced while it was being locked');
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${key}\n`, 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs `flock --exclusive --nonblock 3` (exit 75 on conflict) on our descriptor: the lock belongs to the open file, not to flock(1). */
function runFlock(flockBin: string, fd: number): Promise<'locked' | 'busy' | string> {
  return new Promise((resolvePromise) => {
    let stderr = '';
    const child = spawn(flockBin, ['--exclusive', '--nonblock', '--conflict-exit-code', '75', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], env: {} });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 500) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      resolvePromise(missing ? `${flockBin} was not found; install util-linux (it provides flock(1))` : error.message);
    });
    child.on('close', (code) => {
      if (code === 0) resolvePromise('locked');
      else if (code === 75) resolvePromise('busy');
      else resolvePromise(`${flockBin} exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    });
  });
}
