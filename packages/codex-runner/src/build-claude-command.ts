import type { EngineCommandOptions } from './agent-engine.js';
import type { ClaudeCapabilities } from './claude-capabilities.js';
import { CodexRunnerError } from './errors.js';

/** The permission modes agentpr passes (the policy's); `bypassPermissions` and `auto` never. */
export const CLAUDE_COMMAND_PERMISSION_MODES = ['acceptEdits', 'default', 'plan', 'dontAsk'] as const;

/** A tool name (`Bash`) or a rule (`Bash(npm test:*)`), as the policy accepts them. */
const TOOL_PATTERN = /^[A-Za-z][A-Za-z0-9_]*(?:\([^()\n]{1,200}\))?$/;
const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;

/** File-writing tools: allowed outright they write anywhere without asking; acceptEdits already allows edits in the workspace. */
const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/**
 * Agent arguments that would undo a guarantee, each with why. Matched on the flag (`--flag` or `--flag=value`); a
 * function reason looks at the value too and answers null for a harmless one.
 */
const REFUSED_AGENT_ARGS: ReadonlyArray<{ flag: string; reason: string | ((value: string | undefined) => string | null) }> = [
  { flag: '--dangerously-skip-permissions', reason: 'it skips every permission check' },
  { flag: '--allow-dangerously-skip-permissions', reason: 'it lets the session skip every permission check' },
  {
    flag: '--permission-mode',
    reason: (value) => (value?.trim() === 'bypassPermissions' ? 'bypassPermissions skips every permission check' : 'the permission mode comes from the policy (run_agent_step.claude.permission_mode)'),
  },
  {
    flag: '--setting-sources',
    reason: (value) =>
      (value ?? '').split(',').some((source) => source.trim() !== 'user') ? "project and local settings run a repository's .claude/settings.json hooks; agentpr passes --setting-sources user" : null,
  },
  { flag: '--mcp-config', reason: 'MCP servers run outside agentpr\'s view; agentpr passes --strict-mcp-config with none' },
  { flag: '--settings', reason: 'extra settings can add hooks or permission rules; set Claude\'s options in the policy (run_agent_step.claude)' },
  { flag: '--plugin-dir', reason: 'plugins bring their own hooks and MCP servers' },
  { flag: '--plugin-url', reason: 'plugins bring their own hooks and MCP servers' },
  { flag: '--output-format', reason: 'agentpr reads --output-format stream-json and sets it itself' },
  { flag: '--input-format', reason: 'agentpr sends the prompt as text on stdin' },
];

/**
 * The claude arguments (without the binary) for one agent step:
 * `-p --output-format stream-json --verbose [--model M] --max-turns N --permission-mode P [--allowedTools a,b]
 * [--disallowedTools x,y] --setting-sources user --strict-mcp-config --no-session-persistence [agent args…]`.
 * The prompt goes to stdin. `--setting-sources user` keeps a repository's `.claude/settings.json` (and its hooks) and
 * the CLAUDE.md files of parent directories out; the user source is agentpr's own per-attempt config dir. Throws
 * {@link CodexRunnerError} `invalid_option` without `options.claude`, for an unknown permission mode, a malformed tool
 * or model, Write/Edit among the allowed tools, and for agent args that skip permissions or re-enable project settings, MCP servers or plugins.
 * @example
 * buildClaudeCommand(caps, {
 *   sandbox: 'workspace-write', lastMessagePath, workdir: repo, model: 'claude-sonnet-4-5',
 *   claude: { permissionMode: 'acceptEdits', allowedTools: ['Bash', 'Read'], disallowedTools: ['WebSearch'], maxTurns: 40 },
 * })
 */
export function buildClaudeCommand(capabilities: ClaudeCapabilities, options: EngineCommandOptions): string[] {
  const claude = options.claude;
  if (!claude) throw new CodexRunnerError('invalid_option', 'the claude engine needs its settings (run_agent_step.claude); none were given to the command builder.');
  if (!capabilities.streamJson || !capabilities.settingSources) {
    throw new CodexRunnerError('invalid_option', `claude ${capabilities.versionText} lacks stream-json or --setting-sources; upgrade it (npm i -g @anthropic-ai/claude-code@2.1.332).`);
  }
  if (!(CLAUDE_COMMAND_PERMISSION_MODES as readonly string[]).includes(claude.permissionMode)) {
    throw new CodexRunnerError('invalid_option', `unknown claude permission mode "${String(claude.permissionMode)}"; use one of ${CLAUDE_COMMAND_PERMISSION_MODES.join(', ')}.`);
  }
  if (!Number.isInteger(claude.maxTurns) || claude.maxTurns < 1) {
    throw new CodexRunnerError('invalid_option', `claude max turns must be a positive integer, got ${JSON.stringify(claude.maxTurns)}.`);
  }
  const allowed = toolList(claude.allowedTools, 'allowed');
  const editTool = allowed.find((tool) => EDIT_TOOLS.has(tool.replace(/\(.*$/, '')));
  if (editTool !== undefined) {
    throw new CodexRunnerError(
      'invalid_option',
      `claude allowed tool "${editTool}" would let Claude write outside the workspace without asking; remove it (permission mode acceptEdits already allows edits inside the workspace).`,
    );
  }
  const disallowed = toolList(claude.disallowedTools, 'disallowed');
  const agentArgs = options.agentArgs ?? [];
  refuseAgentArgs(agentArgs);

  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  const model = options.model?.trim();
  if (model) {
    if (!MODEL_PATTERN.test(model)) throw new CodexRunnerError('invalid_option', `claude model "${model.slice(0, 100)}" is not a model name such as claude-sonnet-4-5.`);
    args.push('--model', model);
  }
  args.push('--max-turns', String(claude.maxTurns), '--permission-mode', claude.permissionMode);
  // Write/Edit are never needed here: acceptEdits lets Claude edit, and keeps those edits inside the workspace.
  if (allowed.length) args.push('--allowedTools', allowed.join(','));
  if (disallowed.length) args.push('--disallowedTools', disallowed.join(','));
  args.push('--setting-sources', 'user', '--strict-mcp-config', '--no-session-persistence');
  args.push(...agentArgs);
  return args;
}

function toolList(tools: readonly string[], kind: 'allowed' | 'disallowed'): string[] {
  const out = tools.map((tool) => tool.trim()).filter(Boolean);
  const bad = out.find((tool) => !TOOL_PATTERN.test(tool));
  if (bad !== undefined) throw new CodexRunnerError('invalid_option', `claude ${kind} tool "${bad.slice(0, 100)}" is not a tool name such as Bash or a rule such as Bash(npm test:*).`);
  return out;
}

/** Throws on the first agent argument in {@link REFUSED_AGENT_ARGS} that would undo a guarantee. */
function refuseAgentArgs(agentArgs: readonly string[]): void {
  for (let i = 0; i < agentArgs.length; i += 1) {
    const arg = agentArgs[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const rule = REFUSED_AGENT_ARGS.find((r) => r.flag === flag);
    if (!rule) continue;
    const value = eq > 0 && flag !== arg ? arg.slice(eq + 1) : agentArgs[i + 1];
    const byValue = typeof rule.reason === 'function';
    const reason = typeof rule.reason === 'function' ? rule.reason(value) : rule.reason;
    if (reason) throw new CodexRunnerError('invalid_option', `agent argument ${flag}${byValue && value !== undefined ? ` ${value.slice(0, 60)}` : ''} is refused: ${reason}.`);
  }
}
