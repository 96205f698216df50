import type { AgentEngine } from './agent-engine.js';

/** What `claude --version` and `claude --help` say this binary can do. */
export interface ClaudeCapabilities {
  /** `2.1.332` */
  version: string;
  versionText: string;
  /** The binary takes `--output-format stream-json` (with `--verbose`) in print mode. */
  streamJson: boolean;
  /** The binary takes `--setting-sources` (so a repository's `.claude/settings.json` is not read). */
  settingSources: boolean;
}

/**
 * The Claude Code engine: `claude -p --output-format stream-json --verbose …` with the prompt on stdin.
 * PLACEHOLDER: the helper building the engine replaces every member.
 */
export const claudeEngine: AgentEngine<ClaudeCapabilities> = {
  name: 'claude',
  lastMessageFileName: 'claude_last_message.txt',
  lastMessageSource: 'stream',
  homeVar: 'CLAUDE_CONFIG_DIR',
  credentialVars: ['ANTHROPIC_API_KEY'],
  passVars: ['ANTHROPIC_BASE_URL'],
  fixedEnv: {},
  operatorHome: () => {
    throw new Error('claude engine: not built yet');
  },
  createAttemptHome: () => {
    throw new Error('claude engine: not built yet');
  },
  modelUrls: () => [],
  resolve: () => ({ ok: false, reason: 'claude engine: not built yet', source: null }),
  probe: () => Promise.resolve({ ok: false, reason: 'claude engine: not built yet' }),
  buildCommand: () => {
    throw new Error('claude engine: not built yet');
  },
  streamFormat: () => 'claude-stream-json',
};
