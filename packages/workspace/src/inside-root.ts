import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** True when `path` is strictly inside `root` (both absolute; compared lexically). */
export function isInsideRoot(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Resolves `path` with symlinks followed, even when its last components do not exist yet: the deepest
 * existing ancestor is resolved with `realpath` and the rest is appended.
 */
export async function resolveReal(path: string): Promise<string> {
  let current = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      rest.push(current.slice(parent.length).replace(/^[/\\]+/, ''));
      current = parent;
    }
  }
}

/** The run's workspace directory: `<root>/<owner>/<repo>/<run_id>`. */
export function workspaceDirFor(workspaceRoot: string, owner: string, repo: string, runId: string): string {
  return join(resolve(workspaceRoot), owner, repo, runId);
}
