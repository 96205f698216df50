import type { AgentEngine } from './agent-engine.js';
import { buildClaudeCommand } from './build-claude-command.js';
import type { ClaudeCapabilities } from './claude-capabilities.js';
import { createAttemptClaudeHome, resolveClaudeConfigDir } from './claude-home.js';
import { probeClaude } from './probe-claude.js';
import { resolveClaudeBinary } from './resolve-claude-binary.js';

export type { ClaudeCapabilities } from './claude-capabilities.js';

/** Where Claude Code sends its model requests when `ANTHROPIC_BASE_URL` is not set. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/**
 * Set on every claude launch: no nonessential traffic (update checks, release notes, metrics), no auto-update, no
 * telemetry nor error reports, no feedback survey or `/bug` upload, no official plugin marketplace install, no
 * installation checks, no IDE extension install, no terminal title escapes in the logs.
 */
export const CLAUDE_FIXED_ENV: Readonly<Record<string, string>> = Object.freeze({
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_BUG_COMMAND: '1',
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
  CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  DISABLE_INSTALLATION_CHECKS: '1',
  CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1',
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
});

/**
 * The model endpoint Claude Code will call: `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com`.
 * @example claudeModelUrls({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011' }) // ['http://127.0.0.1:4011']
 */
export function claudeModelUrls(env: Readonly<Record<string, string | undefined>>): string[] {
  return [env.ANTHROPIC_BASE_URL?.trim() || ANTHROPIC_DEFAULT_BASE_URL];
}

/**
 * The Claude Code engine: `claude -p --output-format stream-json --verbose …` with the prompt on stdin, a fresh
 * `CLAUDE_CONFIG_DIR` per attempt, and `ANTHROPIC_API_KEY` as its only credential (never an OAuth token nor the
 * operator's `.credentials.json`). Its last message is the stream's `result` event.
 * @example
 * const engine = getAgentEngine('claude');
 * const bin = engine.resolve(env); // AGENTPR_CLAUDE_BIN, PATH, the npm platform package, ~/.claude/local
 */
export const claudeEngine: AgentEngine<ClaudeCapabilities> = {
  name: 'claude',
  lastMessageFileName: 'claude_last_message.txt',
  lastMessageSource: 'stream',
  homeVar: 'CLAUDE_CONFIG_DIR',
  credentialVars: Object.freeze(['ANTHROPIC_API_KEY']),
  passVars: Object.freeze(['ANTHROPIC_BASE_URL']),
  fixedEnv: CLAUDE_FIXED_ENV,
  operatorHome: (env) => resolveClaudeConfigDir(env),
  createAttemptHome: (options) =>
    createAttemptClaudeHome({ operatorClaudeHome: resolveClaudeConfigDir(options.env), parentDir: options.parentDir, includeSkills: options.includeSkills }),
  modelUrls: (env) => claudeModelUrls(env),
  resolve: (env, fs) => resolveClaudeBinary(env, fs),
  probe: (bin, options) => probeClaude(bin, options),
  buildCommand: (capabilities, options) => buildClaudeCommand(capabilities, options),
  streamFormat: () => 'claude-stream-json',
};
