import { describe, expect, it } from 'vitest';
import type { ClaudeRunSettings, EngineCommandOptions } from './agent-engine.js';
import { buildClaudeCommand } from './build-claude-command.js';
import type { ClaudeCapabilities } from './claude-capabilities.js';
import { CodexRunnerError } from './errors.js';

const CAPS: ClaudeCapabilities = { version: '2.1.332', versionText: '2.1.332 (Claude Code)', streamJson: true, settingSources: true };
const SETTINGS: ClaudeRunSettings = { permissionMode: 'acceptEdits', allowedTools: ['Bash', 'Read', 'Bash(npm test:*)'], disallowedTools: ['WebSearch', 'WebFetch'], maxTurns: 40 };

function options(extra: Partial<EngineCommandOptions> = {}): EngineCommandOptions {
  return { sandbox: 'workspace-write', lastMessagePath: '/w/.agentpr_runtime/claude_last_message.txt', workdir: '/w', claude: SETTINGS, ...extra };
}

function refusal(extra: Partial<EngineCommandOptions>): string {
  try {
    buildClaudeCommand(CAPS, options(extra));
  } catch (error) {
    expect(error).toBeInstanceOf(CodexRunnerError);
    expect((error as CodexRunnerError).code).toBe('invalid_option');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('buildClaudeCommand', () => {
  it('buildClaudeCommand builds print mode with stream-json, the policy settings, user settings only, no MCP, no session files, then agent args', () => {
    expect(buildClaudeCommand(CAPS, options({ model: ' claude-sonnet-4-5 ', agentArgs: ['--effort', 'high'] }))).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'claude-sonnet-4-5',
      '--max-turns',
      '40',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      'Bash,Read,Bash(npm test:*)',
      '--disallowedTools',
      'WebSearch,WebFetch',
      '--setting-sources',
      'user',
      '--strict-mcp-config',
      '--no-session-persistence',
      '--effort',
      'high',
    ]);
  });

  it('buildClaudeCommand omits a blank model and empty tool lists, and never puts the prompt in argv', () => {
    const args = buildClaudeCommand(CAPS, options({ model: '  ', claude: { ...SETTINGS, permissionMode: 'dontAsk', allowedTools: [], disallowedTools: [] } }));
    expect(args).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--max-turns', '40', '--permission-mode', 'dontAsk', '--setting-sources', 'user', '--strict-mcp-config', '--no-session-persistence']);
  });

  it('buildClaudeCommand without claude settings refuses in one line', () => {
    expect(refusal({ claude: undefined })).toBe('the claude engine needs its settings (run_agent_step.claude); none were given to the command builder.');
  });

  it.each([
    [['--dangerously-skip-permissions'], 'agent argument --dangerously-skip-permissions is refused: it skips every permission check.'],
    [['--allow-dangerously-skip-permissions'], 'agent argument --allow-dangerously-skip-permissions is refused: it lets the session skip every permission check.'],
    [['--permission-mode', 'bypassPermissions'], 'agent argument --permission-mode bypassPermissions is refused: bypassPermissions skips every permission check.'],
    [['--permission-mode=bypassPermissions'], 'agent argument --permission-mode bypassPermissions is refused: bypassPermissions skips every permission check.'],
    [['--permission-mode', 'plan'], 'agent argument --permission-mode plan is refused: the permission mode comes from the policy (run_agent_step.claude.permission_mode).'],
    [['--setting-sources', 'user,project'], "agent argument --setting-sources user,project is refused: project and local settings run a repository's .claude/settings.json hooks; agentpr passes --setting-sources user."],
    [['--setting-sources=local'], "agent argument --setting-sources local is refused: project and local settings run a repository's .claude/settings.json hooks; agentpr passes --setting-sources user."],
    [['--mcp-config', '{"mcpServers":{}}'], "agent argument --mcp-config is refused: MCP servers run outside agentpr's view; agentpr passes --strict-mcp-config with none."],
    [['--mcp-config=servers.json'], "agent argument --mcp-config is refused: MCP servers run outside agentpr's view; agentpr passes --strict-mcp-config with none."],
    [['--settings', '{"hooks":{}}'], /agent argument --settings is refused: extra settings can add hooks/],
    [['--plugin-dir', 'p'], /agent argument --plugin-dir is refused: plugins bring their own hooks/],
    [['--output-format', 'text'], /agent argument --output-format is refused/],
  ])('buildClaudeCommand with agent args %j refuses with one line', (agentArgs, message) => {
    const text = refusal({ agentArgs });
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('buildClaudeCommand lets a repeated --setting-sources user through (it changes nothing)', () => {
    expect(buildClaudeCommand(CAPS, options({ agentArgs: ['--setting-sources', 'user'] })).slice(-2)).toEqual(['--setting-sources', 'user']);
  });

  it('buildClaudeCommand refuses an unknown permission mode, bad max turns, a malformed tool or model', () => {
    expect(refusal({ claude: { ...SETTINGS, permissionMode: 'bypassPermissions' as never } })).toBe(
      'unknown claude permission mode "bypassPermissions"; use one of acceptEdits, default, plan, dontAsk.',
    );
    expect(refusal({ claude: { ...SETTINGS, maxTurns: 0 } })).toBe('claude max turns must be a positive integer, got 0.');
    expect(refusal({ claude: { ...SETTINGS, allowedTools: ['--dangerously-skip-permissions'] } })).toMatch(/^claude allowed tool "--dangerously-skip-permissions" is not a tool name/);
    expect(refusal({ model: '--settings={}' })).toMatch(/^claude model "--settings=\{\}" is not a model name/);
  });

  it.each(['Write', 'Edit', 'MultiEdit', 'Edit(src/**)'])('buildClaudeCommand with %s among the allowed tools refuses (it would write outside the workspace unasked)', (tool) => {
    expect(refusal({ claude: { ...SETTINGS, allowedTools: ['Bash', tool] } })).toBe(
      `claude allowed tool "${tool}" would let Claude write outside the workspace without asking; remove it (permission mode acceptEdits already allows edits inside the workspace).`,
    );
  });

  it('buildClaudeCommand refuses a binary without stream-json or --setting-sources', () => {
    expect(() => buildClaudeCommand({ ...CAPS, settingSources: false }, options())).toThrow(/lacks stream-json or --setting-sources; upgrade it/);
  });
});
