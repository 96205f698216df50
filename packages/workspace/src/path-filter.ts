/** Directory names whose contents never count as changes: the agent runtime dir and tool caches. */
export const IGNORED_PATH_NAMES: readonly string[] = ['.agentpr_runtime', '.venv', 'node_modules', '.tox', '.pytest_cache', '.mypy_cache', '.ruff_cache'];

/** Trims a git path and turns `\` into `/`. */
export function normaliseGitPath(path: string): string {
  return path.trim().replace(/\\/g, '/');
}

/**
 * True when a (normalised) path must not count as a change: empty, one of {@link IGNORED_PATH_NAMES}, or
 * inside one of them at the top level (`node_modules/x`, not `src/node_modules/x`).
 */
export function isIgnoredPath(path: string): boolean {
  const p = normaliseGitPath(path);
  if (p === '') return true;
  return IGNORED_PATH_NAMES.some((name) => p === name || p.startsWith(`${name}/`));
}
