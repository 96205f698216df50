import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { bridgeCommand } from '../bridge-command.js';
import { bridgeScriptPath } from '../bridge-script-path.js';
import { startEgressProxy, type RunningEgressProxy } from '../start-egress-proxy.js';
import { packageRoot, startTargetServer, type TargetServer } from './fixtures.js';

const client = join(packageRoot, 'src/__tests__/fixtures/client.mjs');
let allowed: TargetServer;
let other: TargetServer;
let proxy: RunningEgressProxy;
let sockDir: string;

interface ClientOutput {
  results: Array<{ status?: number; body?: string; error?: string }>;
  stdin: string | null;
  proxy: string | null;
  noProxy: string | null;
}

/** Runs a command to completion; returns exit status, stdout and stderr. */
async function run(command: string, args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

function output(stdout: string): ClientOutput {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ClientOutput;
}

beforeAll(async () => {
  allowed = await startTargetServer('allowed');
  other = await startTargetServer('other');
  sockDir = tempDir('agentpr-egress-');
  proxy = await startEgressProxy({ socketPath: join(sockDir, 'proxy.sock'), rules: [`127.0.0.1:${allowed.port}`] });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await allowed?.close();
  await other?.close();
  cleanupTempDirs();
});

describe('the bridge program (node dist/bridge.js)', () => {
  it('bridge runs the command with the proxy variables, stdin passed through, and exits with its code', async () => {
    const plan = { probes: [{ kind: 'proxy', url: `http://127.0.0.1:${allowed.port}/hello` }], readStdin: true, exit: 7 };
    const launch = bridgeCommand({ socketPath: proxy.socketPath, port: 0, command: process.execPath, args: [client, JSON.stringify(plan)] });
    const result = await run(launch.command, launch.args, 'ping from stdin');
    expect(result.code).toBe(7);
    const out = output(result.stdout);
    expect(out.results).toEqual([{ status: 200, body: 'hello from allowed' }]);
    expect(out.stdin).toBe('ping from stdin');
    expect(out.proxy).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    expect(out.noProxy).toBe('localhost,127.0.0.1,::1');
  });

  it('bridge forwards SIGTERM to the command and exits 128+15 when it dies of it', async () => {
    const launch = bridgeCommand({ socketPath: proxy.socketPath, port: 0, command: process.execPath, args: ['-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1000)"] });
    const child = spawn(launch.command, launch.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(143);
  });

  it('bridge with bad arguments exits 125 with one line and runs nothing', async () => {
    const result = await run(process.execPath, [bridgeScriptPath(), '--socket', 'relative.sock', '--port', '0', '--', 'touch', join(sockDir, 'ran')]);
    expect(result.code).toBe(125);
    expect(result.stderr).toMatch(/^agentpr egress bridge: --socket "relative.sock" must be an absolute path\.\n$/);
    expect(existsSync(join(sockDir, 'ran'))).toBe(false);
  });

  it('bridge with a command that does not exist exits 127 with one line', async () => {
    const result = await run(process.execPath, [bridgeScriptPath(), '--socket', proxy.socketPath, '--port', '0', '--', '/nonexistent/agent']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/cannot run \/nonexistent\/agent/);
  });
});

// A sandbox like the agent's: its own network namespace (only its own loopback), a minimal read-only view, and the
// proxy's socket directory bound in read-only.
const probe = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/lib', '/lib', '--', '/usr/bin/true'], { encoding: 'utf8', timeout: 10_000 });
const bwrapProblem = probe.error ? probe.error.message : probe.status !== 0 ? (probe.stderr.trim().split('\n')[0] ?? `exit ${probe.status}`) : null;

describe.skipIf(bwrapProblem !== null)(`the bridge under bubblewrap${bwrapProblem ? ` (skipped: bwrap cannot run here: ${bwrapProblem})` : ''}`, () => {
  it('inside bwrap a node client reaches the allowed host-side 127.0.0.1 server only through the bridge', async () => {
    const plan = {
      probes: [
        { kind: 'direct', url: `http://127.0.0.1:${allowed.port}/hello` }, // the --forward listener
        { kind: 'proxy', url: `http://127.0.0.1:${allowed.port}/hello` },
        { kind: 'direct', url: `http://127.0.0.1:${other.port}/hello` }, // the host's loopback is not this loopback
        { kind: 'proxy', url: `http://127.0.0.1:${other.port}/hello` },
      ],
    };
    const before = proxy.stats().denied;
    const inside = { pkg: '/opt/egress-proxy', sock: '/run/egress' };
    const launch = bridgeCommand({
      socketPath: `${inside.sock}/proxy.sock`,
      port: 3128,
      forward: [`127.0.0.1:${allowed.port}`],
      command: '/usr/bin/node',
      args: [`${inside.pkg}/src/__tests__/fixtures/client.mjs`, JSON.stringify(plan)],
      nodePath: '/usr/bin/node',
      scriptPath: `${inside.pkg}/dist/bridge.js`,
    });
    const bwrapArgs = ['--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/bin', '/bin'];
    bwrapArgs.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--ro-bind', packageRoot, inside.pkg, '--ro-bind', sockDir, inside.sock, '--', launch.command, ...launch.args);
    const result = await run('bwrap', bwrapArgs);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = output(result.stdout);
    expect(out.proxy).toBe('http://127.0.0.1:3128');
    expect(out.results[0]).toEqual({ status: 200, body: 'hello from allowed' });
    expect(out.results[1]).toEqual({ status: 200, body: 'hello from allowed' });
    expect(out.results[2]).toEqual({ error: 'ECONNREFUSED' });
    expect(out.results[3]).toMatchObject({ status: 403 });
    expect(other.hits).toEqual([]);
    expect(proxy.stats().denied).toBe(before + 1);
    expect(proxy.denials().at(-1)).toMatchObject({ host: '127.0.0.1', port: other.port, reason: 'port_not_allowlisted', method: 'GET' });
  });
});
