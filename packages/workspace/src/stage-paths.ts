import { WorkspaceError } from './errors.js';
import type { Git } from './git-runner.js';
import { isIgnoredPath } from './path-filter.js';

/**
 * Resets the index (the real one, or the one named by `indexFile`) to `HEAD` and stages exactly `paths`:
 * new and modified files are added, missing files are removed. Ignored paths and nested repositories
 * (`dir/`) are never staged. The working tree is not touched.
 */
export async function stageExactly(
  git: Git,
  repoDir: string,
  paths: readonly string[],
  options: { indexFile?: string; timeoutMs?: number } = {},
): Promise<void> {
  const env = options.indexFile ? { GIT_INDEX_FILE: options.indexFile } : undefined;
  const base = { cwd: repoDir, ...(env ? { env } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
  const reset = await git.run(['read-tree', 'HEAD'], base);
  if (!reset.ok) throw new WorkspaceError('git_failed', `git read-tree HEAD failed in ${repoDir}: ${firstLine(reset.stderr)}`, { gitExit: reset.gitExit, stderr: reset.stderr });
  const wanted = paths.filter((p) => !isIgnoredPath(p) && !p.endsWith('/'));
  if (wanted.length === 0) return;
  const staged = await git.run(['update-index', '--add', '--remove', '-z', '--stdin'], { ...base, input: wanted.map((p) => `${p}\0`).join('') });
  if (!staged.ok) {
    throw new WorkspaceError('git_failed', `staging ${wanted.length} file(s) failed in ${repoDir}: ${firstLine(staged.stderr)}`, { gitExit: staged.gitExit, stderr: staged.stderr });
  }
}

/** The first non-empty line of a command's output, or a placeholder. */
export function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '(no output)';
}
