import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, tempDir } from '@agentpr/testing';
import { buildAgentEnvironment } from '../agent-environment.js';
import { createAttemptCodexHome, type AttemptCodexHome } from '../codex-home.js';
import { buildIsolatedCommand, checkIsolation, toolchainReadOnlyPaths, type EgressBridge, type NetworkMode } from '../isolation.js';
import { leftoverProcesses, runScenario } from './codex-harness.js';

// Outside /tmp on purpose: bwrap gives the agent a private /tmp, so a target there would prove nothing.
const outsideRoot = mkdtempSync('/var/tmp/agentpr-outside-');

afterAll(() => {
  rmSync(outsideRoot, { recursive: true, force: true });
  cleanupTempDirs();
});

describe('checkIsolation', () => {
  it('checkIsolation none always passes', async () => {
    expect(await checkIsolation('none', {})).toEqual({ ok: true, level: 'none', bwrapPath: null, version: null });
  });

  it('checkIsolation bwrap without bwrap on PATH fails with a reason and an install hint', async () => {
    const result = await checkIsolation('bwrap', { PATH: '/nonexistent' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/no bwrap binary was found on PATH/);
    expect(result.hint).toMatch(/apt-get install bubblewrap/);
  });

  it('checkIsolation bwrap with AGENTPR_BWRAP_BIN pointing to a program that cannot sandbox fails clearly', async () => {
    const result = await checkIsolation('bwrap', { PATH: process.env.PATH, AGENTPR_BWRAP_BIN: '/bin/false' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/cannot create its sandbox here/);
  });
});

// Set AGENTPR_TEST_SKIP_BWRAP=1 only on machines that cannot run bubblewrap at all.
describe.skipIf(process.env.AGENTPR_TEST_SKIP_BWRAP === '1').concurrent('isolation bwrap with the real codex binary', () => {
  it('checkIsolation bwrap passes on this machine (install bubblewrap if this fails)', async () => {
    const result = await checkIsolation('bwrap', process.env);
    expect(result).toMatchObject({ ok: true, level: 'bwrap' });
  });

  it('write-outside-workspace under bwrap (codex sandbox off): the write fails and the file does not exist', async () => {
    const target = join(outsideRoot, 'bwrap');
    const run = await runScenario('write-outside-workspace', { isolation: 'bwrap', sandbox: 'danger-full-access', vars: { OUTSIDE_DIR: target } });
    expect(run.result.agentExit).toBe(0);
    expect(run.commands[0]).toMatchObject({ exit_code: 1, status: 'failed' });
    expect(run.commands[0]?.aggregated_output).toMatch(/Read-only file system/);
    expect(existsSync(join(target, 'escaped.txt'))).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('write-outside-workspace without isolation and without codex sandbox does write the file (control)', async () => {
    const target = join(outsideRoot, 'none');
    const run = await runScenario('write-outside-workspace', { isolation: 'none', sandbox: 'danger-full-access', vars: { OUTSIDE_DIR: target } });
    expect(run.result.agentExit).toBe(0);
    expect(readFileSync(join(target, 'escaped.txt'), 'utf8')).toBe('escaped\n');
  });

  it('git-push-not-allowed under bwrap with codex workspace-write nested: edits land, npm test passes, nothing is pushed', async () => {
    const run = await runScenario('git-push-not-allowed', { isolation: 'bwrap', withRemote: true });
    expect(run.result.agentExit).toBe(0);
    expect(existsSync(join(run.workspace.dir, 'src/title-case.js'))).toBe(true);
    expect(run.commands.find((c) => c.command.includes('npm test'))).toMatchObject({ exit_code: 0, status: 'completed' });
    expect(run.lines.some((l) => JSON.stringify(l.event).includes('git push origin HEAD'))).toBe(true);
    expect(await git(run.workspace.dir, ['ls-remote', run.workspace.remote!, 'refs/heads/main'])).toContain(run.workspace.baseSha);
    expect(run.lastMessage).toContain('Status: PASS');
  });
});

describe.skipIf(process.env.AGENTPR_TEST_SKIP_BWRAP === '1')('isolation bwrap timeout', () => {
  it('hang-past-timeout under bwrap: exit 124 within limit + 2 s and no process left', { retry: 1 }, async () => {
    const marker = `301.${process.pid}${Math.floor(Math.random() * 1000)}`;
    // 8 s: on a loaded 2-core machine codex alone takes up to ~5 s to start its first command, sandbox or not.
    const run = await runScenario('hang-past-timeout', { isolation: 'bwrap', maxDurationSec: 8, vars: { SLEEP_SECONDS: marker } });
    expect(run.result.agentExit).toBe(124);
    expect(run.result.timedOut).toBe(true);
    expect(run.result.durationMs).toBeLessThan(10_000);
    expect(run.lines.some((l) => l.event.type === 'item.started')).toBe(true);
    expect(await leftoverProcesses(marker)).toEqual([]);
  });
});

// The sandbox view itself, probed with real bubblewrap and small shell/node commands (issue 12).
const probe = await checkIsolation('bwrap', process.env);
const skipView = process.env.AGENTPR_TEST_SKIP_BWRAP === '1' || !probe.ok;
if (!probe.ok) console.warn(`isolation-bwrap: skipping the sandbox view tests: ${probe.reason}`);

describe.skipIf(skipView)(`the bwrap sandbox view${probe.ok ? '' : ` (skipped: ${probe.reason})`}`, () => {
  // Outside /tmp (private in the sandbox), like agentpr's real home and data dir.
  let root: string;
  let workspace: string;
  let attempt: AttemptCodexHome;
  let hostChild: ChildProcess;
  const canary = `agentpr-canary-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    root = mkdtempSync('/var/tmp/agentpr-view-');
    mkdirSync(join(root, 'home', '.ssh'), { recursive: true });
    writeFileSync(join(root, 'home', '.ssh', 'id_ed25519'), canary);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'agentpr.db'), canary);
    workspace = join(tempDir('agentpr-view-ws-'), 'work');
    mkdirSync(workspace);
    await git(workspace, ['init', '-q', '-b', 'main']);
    const operatorHome = join(root, 'operator-codex');
    mkdirSync(operatorHome);
    writeFileSync(join(operatorHome, 'config.toml'), 'model = "gpt-5.5"\n');
    attempt = createAttemptCodexHome({ operatorCodexHome: operatorHome, parentDir: join(root, 'data', 'agent-homes'), includeSkills: false });
    // Stands in for agentpr's process: a host process whose environment holds a secret.
    hostChild = spawn('sleep', ['60'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AGENTPR_TELEGRAM_BOT_TOKEN: canary }, stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => hostChild.once('spawn', resolve).once('error', reject));
  });

  afterAll(() => {
    if (hostChild?.pid) hostChild.kill('SIGKILL');
    attempt?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  type SandboxOptions = { network?: NetworkMode; egress?: EgressBridge; readOnlyPaths?: string[]; env?: Record<string, string> };
  async function sandboxed(command: string, args: string[], options: SandboxOptions = {}) {
    const wrapped = buildIsolatedCommand({
      level: 'bwrap',
      command,
      args,
      cwd: workspace,
      writablePaths: [workspace, attempt.path],
      readOnlyPaths: [...toolchainReadOnlyPaths({ codexBin: process.execPath, nodeExecPath: process.execPath }), ...(options.readOnlyPaths ?? [])],
      network: options.network ?? 'off',
      ...(options.egress ? { egress: options.egress } : {}),
      bwrapPath: probe.ok ? probe.bwrapPath! : 'bwrap',
    });
    const run = await execa(wrapped.command, wrapped.args, {
      reject: false,
      timeout: 15_000,
      stdin: 'ignore',
      cwd: workspace,
      env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', CODEX_HOME: attempt.path, HOME: join(workspace, '.agentpr_runtime', 'home') },
      extendEnv: false,
    });
    return { exitCode: run.exitCode, output: `${String(run.stdout)}\n${String(run.stderr)}` };
  }
  const sh = (script: string, options?: Parameters<typeof sandboxed>[2]) => sandboxed('sh', ['-c', script], options);

  it('inside the sandbox /etc/shadow, /root, /home and canaries in a home and a data dir outside the workspace cannot be read', async () => {
    // Controls: the host has them.
    expect(existsSync('/etc/shadow')).toBe(true);
    expect(readFileSync(join(root, 'data', 'agentpr.db'), 'utf8')).toBe(canary);
    for (const script of ['cat /etc/shadow', 'ls /root', 'ls /home', `cat ${root}/home/.ssh/id_ed25519`, `cat ${root}/data/agentpr.db`, `ls ${root}/home`, `ls ${root}/operator-codex`, 'cat /etc/gitconfig']) {
      const run = await sh(script);
      expect([script, run.exitCode === 0]).toEqual([script, false]);
      expect(run.output).not.toContain(canary);
    }
  });

  it('inside the sandbox /proc shows only the sandbox: the environ of a host process holding a secret cannot be read', async () => {
    const pid = hostChild.pid!;
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(canary);
    const run = await sh(`cat /proc/${pid}/environ`);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).not.toContain(canary);
    const pids = await sh('ls /proc | grep -c "^[0-9]"');
    expect(Number(pids.output.trim().split('\n')[0])).toBeLessThan(10);
  });

  it('inside the sandbox <ws>/.git/hooks/pre-commit and <ws>/.git/config cannot be written, <ws>/file can', async () => {
    const hook = await sh('echo "#!/bin/sh" > .git/hooks/pre-commit');
    expect(hook.exitCode).not.toBe(0);
    expect(hook.output).toMatch(/Read-only file system/);
    const config = await sh('echo "[core] hooksPath = /tmp" >> .git/config');
    expect(config.exitCode).not.toBe(0);
    expect(readFileSync(join(workspace, '.git', 'config'), 'utf8')).not.toContain('hooksPath');
    expect(existsSync(join(workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
    // Neither moving nor unmounting the read-only bind uncovers the writable .git underneath.
    const moved = await sh('mv .git .git-old');
    expect(moved.exitCode).not.toBe(0);
    const unmounted = await sh('umount .git; umount -l .git; echo "[core] hooksPath = /tmp" >> .git/config');
    expect(unmounted.exitCode).not.toBe(0);
    expect(readFileSync(join(workspace, '.git', 'config'), 'utf8')).not.toContain('hooksPath');
    const file = await sh('echo written > file && mkdir -p sub && echo deep > sub/x');
    expect(file.exitCode).toBe(0);
    expect(readFileSync(join(workspace, 'file'), 'utf8')).toBe('written\n');
    const outside = await sh('mkdir -p /var/tmp/escape');
    expect(outside.output).toMatch(/Read-only file system/);
  });

  it('inside the sandbox node runs, the per-attempt codex home is writable, and dispose removes it afterwards', async () => {
    const run = await sandboxed('node', ['-e', 'require("fs").mkdirSync(process.env.CODEX_HOME + "/sessions"); require("fs").writeFileSync(process.env.CODEX_HOME + "/sessions/s.jsonl", "x"); console.log("node", process.version)']);
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(`node ${process.version}`);
    expect(readFileSync(join(attempt.path, 'sessions', 's.jsonl'), 'utf8')).toBe('x');
    expect(readFileSync(join(attempt.path, 'config.toml'), 'utf8')).toBe('model = "gpt-5.5"\n');
    const extra = createAttemptCodexHome({ operatorCodexHome: join(root, 'operator-codex'), parentDir: join(root, 'data', 'agent-homes'), includeSkills: false });
    writeFileSync(join(extra.path, 'planted.toml'), 'x');
    extra.dispose();
    expect(existsSync(extra.path)).toBe(false);
  });

  it('with agent push, git inside the sandbox gets the token from its credential helper; without it, from nowhere', async () => {
    const parentEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', GH_TOKEN: canary, GITHUB_TOKEN: canary };
    const runtime = { codexHome: attempt.path, runtimeDir: join(workspace, '.agentpr_runtime'), runtimeEnv: {} };
    const fill = "printf 'protocol=https\\nhost=github.com\\n\\n' | GIT_TERMINAL_PROMPT=0 git credential fill";
    const push = await sh(fill, { env: buildAgentEnvironment(parentEnv, { ...runtime, allowAgentPush: true }).env });
    expect(push.output).toContain(`password=${canary}`);
    expect(push.output).toContain('username=x-access-token');
    const noPush = await sh(fill, { env: buildAgentEnvironment(parentEnv, runtime).env });
    expect(noPush.exitCode).not.toBe(0);
    expect(noPush.output).not.toContain(canary);
  });

  it('with network off a server on the host 127.0.0.1 is unreachable; with network on it is reachable (control)', async () => {
    const server: Server = createHttpServer((_req, res) => res.end('host-service'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const script = `fetch("http://127.0.0.1:${port}/").then(async (r) => console.log("got", await r.text())).catch((e) => { console.log("failed", e.cause?.code ?? e.message); process.exit(3); })`;
    try {
      const off = await sandboxed('node', ['-e', script], { network: 'off' });
      expect(off.exitCode).toBe(3);
      expect(off.output).toContain('failed ECONNREFUSED');
      const on = await sandboxed('node', ['-e', script], { network: 'on' });
      expect(on.output).toContain('got host-service');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with network allowlist the egress wrapper runs first and the bridge socket is reachable while 127.0.0.1 is not', async () => {
    const socketDir = join(root, 'egress');
    mkdirSync(socketDir);
    const socket = join(socketDir, 'bridge.sock');
    const bridge = createNetServer((conn) => conn.end('bridge-ok\n'));
    await new Promise<void>((resolve) => bridge.listen(socket, resolve));
    try {
      const script = `require("net").connect(${JSON.stringify(socket)}).on("data", (d) => console.log(process.env.AGENTPR_EGRESS_WRAPPED, String(d).trim())).on("error", (e) => { console.log("failed", e.code); process.exit(3); })`;
      const run = await sandboxed('node', ['-e', script], { network: 'allowlist', egress: { socketDir, wrapper: ['/usr/bin/env', 'AGENTPR_EGRESS_WRAPPED=yes'] } });
      expect(run.output).toContain('yes bridge-ok');
      expect(run.exitCode).toBe(0);
      const host: Server = createHttpServer((_req, res) => res.end('host-service'));
      await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
      const { port } = host.address() as AddressInfo;
      try {
        const direct = await sandboxed('node', ['-e', `require("net").connect(${port}, "127.0.0.1").on("error", (e) => { console.log("failed", e.code); process.exit(3); }).on("connect", () => console.log("connected"))`], {
          network: 'allowlist',
          egress: { socketDir, wrapper: ['/usr/bin/env'] },
        });
        expect(direct.output).toContain('failed ECONNREFUSED');
      } finally {
        await new Promise((resolve) => host.close(resolve));
      }
    } finally {
      await new Promise((resolve) => bridge.close(resolve));
    }
  });
});
