import { compareVersions, parseCodexVersion } from './codex-capabilities.js';

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
 * The oldest Claude Code agentpr drives. 2.1.0 because every flag the command line relies on is there together
 * (`--setting-sources`, `--strict-mcp-config`, `--no-session-persistence`, `--permission-mode dontAsk`), and the
 * `stream-json` `result` event carries the usage and cost fields the analyser reads; the runner is verified against 2.1.332.
 */
export const MIN_CLAUDE_VERSION = '2.1.0';

/** Flags (in `claude --help`) the command line needs, and why each is required. */
const REQUIRED_HELP: ReadonlyArray<{ pattern: RegExp; flag: string; why: string }> = [
  { pattern: /stream-json/, flag: '--output-format stream-json', why: 'its events cannot be read' },
  { pattern: /--setting-sources\b/, flag: '--setting-sources', why: "a repository's .claude/settings.json hooks would run" },
  { pattern: /--strict-mcp-config\b/, flag: '--strict-mcp-config', why: "a repository's .mcp.json servers would start" },
  { pattern: /--no-session-persistence\b/, flag: '--no-session-persistence', why: 'sessions would be written to disk' },
];

const UPGRADE = 'upgrade it (npm i -g @anthropic-ai/claude-code@2.1.332)';

/** The result of {@link claudeCapabilitiesFrom}. */
export type ClaudeCapabilitiesResult = { ok: true; capabilities: ClaudeCapabilities } | { ok: false; reason: string };

/**
 * Parses `2.1.332 (Claude Code)` into `[2, 1, 332]`; null if the text holds no version number.
 * @example parseClaudeVersion('2.1.332 (Claude Code)') // [2, 1, 332]
 */
export function parseClaudeVersion(text: string): [number, number, number] | null {
  return parseCodexVersion(text);
}

/**
 * Derives the capabilities from `claude --version` and `claude --help`. Refuses, with one line each, a version text
 * without a version, a version below {@link MIN_CLAUDE_VERSION}, and a help text without `stream-json`,
 * `--setting-sources`, `--strict-mcp-config` or `--no-session-persistence`. Pure.
 * @example claudeCapabilitiesFrom('2.1.332 (Claude Code)', helpText) // { ok: true, capabilities: { version: '2.1.332', … } }
 */
export function claudeCapabilitiesFrom(versionText: string, helpText: string): ClaudeCapabilitiesResult {
  const firstLine = versionText.trim().split('\n')[0]?.trim() ?? '';
  const parsed = parseClaudeVersion(firstLine);
  if (!parsed) return { ok: false, reason: `cannot read a version number from \`claude --version\` output "${firstLine.slice(0, 120)}"; check that it is Claude Code.` };
  const version = parsed.join('.');
  if (compareVersions(parsed, MIN_CLAUDE_VERSION.split('.').map(Number)) < 0) {
    return { ok: false, reason: `claude ${version} is older than ${MIN_CLAUDE_VERSION}, the oldest agentpr drives; ${UPGRADE}.` };
  }
  for (const need of REQUIRED_HELP) {
    if (!need.pattern.test(helpText)) return { ok: false, reason: `claude ${version} has no ${need.flag} (without it ${need.why}); ${UPGRADE}.` };
  }
  return { ok: true, capabilities: { version, versionText: firstLine, streamJson: true, settingSources: true } };
}
