import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from './temp-dir.js';

/** The identity every test commit is made with. */
export const TEST_GIT_IDENTITY = { name: 'agentpr test', email: 'agentpr-test@example.invalid' } as const;

/**
 * An environment for git in tests: this process's PATH, a fixed author and committer, and no system or global
 * git config, so tests never depend on the machine's `~/.gitconfig`. Pass it to the code under test too.
 */
export function testGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: TEST_GIT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: TEST_GIT_IDENTITY.email,
    GIT_COMMITTER_NAME: TEST_GIT_IDENTITY.name,
    GIT_COMMITTER_EMAIL: TEST_GIT_IDENTITY.email,
    ...extra,
  };
}

/** Runs git with {@link testGitEnv} and `init.defaultBranch=main`; throws with stderr when it fails; returns trimmed stdout. */
export async function git(cwd: string, args: string[], env: Record<string, string> = testGitEnv()): Promise<string> {
  const result = await execa('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${String(result.stderr).trim()}`);
  return String(result.stdout).trim();
}

/** A bare repository playing a remote, and the commit its branch points to. */
export interface TestRemote {
  /** Path of the bare repository, usable as a clone URL. */
  url: string;
  branch: string;
  headSha: string;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/**
 * A local bare "upstream" repository with one commit on `branch` (default `main`) holding `files`. Its HEAD
 * points to that branch, so clones and `ls-remote --symref` see it as the default branch.
 *
 * @example
 * const upstream = await makeUpstream({ files: { 'README.md': '# demo\n' } });
 */
export async function makeUpstream(options: { files?: Record<string, string>; branch?: string; name?: string } = {}): Promise<TestRemote> {
  const branch = options.branch ?? 'main';
  const base = tempDir('agentpr-upstream-');
  const work = join(base, 'work');
  const url = join(base, options.name ?? 'upstream.git');
  await mkdir(work);
  await git(work, ['init', '-q', '-b', branch]);
  await writeFiles(work, options.files ?? { 'README.md': '# demo\n', 'src/app.txt': 'one\ntwo\nthree\n' });
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', 'chore: initial commit']);
  await git(base, ['clone', '-q', '--bare', work, url]);
  await rm(work, { recursive: true, force: true });
  return { url, branch, headSha: await git(url, ['rev-parse', `refs/heads/${branch}`]) };
}

/** A bare "fork" of `upstream`: a bare clone with the same branches, as GitHub creates it. */
export async function makeBareFork(upstream: TestRemote, options: { name?: string } = {}): Promise<TestRemote> {
  const base = tempDir('agentpr-fork-');
  const url = join(base, options.name ?? 'fork.git');
  await git(base, ['clone', '-q', '--bare', upstream.url, url]);
  return { url, branch: upstream.branch, headSha: await git(url, ['rev-parse', `refs/heads/${upstream.branch}`]) };
}

/**
 * Pushes a new commit with `files` to `branch` of a bare repository (creating the branch from `from`, default
 * the remote's HEAD branch). Returns the new commit's sha.
 */
export async function pushCommit(
  remoteUrl: string,
  options: { branch: string; from?: string; files: Record<string, string>; message?: string },
): Promise<string> {
  const work = join(tempDir('agentpr-push-'), 'work');
  await git(dirname(work), ['clone', '-q', remoteUrl, work]);
  await git(work, ['switch', '-q', '-C', options.branch, ...(options.from ? [`origin/${options.from}`] : [])]);
  await writeFiles(work, options.files);
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', options.message ?? 'feat: another change']);
  await git(work, ['push', '-q', 'origin', `HEAD:refs/heads/${options.branch}`]);
  return git(work, ['rev-parse', 'HEAD']);
}

/** `git ls-remote` of a repository: every ref and its sha, to compare a remote before and after. */
export async function lsRemote(url: string): Promise<string> {
  return git(dirname(url), ['ls-remote', url]);
}
