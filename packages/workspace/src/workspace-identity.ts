import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { WorkspaceError } from './errors.js';
import type { Git } from './git-runner.js';
import { firstLine, stageExactly } from './stage-paths.js';

/** What identifies a workspace's content: the commit checked out and the tree a finish would commit. */
export interface WorkspaceIdentity {
  head_sha: string;
  tree_sha: string;
}

/**
 * `head_sha` = `HEAD`; `tree_sha` = the tree git would write if exactly `changedFiles` (the budget diff's
 * `changed_files`) were staged on top of `HEAD`. Uses a temporary index inside `.git`, so the real index and
 * the working tree are untouched. The finish step stages the same paths the same way, so the pushed
 * commit's tree equals `tree_sha` when nothing changed in between.
 */
export async function workspaceIdentity(
  git: Git,
  repoDir: string,
  changedFiles: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<WorkspaceIdentity> {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  // One process for both: prints the .git directory, then the HEAD commit.
  const parsed = await git.run(['rev-parse', '--git-dir', 'HEAD'], { cwd: repoDir, ...timeout });
  const [dir = '', headSha = ''] = parsed.stdout.trim().split('\n');
  if (!parsed.ok || !/^[0-9a-f]{40,64}$/.test(headSha)) {
    throw new WorkspaceError('not_a_workspace', `cannot read HEAD in ${repoDir}: ${firstLine(parsed.stderr) || 'no commit'}`, { gitExit: parsed.gitExit, stderr: parsed.stderr });
  }
  const indexFile = join(isAbsolute(dir) ? dir : join(repoDir, dir), `agentpr-identity-index-${randomBytes(6).toString('hex')}`);
  try {
    await stageExactly(git, repoDir, changedFiles, { indexFile, ...timeout });
    const tree = await git.run(['write-tree'], { cwd: repoDir, env: { GIT_INDEX_FILE: indexFile }, ...timeout });
    if (!tree.ok) throw new WorkspaceError('git_failed', `git write-tree failed in ${repoDir}: ${firstLine(tree.stderr)}`, { gitExit: tree.gitExit, stderr: tree.stderr });
    return { head_sha: headSha, tree_sha: tree.stdout.trim() };
  } finally {
    await rm(indexFile, { force: true });
    await rm(`${indexFile}.lock`, { force: true });
  }
}
