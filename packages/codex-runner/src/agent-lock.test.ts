import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { flockKey, lockInsideWorkspace, scanLockHolders, workspaceBusyMessage } from './agent-lock.js';

afterAll(() => cleanupTempDirs());

const LOCK_LINE = 'lock:\t1: FLOCK  ADVISORY  WRITE 13961 fe:00:2147730 0 EOF';

/** A fake procfs: `procs` maps pid → fd → [link target, fdinfo text]. */
function fakeProc(locks: string, procs: Record<number, Record<number, [string, string]>>): string {
  const root = tempDir('agentpr-fake-proc-');
  fs.writeFileSync(join(root, 'locks'), locks);
  for (const [pid, fds] of Object.entries(procs)) {
    fs.mkdirSync(join(root, pid, 'fd'), { recursive: true });
    fs.mkdirSync(join(root, pid, 'fdinfo'));
    for (const [fd, [target, info]] of Object.entries(fds)) {
      fs.symlinkSync(target, join(root, pid, 'fd', fd));
      fs.writeFileSync(join(root, pid, 'fdinfo', fd), info);
    }
  }
  return root;
}

describe('agent lock', () => {
  it('flockKey reads major:minor:inode from an fdinfo flock line and ignores other locks', () => {
    expect(flockKey(`pos:\t0\nflags:\t0100000\nmnt_id:\t26\nino:\t2147730\n${LOCK_LINE}\n`)).toBe('fe:00:2147730');
    expect(flockKey('pos:\t0\nflags:\t0100000\n')).toBeNull();
    expect(flockKey('lock:\t1: POSIX  ADVISORY  WRITE 13961 fe:00:2147730 0 EOF\n')).toBeNull();
  });

  it('scanLockHolders names only processes sharing the locked open file, not one that merely opened the file', () => {
    const proc = fakeProc(`1: FLOCK  ADVISORY  WRITE 13961 fe:00:2147730 0 EOF\n2: POSIX  ADVISORY  WRITE 1 fe:00:9 0 EOF\n`, {
      123: { 3: ['/data/locks/run.agent.lock', `pos:\t0\n${LOCK_LINE}\n`], 4: ['pipe:[77]', ''] },
      124: { 0: ['pipe:[1]', LOCK_LINE] },
      125: { 3: ['/data/locks/run.agent.lock', 'pos:\t0\nflags:\t0100000\n'] },
      126: { 7: ['/renamed/elsewhere (deleted)', `${LOCK_LINE}\n`] },
      200: { 3: ['/data/locks/run.agent.lock', `${LOCK_LINE}\n`] },
    });
    expect(scanLockHolders(fs, proc, 'fe:00:2147730', 200)?.sort()).toEqual([123, 126]);
  });

  it('scanLockHolders returns null when /proc/locks shows nobody holds the key, without scanning', () => {
    const proc = fakeProc('1: FLOCK  ADVISORY  WRITE 1 fe:00:1 0 EOF\n', { 123: { 3: ['/l', LOCK_LINE] } });
    expect(scanLockHolders(fs, proc, 'fe:00:2147730', 0)).toBeNull();
    expect(scanLockHolders(fs, proc, 'fe:00:1', 0)).toEqual([]);
  });

  it('workspaceBusyMessage names the pids and how to stop them, in one line', () => {
    expect(workspaceBusyMessage([123, 456])).toBe(
      "an earlier agent is still running in this workspace (pids 123, 456); it will be stopped when its step's watchdog fires, or stop it with kill 123 456",
    );
    expect(workspaceBusyMessage([])).toMatch(/^an earlier agent is still running in this workspace \(its processes are not visible from here\)/);
  });

  it('lockInsideWorkspace tells a lock under the workspace from one beside it', () => {
    expect(lockInsideWorkspace('/ws/run/.agentpr_runtime/x.lock', '/ws/run')).toBe(true);
    expect(lockInsideWorkspace('/ws/run', '/ws/run')).toBe(true);
    expect(lockInsideWorkspace('/ws/run-locks/x.lock', '/ws/run')).toBe(false);
    expect(lockInsideWorkspace('/data/locks/x.lock', '/ws/run')).toBe(false);
  });
});
