import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { agentLockHolders, assertWorkspaceFree, checkWorkspaceFree } from '../agent-lock.js';
import { AGENT_WATCHDOG_MARKER } from '../agent-watchdog.js';
import { CodexRunnerError } from '../errors.js';
import { listProcesses } from '../process-tree.js';
import { runAgentProcess, type AgentProcessSpec } from '../run-agent-process.js';

const fixture = fileURLToPath(new URL('./fixtures/agent-step-child.ts', import.meta.url));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
let childBundle = '';
const started: ChildProcess[] = [];

beforeAll(async () => {
  // Minified, as the CLI bundles this package: the watchdog's source text must survive that.
  const outDir = tempDir('agentpr-lifetime-bundle-');
  // Sibling packages are bundled from their sources, as the CLI bundles them, so the script runs from a bare temp dir.
  await build({
    entry: { 'agent-step-child': fixture }, outDir, format: ['esm'], target: 'node20', platform: 'node', minify: true, dts: false, silent: true, clean: false,
    noExternal: [/^@agentpr\//],
    esbuildOptions(options) {
      options.conditions = ['@agentpr/source'];
    },
  });
  childBundle = join(outDir, 'agent-step-child.js');
}, 120_000);

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  cleanupTempDirs();
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Live (non-zombie) processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  return (listProcesses() ?? []).filter((p) => p.state !== 'Z' && p.pid !== process.pid && cmdline(p.pid).includes(text)).map((p) => p.pid);
}

function alive(pid: number): boolean {
  const proc = (listProcesses() ?? []).find((p) => p.pid === pid);
  return proc !== undefined && proc.state !== 'Z';
}

/** Polls `check` every 50 ms until it returns true or `ms` have passed; returns its last answer. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    if (check()) return true;
    if (performance.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the bundled agentpr stand-in in its own process group and resolves once its agent printed `ready`. */
async function startStep(lockFile: string, script: string, marker: string): Promise<{ child: ChildProcess; agentPid: number }> {
  const child = spawn(process.execPath, [childBundle, tempDir('agentpr-lifetime-ws-'), lockFile, script, marker], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the step did not get ready; stdout so far: ${out}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/^ready$/m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`the step exited early (${code}); stdout: ${out}`)));
  });
  await ready;
  const agentPid = Number(/^agent (\d+)$/m.exec(out)?.[1]);
  expect(agentPid).toBeGreaterThan(0);
  return { child, agentPid };
}

/** The watchdog that `child` started: its child process carrying the watchdog marker. */
function watchdogOf(child: ChildProcess): number | undefined {
  return (listProcesses() ?? []).find((p) => p.ppid === child.pid && cmdline(p.pid).includes(AGENT_WATCHDOG_MARKER))?.pid;
}

// $0 is the marker. One grandchild escapes the process group and session with setsid; another escapes the tree by a
// double fork, and (with the lock) setsid too, so that only the lock still ties it to the agent.
const escapingAgent = (doubleForkSetsid: boolean): string => `
  setsid bash -c 'exec -a "$0-setsid" sleep 30' "$0" &
  ( ${doubleForkSetsid ? 'setsid ' : ''}bash -c 'exec -a "$0-double" sleep 30' "$0" & )
  sleep 0.3
  echo ready
  exec -a "$0-agent" sleep 30`;

describe('agent lifetime', () => {
  it('SIGKILL of the agentpr process group mid-step kills the agent, a setsid grandchild and a double-forked setsid one, and frees the lock', async () => {
    const marker = `agentpr-lifetime-${randomUUID()}`;
    const lockFile = join(tempDir('agentpr-lifetime-data-'), 'locks', 'run_kill.agent.lock');
    const { child, agentPid } = await startStep(lockFile, escapingAgent(true), marker);
    expect(await eventually(() => processesWith(marker).length >= 3)).toBe(true);
    const agentProcesses = processesWith(marker).filter((pid) => pid !== child.pid);
    expect(agentProcesses).toContain(agentPid);
    expect(await eventually(() => watchdogOf(child) !== undefined)).toBe(true);
    const watchdog = watchdogOf(child)!;
    // Every agent process holds the lock through the inherited descriptor.
    expect(agentLockHolders(lockFile).sort()).toEqual(expect.arrayContaining(agentProcesses));

    process.kill(-child.pid!, 'SIGKILL');

    expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    expect(agentLockHolders(lockFile)).toEqual([]);
    expect(checkWorkspaceFree(lockFile)).toEqual({ ok: true });
    expect(await eventually(() => !alive(watchdog))).toBe(true);
  });

  it('SIGKILL mid-step without a lock file still kills the agent, its setsid grandchild and a double-forked one in its session', async () => {
    const marker = `agentpr-lifetime-${randomUUID()}`;
    const { child } = await startStep('', escapingAgent(false), marker);
    expect(await eventually(() => processesWith(marker).length >= 3)).toBe(true);
    expect(await eventually(() => watchdogOf(child) !== undefined)).toBe(true);
    const watchdog = watchdogOf(child)!;

    process.kill(-child.pid!, 'SIGKILL');

    expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    expect(await eventually(() => !alive(watchdog))).toBe(true);
  });

  it('runAgentProcess on a lock an agent still holds refuses with exit 75 and names the pid; the lock is free after the first step', async () => {
    const lockFile = join(tempDir('agentpr-lifetime-data-'), 'locks', 'run_busy.agent.lock');
    const spec = (script: string): AgentProcessSpec => ({ command: process.execPath, args: ['-e', script], cwd: tempDir('agentpr-lifetime-ws-'), env, input: '', lockFile, killGraceMs: 300, drainGraceMs: 200 });
    const controller = new AbortController();
    let firstPid = 0;
    let onUp!: () => void;
    const up = new Promise<void>((resolve) => (onUp = resolve));
    const first = runAgentProcess(spec(`console.log('up'); setInterval(() => {}, 1000)`), {
      signal: controller.signal,
      onSpawn: (pid) => (firstPid = pid),
      onStdoutLine: (line) => line === 'up' && onUp(),
    });
    await Promise.race([up, first.then((r) => Promise.reject(new Error(`the first step ended early: ${r.stderr}`)))]);

    expect(agentLockHolders(lockFile)).toEqual([firstPid]);
    const check = checkWorkspaceFree(lockFile);
    expect(check).toMatchObject({ ok: false, reason: 'busy', holders: [firstPid] });
    expect(() => assertWorkspaceFree(lockFile)).toThrow(expect.objectContaining({ code: 'workspace_busy' }));

    let secondSpawned = false;
    const second = await runAgentProcess(spec(`console.log('second')`), { onSpawn: () => (secondSpawned = true) });
    expect(secondSpawned).toBe(false);
    expect(second).toMatchObject({ agentExit: 75, workspaceBusy: true, spawnFailed: true, pid: null, lineCount: 0 });
    expect(second.stderr).toBe(
      `agent_workspace_busy: an earlier agent is still running in this workspace (pids ${firstPid}); it will be stopped when its step's watchdog fires, or stop it with kill ${firstPid}\n`,
    );

    controller.abort('test done');
    const result = await first;
    expect(result.agentExit).toBe(130);
    // runAgentProcess returns only once the lock is free and its watchdog is gone.
    expect(agentLockHolders(lockFile)).toEqual([]);
    expect(checkWorkspaceFree(lockFile)).toEqual({ ok: true });
    expect(result.watchdogPid).toBeGreaterThan(0);
    expect(alive(result.watchdogPid!)).toBe(false);
  });

  it('runAgentProcess after a normal exit kills a leftover that escaped the tree but holds the lock, and returns with the lock free', async () => {
    const marker = `agentpr-lifetime-${randomUUID()}`;
    const lockFile = join(tempDir('agentpr-lifetime-data-'), 'locks', 'run_exit.agent.lock');
    const script = `( setsid bash -c 'exec -a "$0-double" sleep 30' "$0" & ); sleep 0.2; echo done`;
    const result = await runAgentProcess({ command: 'bash', args: ['-c', script, marker], cwd: tempDir('agentpr-lifetime-ws-'), env, input: '', lockFile, killGraceMs: 300, drainGraceMs: 200 });
    expect(result.agentExit).toBe(0);
    expect(result.stdoutTail).toBe('done\n');
    expect(agentLockHolders(lockFile)).toEqual([]);
    expect(processesWith(marker)).toEqual([]);
    expect(alive(result.watchdogPid!)).toBe(false);
  });

  it('runAgentProcess without a lock file stops its watchdog after the step', async () => {
    const result = await runAgentProcess({ command: process.execPath, args: ['-e', `console.log('x')`], cwd: tempDir('agentpr-lifetime-ws-'), env, input: '' });
    expect(result.agentExit).toBe(0);
    expect(result.watchdogPid).toBeGreaterThan(0);
    expect(await eventually(() => !alive(result.watchdogPid!))).toBe(true);
  });

  it('runAgentProcess refuses a relative lock file or one inside the workspace, and starts nothing', async () => {
    const cwd = tempDir('agentpr-lifetime-ws-');
    const base: AgentProcessSpec = { command: process.execPath, args: ['-e', ''], cwd, env, input: '' };
    await expect(runAgentProcess({ ...base, lockFile: 'locks/run.lock' })).rejects.toThrow(/must be absolute/);
    await expect(runAgentProcess({ ...base, lockFile: join(cwd, '.agentpr_runtime', 'run.lock') })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/is inside the workspace/) }) as unknown as Error,
    );
  });

  it('runAgentProcess with a symlink at the lock path refuses with one line and exit 127, and checkWorkspaceFree says why', async () => {
    const data = tempDir('agentpr-lifetime-data-');
    const target = join(data, 'target');
    writeFileSync(target, 'not a lock\n');
    const lockFile = join(data, 'run.agent.lock');
    symlinkSync(target, lockFile);
    const result = await runAgentProcess({ command: process.execPath, args: ['-e', ''], cwd: tempDir('agentpr-lifetime-ws-'), env, input: '', lockFile });
    expect(result).toMatchObject({ agentExit: 127, spawnFailed: true, workspaceBusy: false });
    expect(result.stderr).toMatch(/^agent_workspace_lock_unusable: the workspace lock .* is a symlink; agentpr never follows one there\. Remove it\.\n$/);
    expect(readFileSync(target, 'utf8')).toBe('not a lock\n');
    expect(checkWorkspaceFree(lockFile)).toMatchObject({ ok: false, reason: 'unusable' });
    expect(() => assertWorkspaceFree(lockFile)).toThrow(CodexRunnerError);
  });

  it.skipIf(process.env.AGENTPR_TEST_SKIP_BWRAP === '1')('under bwrap with a PID namespace the sandboxed agent holds the lock too, and frees it when stopped', async () => {
    const lockFile = join(tempDir('agentpr-lifetime-data-'), 'locks', 'run_bwrap.agent.lock');
    const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--die-with-parent', 'bash', '-c', 'echo up; exec sleep 30'];
    const controller = new AbortController();
    let onUp!: () => void;
    const up = new Promise<void>((resolve) => (onUp = resolve));
    const run = runAgentProcess({ command: 'bwrap', args, cwd: tempDir('agentpr-lifetime-ws-'), env, input: '', lockFile, killGraceMs: 300, drainGraceMs: 200 }, {
      signal: controller.signal,
      onStdoutLine: (line) => line === 'up' && onUp(),
    });
    await Promise.race([up, run.then((r) => Promise.reject(new Error(`bwrap ended early: ${r.stderr}`)))]);
    // bwrap passes the inherited descriptor through to the sandboxed agent, which holds it.
    expect(agentLockHolders(lockFile).length).toBeGreaterThanOrEqual(1);
    controller.abort('test done');
    expect((await run).agentExit).toBe(130);
    expect(agentLockHolders(lockFile)).toEqual([]);
  });
});
