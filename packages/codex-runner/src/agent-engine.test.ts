import { describe, expect, it } from 'vitest';
import { buildAgentLaunch, codexEngine } from './agent-engine.js';
import { capabilitiesFromVersion, type CodexCapabilities } from './codex-capabilities.js';
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

  it('buildAgentLaunch with bwrap wraps codex and makes the workspace and codex home writable', () => {
    const launch = buildAgentLaunch({
      bin: '/usr/local/bin/codex',
      capabilities: caps,
      sandbox: 'workspace-write',
      paths: runtimePaths('/srv/ws/run_1'),
      env: {},
      prompt: 'P',
      isolation: 'bwrap',
      codexHome: '/srv/codex',
      network: false,
    });
    expect(launch.spec.command).toBe('bwrap');
    const args = launch.spec.args.join(' ');
    expect(args).toContain('--bind /srv/ws/run_1 /srv/ws/run_1');
    expect(args).toContain('--bind /srv/codex /srv/codex');
    expect(args).not.toContain('--share-net');
    expect(args).toMatch(/-- \/usr\/local\/bin\/codex exec --json/);
  });

  it('codexEngine names itself codex and writes codex_last_message.txt', () => {
    expect(codexEngine.name).toBe('codex');
    expect(codexEngine.lastMessageFileName).toBe('codex_last_message.txt');
    expect(codexEngine.streamFormat(caps)).toBe('current');
  });
});
