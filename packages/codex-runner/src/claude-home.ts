import { resolveEngineHome } from './agent-environment.js';
import { makeAttemptHome, type AttemptHome } from './attempt-home.js';

/** Inputs of {@link createAttemptClaudeHome}. */
export interface AttemptClaudeHomeOptions {
  /** The operator's Claude config dir (`resolveClaudeConfigDir(env)`), read only. */
  operatorClaudeHome: string;
  /** An existing directory (or one whose parent exists) outside every workspace, e.g. `<data>/agent-homes`. */
  parentDir: string;
  /** Copy the `skills/` tree (skills mode `agentpr`): Claude reads `$CLAUDE_CONFIG_DIR/skills/<name>/SKILL.md`. */
  includeSkills: boolean;
  /** Cap of one file; a larger one is skipped. Default 1 MiB. */
  maxFileBytes?: number;
  /** Cap of all files; files past it are skipped. Default 16 MiB. */
  maxTotalBytes?: number;
}

/**
 * The operator's Claude config dir: `CLAUDE_CONFIG_DIR` expanded (`~`) and resolved, else `~/.claude`. Pure.
 * @example resolveClaudeConfigDir({ HOME: '/home/me' }) // '/home/me/.claude'
 */
export function resolveClaudeConfigDir(env: Readonly<Record<string, string | undefined>>): string {
  return resolveEngineHome(env, 'CLAUDE_CONFIG_DIR', '.claude');
}

/**
 * Makes a fresh per-attempt Claude config dir (`CLAUDE_CONFIG_DIR`): a 0700 `claude-home-*` directory under
 * `parentDir` holding, with `includeSkills`, a copy of the operator's `skills/` tree and nothing else. Never the
 * operator's `.credentials.json` (the agent's only credential is `ANTHROPIC_API_KEY`), `settings.json` (its hooks would
 * run inside every attempt, and its permission rules would widen the policy's), `.claude.json`, `CLAUDE.md`, agents,
 * commands or plugins. Claude needs no settings file of its own: it starts from defaults and the command line. Copies
 * are regular files only, `O_NOFOLLOW`, capped, 0600 (the same copier as {@link createAttemptCodexHome}). Throws
 * {@link CodexRunnerError} (`invalid_option`) only when the directory itself cannot be made.
 * @example
 * const home = createAttemptClaudeHome({ operatorClaudeHome: resolveClaudeConfigDir(env), parentDir: join(dataDir, 'agent-homes'), includeSkills: true });
 * try { ...launch with codexHome: home.path... } finally { home.dispose(); }
 */
export function createAttemptClaudeHome(options: AttemptClaudeHomeOptions): AttemptHome {
  return makeAttemptHome({
    engine: 'claude',
    prefix: 'claude-home-',
    operatorHome: options.operatorClaudeHome,
    parentDir: options.parentDir,
    files: [],
    trees: options.includeSkills ? ['skills'] : [],
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.maxTotalBytes !== undefined ? { maxTotalBytes: options.maxTotalBytes } : {}),
  });
}
