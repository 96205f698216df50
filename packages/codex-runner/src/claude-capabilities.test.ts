import { describe, expect, it } from 'vitest';
import { claudeCapabilitiesFrom, MIN_CLAUDE_VERSION, parseClaudeVersion } from './claude-capabilities.js';

/** The flag lines of `claude --help` (2.1.332) the capabilities depend on. */
const HELP = [
  '  --output-format <format>   Output format (only works with --print): "text" (default), "json" (single result), or "stream-json" (realtime streaming)',
  '  --setting-sources <sources>   Comma-separated list of setting sources to load (user, project, local).',
  '  --strict-mcp-config   Only use MCP servers from --mcp-config, ignoring all other MCP configurations',
  "  --no-session-persistence   Don't save sessions to disk; they can't be resumed (only works with --print)",
].join('\n');

describe('claudeCapabilitiesFrom', () => {
  it('parseClaudeVersion reads "2.1.332 (Claude Code)" and nothing from text without a version', () => {
    expect(parseClaudeVersion('2.1.332 (Claude Code)')).toEqual([2, 1, 332]);
    expect(parseClaudeVersion('Claude Code')).toBeNull();
  });

  it('claudeCapabilitiesFrom for 2.1.332 with its help reports stream-json and --setting-sources', () => {
    expect(claudeCapabilitiesFrom('2.1.332 (Claude Code)\n', HELP)).toEqual({
      ok: true,
      capabilities: { version: '2.1.332', versionText: '2.1.332 (Claude Code)', streamJson: true, settingSources: true },
    });
  });

  it('claudeCapabilitiesFrom refuses a version below MIN_CLAUDE_VERSION with the upgrade command', () => {
    expect(MIN_CLAUDE_VERSION).toBe('2.1.0');
    expect(claudeCapabilitiesFrom('2.0.76 (Claude Code)', HELP)).toEqual({
      ok: false,
      reason: 'claude 2.0.76 is older than 2.1.0, the oldest agentpr drives; upgrade it (npm i -g @anthropic-ai/claude-code@2.1.332).',
    });
    expect(claudeCapabilitiesFrom('2.1.0 (Claude Code)', HELP).ok).toBe(true);
  });

  it('claudeCapabilitiesFrom refuses text without a version number in one line', () => {
    const result = claudeCapabilitiesFrom('Claude Code\nsecond line', HELP);
    expect(result).toEqual({ ok: false, reason: 'cannot read a version number from `claude --version` output "Claude Code"; check that it is Claude Code.' });
  });

  it.each([
    ['stream-json', /has no --output-format stream-json \(without it its events cannot be read\)/],
    ['--setting-sources', /has no --setting-sources \(without it a repository's .claude\/settings.json hooks would run\)/],
    ['--strict-mcp-config', /has no --strict-mcp-config/],
    ['--no-session-persistence', /has no --no-session-persistence/],
  ])('claudeCapabilitiesFrom refuses a help text without %s', (missing, reason) => {
    const help = HELP.split('\n').filter((line) => !line.includes(missing)).join('\n');
    const result = claudeCapabilitiesFrom('2.1.332 (Claude Code)', help);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(!result.ok && result.reason.split('\n')).toHaveLength(1);
  });
});
