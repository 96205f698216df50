import type { CodexCapabilities } from './codex-capabilities.js';
import { CodexRunnerError } from './errors.js';

/** codex's sandbox modes (`--sandbox`). */
export const CODEX_SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;

/** One of codex's sandbox modes. */
export type CodexSandboxMode = (typeof CODEX_SANDBOXES)[number];

/** Inputs of {@link buildCodexCommand}. */
export interface CodexCommandOptions {
  sandbox: CodexSandboxMode;
  /** Model slug; omitted from the command when null/empty. */
  model?: string | null;
  /** Absolute path for `--output-last-message`. */
  lastMessagePath: string;
  /** The workspace, passed as `-C` (also use it as the process cwd). */
  workdir: string;
  /** `--agent-arg` values, placed before the final `-`. */
  agentArgs?: readonly string[];
}

/**
 * The codex arguments (without the binary) for one agent step:
 * `exec <json flag> --sandbox S [--model M] --output-last-message F -C W [agent args…] -`. The final `-` makes codex
 * read the prompt from stdin. `--full-auto` is never passed. Throws {@link CodexRunnerError} `invalid_option` for an
 * unknown sandbox or a codex without `--sandbox`.
 * @example buildCodexCommand(caps, { sandbox: 'workspace-write', lastMessagePath, workdir: repo })
 */
export function buildCodexCommand(capabilities: CodexCapabilities, options: CodexCommandOptions): string[] {
  if (!(CODEX_SANDBOXES as readonly string[]).includes(options.sandbox)) {
    throw new CodexRunnerError('invalid_option', `unknown codex sandbox "${options.sandbox}"; use one of ${CODEX_SANDBOXES.join(', ')}.`);
  }
  if (!capabilities.hasSandboxFlag) {
    throw new CodexRunnerError('invalid_option', `codex ${capabilities.versionText} has no --sandbox flag; upgrade it (npm i -g @openai/codex).`);
  }
  const args = ['exec', capabilities.jsonFlag, '--sandbox', options.sandbox];
  const model = options.model?.trim();
  if (model) args.push('--model', model);
  args.push('--output-last-message', options.lastMessagePath, '-C', options.workdir);
  args.push(...(options.agentArgs ?? []));
  args.push('-');
  return args;
}
