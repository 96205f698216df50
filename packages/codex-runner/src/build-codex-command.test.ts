import { describe, expect, it } from 'vitest';
import { buildCodexCommand } from './build-codex-command.js';
import { capabilitiesFromVersion, type CodexCapabilities } from './codex-capabilities.js';

function caps(version: string): CodexCapabilities {
  const result = capabilitiesFromVersion(version);
  if (!result.ok) throw new Error(result.reason);
  return result.capabilities;
}

describe('buildCodexCommand', () => {
  it('buildCodexCommand for 0.169.0 reads the prompt from stdin, agent args before the final -', () => {
    const args = buildCodexCommand(caps('codex-cli 0.169.0'), {
      sandbox: 'workspace-write',
      model: 'gpt-5.5',
      lastMessagePath: '/w/.agentpr_runtime/codex_last_message.txt',
      workdir: '/w',
      agentArgs: ['-c', 'model_reasoning_effort="high"'],
    });
    expect(args).toEqual([
      'exec',
      '--json',
      '--sandbox',
      'workspace-write',
      '--model',
      'gpt-5.5',
      '--output-last-message',
      '/w/.agentpr_runtime/codex_last_message.txt',
      '-C',
      '/w',
      '-c',
      'model_reasoning_effort="high"',
      '-',
    ]);
    expect(args).not.toContain('--full-auto');
  });

  it('buildCodexCommand never passes --full-auto, even for versions that had it, and omits a blank model', () => {
    const args = buildCodexCommand(caps('codex-cli 0.43.0'), { sandbox: 'workspace-write', model: '  ', lastMessagePath: '/l', workdir: '/w' });
    expect(args).toEqual(['exec', '--experimental-json', '--sandbox', 'workspace-write', '--output-last-message', '/l', '-C', '/w', '-']);
  });

  it('buildCodexCommand with an unknown sandbox throws invalid_option naming the valid ones', () => {
    expect(() => buildCodexCommand(caps('0.169.0'), { sandbox: 'full-auto' as never, lastMessagePath: '/l', workdir: '/w' })).toThrow(
      /unknown codex sandbox "full-auto"; use one of read-only, workspace-write, danger-full-access/,
    );
  });
});
