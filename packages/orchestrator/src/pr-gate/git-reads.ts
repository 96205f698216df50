import type { Git } from '@agentpr/workspace';

/** How long a local git read may take. */
const READ_TIMEOUT_MS = 60_000;
/** How long `git ls-remote` may take (a network call to the fork). */
const REMOTE_TIMEOUT_MS = 30_000;

/** The trimmed stdout of a git read in `cwd` through the hardened {@link Git} port; `null` when git fails or prints nothing. */
export async function gitLine(git: Git, cwd: string, args: readonly string[]): Promise<string | null> {
  const result = await git.run(args, { cwd, timeoutMs: READ_TIMEOUT_MS });
  const out = result.stdout.trim();
  return result.ok && out ? out : null;
}

/** The branch the workspace is on, `null` on a detached HEAD. */
export function currentBranch(git: Git, cwd: string): Promise<string | null> {
  return gitLine(git, cwd, ['symbolic-ref', '--short', '-q', 'HEAD']);
}

/** The workspace HEAD commit. */
export function headSha(git: Git, cwd: string): Promise<string | null> {
  return gitLine(git, cwd, ['rev-parse', 'HEAD']);
}

/** The URL of `remote`, `null` when there is no such remote. */
export function remoteUrl(git: Git, cwd: string, remote: string): Promise<string | null> {
  return gitLine(git, cwd, ['remote', 'get-url', remote]);
}

/** The tree of a commit, `null` when the commit is unknown here. */
export function treeOf(git: Git, cwd: string, sha: string): Promise<string | null> {
  return gitLine(git, cwd, ['rev-parse', '--verify', '-q', `${sha}^{tree}`]);
}

/** `refs/remotes/upstream/HEAD` without the remote name, e.g. `main`; `null` when git does not know it. */
export async function upstreamDefaultBranch(git: Git, cwd: string): Promise<string | null> {
  const ref = await gitLine(git, cwd, ['symbolic-ref', '--short', '-q', 'refs/remotes/upstream/HEAD']);
  const slash = ref?.indexOf('/') ?? -1;
  return ref && slash >= 0 ? ref.slice(slash + 1) || null : null;
}

/** Where a branch is on a remote: at a SHA, not there, or unreadable (with git's message). */
export type RemoteBranchHead = { kind: 'at'; sha: string } | { kind: 'missing' } | { kind: 'unreadable'; error: string };

/** The SHA `refs/heads/<branch>` has on `remote` (`git ls-remote`), lower-cased. */
export async function remoteBranchHead(git: Git, cwd: string, remote: string, branch: string): Promise<RemoteBranchHead> {
  const ref = `refs/heads/${branch}`;
  const result = await git.run(['ls-remote', remote, ref], { cwd, timeoutMs: REMOTE_TIMEOUT_MS });
  if (result.timedOut) return { kind: 'unreadable', error: `git ls-remote ${remote} timed out after ${REMOTE_TIMEOUT_MS / 1000} s` };
  if (!result.ok) return { kind: 'unreadable', error: result.stderr.trim() || `git ls-remote ${remote} failed` };
  const line = result.stdout.split('\n').find((l) => l.trimEnd().endsWith(`\t${ref}`));
  return line ? { kind: 'at', sha: line.split('\t')[0]!.trim().toLowerCase() } : { kind: 'missing' };
}
