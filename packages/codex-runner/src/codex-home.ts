import { DEFAULT_ATTEMPT_HOME_MAX_FILE_BYTES, DEFAULT_ATTEMPT_HOME_MAX_TOTAL_BYTES, makeAttemptHome, type AttemptHome } from './attempt-home.js';

export type { SkippedReason } from './attempt-home.js';

/** Default cap of one copied file: 1 MiB. */
export const DEFAULT_CODEX_HOME_MAX_FILE_BYTES = DEFAULT_ATTEMPT_HOME_MAX_FILE_BYTES;

/** Default cap of everything copied into one attempt home: 16 MiB. */
export const DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES = DEFAULT_ATTEMPT_HOME_MAX_TOTAL_BYTES;

/** Inputs of {@link createAttemptCodexHome}. */
export interface AttemptCodexHomeOptions {
  /** The operator's codex home (`resolveCodexHome(env)`), read only. */
  operatorCodexHome: string;
  /** An existing directory (or one whose parent exists) outside every workspace, e.g. `<data>/agent-homes`. */
  parentDir: string;
  /** Copy the `skills/` tree too (skills mode `agentpr`). */
  includeSkills: boolean;
  /** Cap of one file; a larger one is skipped. Default {@link DEFAULT_CODEX_HOME_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
  /** Cap of all files; files past it are skipped. Default {@link DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES}. */
  maxTotalBytes?: number;
}

/** A throwaway engine home for one attempt (the name predates the claude engine, whose home has the same shape). */
export type AttemptCodexHome = AttemptHome;

/**
 * Makes a fresh per-attempt codex home (issue 12): a 0700 `mkdtemp` directory under `parentDir` holding copies of the
 * operator's `config.toml`, `auth.json` (when present) and, with `includeSkills`, the `skills/` tree. Only regular files
 * are copied (`lstat`, opened with `O_NOFOLLOW`; symlinks and other kinds are skipped and reported), each capped at
 * `maxFileBytes` and all at `maxTotalBytes`; copies are created 0600 with `O_EXCL`. The agent may write into this home
 * during the attempt; `dispose()` throws it away, so nothing it planted reaches a later run. Throws
 * {@link CodexRunnerError} (`invalid_option`) only when the directory itself cannot be made.
 * @example
 * const home = createAttemptCodexHome({ operatorCodexHome: resolveCodexHome(env), parentDir: join(dataDir, 'agent-homes'), includeSkills: true });
 * try { ...launch with codexHome: home.path... } finally { home.dispose(); }
 */
export function createAttemptCodexHome(options: AttemptCodexHomeOptions): AttemptCodexHome {
  return makeAttemptHome({
    engine: 'codex',
    prefix: 'codex-home-',
    operatorHome: options.operatorCodexHome,
    parentDir: options.parentDir,
    files: ['config.toml', 'auth.json'],
    trees: options.includeSkills ? ['skills'] : [],
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.maxTotalBytes !== undefined ? { maxTotalBytes: options.maxTotalBytes } : {}),
  });
}
