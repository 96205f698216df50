import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Finds the local git repository that plays `owner/repo` (a fork or an upstream), or undefined. */
export type RepoLocator = (owner: string, repo: string) => string | undefined;

const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * A locator over a folder laid out like GitHub: `<dir>/<owner>/<repo>.git` (bare) or `<dir>/<owner>/<repo>`.
 * Names with anything but letters, digits, `_`, `.` and `-` (or `..`) are never looked up.
 *
 * @example
 * const forks = folderLocator('/tmp/demo/fork'); // forks('demo-bot', 'widgets') → '/tmp/demo/fork/demo-bot/widgets.git'
 */
export function folderLocator(dir: string): RepoLocator {
  return (owner, repo) => {
    if (!SAFE_NAME.test(owner) || !SAFE_NAME.test(repo) || owner.startsWith('..') || repo.startsWith('..')) return undefined;
    for (const name of [`${repo}.git`, repo]) {
      const path = join(dir, owner, name);
      if (existsSync(path) && statSync(path).isDirectory()) return path;
    }
    return undefined;
  };
}

/** Runs read-only git against a repository with hooks and system/global config out of the way; resolves to stdout or undefined. */
function gitRead(gitDir: string, args: string[]): Promise<string | undefined> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  return new Promise((resolve) => {
    execFile('git', ['--git-dir', gitDir, ...args], { env, timeout: 10_000, encoding: 'utf8' }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim());
    });
  });
}

/** The git directory of a repository path: itself when bare, `<path>/.git` otherwise. */
function gitDirOf(path: string): string {
  const dotGit = join(path, '.git');
  return existsSync(dotGit) ? dotGit : path;
}

/** The commit `refs/heads/<branch>` points at in the repository at `path`, or undefined when there is no such branch. */
export async function readBranchHead(path: string, branch: string): Promise<string | undefined> {
  if (branch.startsWith('-') || branch.includes('..')) return undefined;
  const sha = await gitRead(gitDirOf(path), ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/** The branch the repository's HEAD names (its default branch), or undefined. */
export async function readDefaultBranch(path: string): Promise<string | undefined> {
  const ref = await gitRead(gitDirOf(path), ['symbolic-ref', '--quiet', 'HEAD']);
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}
