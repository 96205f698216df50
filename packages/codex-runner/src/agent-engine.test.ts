import { describe, expect, it } from 'vitest';
import { buildAgentLaunch, codexEngine } from './agent-engine.js';
import { capabilitiesFromVersion, type CodexCapabilities } from './codex-capabilities.js';
import type { HostView } from './isolation.js';
import { runtimePaths } from './runtime-env.js';

const caps = (capabilitiesFromVersion('codex-cli 0.169.0') as { capabilities: CodexCapabilities }).capabilities;

describe('buildAgentLaunch', () => {
  it('buildAgentLaunch without isolation runs codex in the workspace with the prompt on stdin', () => {
    const launch = buildAgentLaunch({
      bin: '/usr/local/bin/codex',
      capabilities: caps,
      sandbox: 'workspace-write',
      model: 'gpt-5.5',
      agentArgs: ['--add-dir', '/extra'],
      paths: runtimePaths('/srv/ws/run_1'),
      env: { PATH: '/usr/bin' },
      prompt: 'PROMPT',
      isolation: 'none',
      codexHome: '/srv/codex',
      maxDurationSec: 900,
      stdoutFile: '/data/reports/events.jsonl',
    });
    expect(launch.spec).toMatchObject({
      command: '/usr/local/bin/codex',
      cwd: '/srv/ws/run_1',
      input: 'PROMPT',
      env: { PATH: '/usr/bin' },
      maxDurationSec: 900,
      stdoutFile: '/data/reports/events.jsonl',
    });
    expect(launch.spec.args).toEqual([
      'exec', '--json', '--sandbox', 'workspace-write', '--model', 'gpt-5.5',
      '--output-last-message', '/srv/ws/run_1/.agentpr_runtime/codex_last_message.txt',
      '-C', '/srv/ws/run_1', '--add-dir', '/extra', '-',
    ]);
    expect(launch.engineArgv[0]).toBe('/usr/local/bin/codex');
    expect(launch.lastMessagePath).toBe('/srv/ws/run_1/.agentpr_runtime/codex_last_message.txt');
    expect(launch.streamFormat).toBe('current');
  });

  it('buildAgentLaunch with bwrap wraps codex: workspace and attempt codex home writable, .git read-only, toolchain read-only', () => {
    const host: HostView = { lookup: (path) => (path === '/usr' ? { kind: 'directory' } : path === '/srv/ws/run_1/.git' ? { kind: 'directory' } : { kind: 'missing' }) };
    const launch = buildAgentLaunch({
      bin: '/home/op/.npm/lib/node_modules/@openai/codex/bin/codex.js',
      capabilities: caps,
      sandbox: 'workspace-write',
      paths: runtimePaths('/srv/ws/run_1'),
      env: {},
      prompt: 'P',
      isolation: 'bwrap',
      codexHome: '/var/lib/agentpr/agent-homes/codex-home-1',
      network: 'off',
      nodeExecPath: '/opt/node/bin/node',
      readOnlyPaths: ['/srv/campaign'],
      host,
    });
    expect(launch.spec.command).toBe('bwrap');
    const args = launch.spec.args.join(' ');
    expect(args).toContain('--bind /srv/ws/run_1 /srv/ws/run_1 --ro-bind /srv/ws/run_1/.git /srv/ws/run_1/.git');
    expect(args).toContain('--bind /var/lib/agentpr/agent-homes/codex-home-1 /var/lib/agentpr/agent-homes/codex-home-1');
    expect(args).toContain('--ro-bind /home/op/.npm/lib/node_modules /home/op/.npm/lib/node_modules');
    expect(args).toContain('--ro-bind /opt/node /opt/node');
    expect(args).toContain('--ro-bind /srv/campaign /srv/campaign');
    expect(args).not.toContain('.agentpr_runtime /srv');
    expect(args).not.toContain('--share-net');
    expect(args).toMatch(/-- \/home\/op\/.npm\/lib\/node_modules\/@openai\/codex\/bin\/codex.js exec --json/);
    expect(launch.isolationView).toMatchObject({ level: 'bwrap', network: 'off', pidNamespace: true, writable: ['/srv/ws/run_1', '/var/lib/agentpr/agent-homes/codex-home-1'] });
  });

  it('buildAgentLaunch with network allowlist runs the egress wrapper in front of codex, but engineArgv stays the engine alone', () => {
    const egress = { socketDir: '/run/agentpr/egress-1', wrapper: ['node', '/opt/agentpr/bridge.js', '--socket', '/run/agentpr/egress-1/proxy.sock', '--'] };
    const launch = buildAgentLaunch({
      bin: '/usr/local/bin/codex',
      capabilities: caps,
      sandbox: 'workspace-write',
      paths: runtimePaths('/srv/ws/run_1'),
      env: {},
      prompt: 'P',
      isolation: 'bwrap',
      codexHome: '/var/lib/agentpr/agent-homes/codex-home-1',
      network: 'allowlist',
      egress,
      host: { lookup: () => ({ kind: 'missing' }) },
    });
    const args = launch.spec.args;
    expect(args.slice(args.indexOf('--') + 1, args.indexOf('--') + 7)).toEqual([...egress.wrapper, '/usr/local/bin/codex']);
    expect(args.join(' ')).toContain('--ro-bind /run/agentpr/egress-1 /run/agentpr/egress-1');
    expect(launch.engineArgv.slice(0, 3)).toEqual(['/usr/local/bin/codex', 'exec', '--json']);
    expect(launch.engineArgv).not.toContain('/opt/agentpr/bridge.js');
    expect(launch.isolationView.network).toBe('allowlist');
  });

  it('codexEngine names itself codex and writes codex_last_message.txt', () => {
    expect(codexEngine.name).toBe('codex');
    expect(codexEngine.lastMessageFileName).toBe('codex_last_message.txt');
    expect(codexEngine.streamFormat(caps)).toBe('current');
  });
});
