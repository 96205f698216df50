import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioPath } from '@agentpr/model-stub';
import { cleanupTempDirs, codexBinaryPath, createSampleWorkspace, tempDir, withCodexSandbox, type CodexSandbox, type SampleWorkspace } from '@agentpr/testing';
import { bridgeCommand } from '../bridge-command.js';
import { startEgressProxy, type EgressDecisionEvent, type RunningEgressProxy } from '../start-egress-proxy.js';

const probe = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--', '/usr/bin/true'], { encoding: 'utf8', timeout: 10_000 });
const bwrapProblem = probe.error ? probe.error.message : probe.status !== 0 ? (probe.stderr.trim().split('\n')[0] ?? `exit ${probe.status}`) : null;

let sandbox: CodexSandbox;
let workspace: SampleWorkspace;
let proxy: RunningEgressProxy;
let sockDir: string;
const events: EgressDecisionEvent[] = [];

beforeAll(async () => {
  if (bwrapProblem) return;
  sandbox = await withCodexSandbox({ scenario: scenarioPath('implement-and-tests-pass') });
  workspace = await createSampleWorkspace();
  sockDir = tempDir('agentpr-egress-');
  proxy = await startEgressProxy({ socketPath: join(sockDir, 'proxy.sock'), rules: [`127.0.0.1:${sandbox.stub.port}`], onDecision: (event) => events.push(event) });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  cleanupTempDirs();
});

describe.skipIf(bwrapProblem !== null)(`the real codex through the bridge in bwrap${bwrapProblem ? ` (skipped: bwrap cannot run here: ${bwrapProblem})` : ''}`, () => {
  it('codex in a network-less bwrap sandbox reaches the model stub through --forward and its other egress is denied and recorded', async () => {
    // The recommended wiring: NO_PROXY keeps loopback direct, so codex dials 127.0.0.1:<stub> inside the sandbox, where
    // the bridge's --forward listener tunnels it to the host-side stub through the proxy.
    const launch = bridgeCommand({
      socketPath: proxy.socketPath,
      port: 3128,
      forward: [`127.0.0.1:${sandbox.stub.port}`],
      command: process.execPath,
      args: [codexBinaryPath(), 'exec', '--json', '--skip-git-repo-check', '--sandbox', 'danger-full-access', '-C', workspace.dir, '-'],
    });
    const bwrapArgs = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
    // A checkout under /tmp (as CI may use) must stay visible under the private /tmp: codex and the bridge live there.
    const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
    if (repoRoot === '/tmp' || repoRoot.startsWith('/tmp/')) bwrapArgs.push('--ro-bind', repoRoot, repoRoot);
    bwrapArgs.push('--bind', workspace.dir, workspace.dir, '--bind', sandbox.codexHome, sandbox.codexHome, '--ro-bind', sockDir, sockDir);
    bwrapArgs.push('--unshare-all', '--die-with-parent', '--chdir', workspace.dir, '--', launch.command, ...launch.args);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox.codexHome, CODEX_HOME: sandbox.codexHome, [sandbox.envKey]: sandbox.env[sandbox.envKey] ?? '', TMPDIR: '/tmp' };
    const child = spawn('bwrap', bwrapArgs, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    child.stdin.end('Add titleCase(text) in src/title-case.js with a test, then run npm test.\n');
    const [code] = (await once(child, 'close')) as [number | null];

    expect(stdout).toContain('"type":"turn.completed"');
    expect(code).toBe(0);
    expect(sandbox.stub.requests.length).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(workspace.dir, 'src/title-case.js'))).toBe(true);
    expect(events.filter((event) => event.allowed).map((event) => `${event.method} ${event.host}:${event.port}`)).toContain(`CONNECT 127.0.0.1:${sandbox.stub.port}`);
    // Whatever else codex (or npm) tried to reach was refused by name, without DNS, and kept as evidence.
    expect(proxy.denials().every((denial) => denial.reason === 'host_not_allowlisted')).toBe(true);
  });
});
