import { lstat, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { diffSummary } from './diff-summary.js';
import { makeDirectory } from './directories.js';
import { WorkspaceError, type WorkspaceErrorCode } from './errors.js';
import type { Git, GitResult } from './git-runner.js';
import { isInsideRoot, resolveReal } from './inside-root.js';
import { redactSecrets } from './redact.js';
import { ownerFromRemoteUrl, sameRemote } from './remote-url.js';
import { firstLine } from './stage-paths.js';

/** The fork the run pushes to: its clone URL and its owner (for `--head <owner>:<branch>`). */
export interface ForkRemote {
  url: string;
  owner: string;
}

/** Input of {@link prepareWorkspace}. */
export interface PrepareWorkspaceOptions {
  /** Every workspace lives strictly inside this directory. */
  workspaceRoot: string;
  /** The run's workspace directory (absolute, inside the root). */
  workspaceDir: string;
  /** What to clone: a URL or a local path. Added as remote `upstream`. */
  upstreamUrl: string;
  /**
   * Where finish pushes (remote `origin`). Without a fork, `origin` is the upstream itself, so a later push
   * goes to the upstream repository: pass a fork unless that is what you want.
   */
  fork?: ForkRemote | undefined;
  /** The upstream branch to start from; default the upstream's HEAD branch. */
  baseBranch?: string | undefined;
  /** The branch to create for the run. */
  featureBranch: string;
  /** Timeout per git command; default 120 000 ms. */
  timeoutMs?: number;
  /** Timeout of the clone and fetches; default 600 000 ms. */
  networkTimeoutMs?: number;
}

/** What prepare did; the first four keys are the `workspace_prepared` artefact's metadata. */
export interface PreparedWorkspace {
  base_branch: string;
  base_sha: string;
  feature_branch: string;
  fork_owner: string;
  workspace_dir: string;
  head_sha: string;
  /** True when an existing clone with the same remotes was reused. */
  reused: boolean;
  /** Human-readable progress lines (the step's stdout). */
  log: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gives a run its own clean git workspace: clones the upstream into the run's `workspace_dir` (remote
 * `upstream`), adds the fork as `origin`, fetches the base branch and creates the feature branch from
 * `upstream/<base>`. It never merges into or pushes the base branch. An existing clone is reused only
 * when its remotes match. A feature branch that already holds commits not on the base is refused. On any
 * failure, everything this call created is removed, so no partial workspace is left behind.
 *
 * @example
 * const prepared = await prepareWorkspace(git, {
 *   workspaceRoot: '/srv/agentpr/workspaces',
 *   workspaceDir: '/srv/agentpr/workspaces/acme/widgets/run_1',
 *   upstreamUrl: 'https://github.com/acme/widgets.git',
 *   fork: { url: 'https://github.com/me/widgets.git', owner: 'me' },
 *   featureBranch: 'agentpr/run_1',
 * });
 */
export async function prepareWorkspace(git: Git, options: PrepareWorkspaceOptions): Promise<PreparedWorkspace> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const networkTimeoutMs = options.networkTimeoutMs ?? 600_000;
  const log: string[] = [];
  const upstreamUrl = options.upstreamUrl.trim();
  if (upstreamUrl === '') throw new WorkspaceError('invalid_input', 'the upstream URL is empty; pass the repository URL or path to clone.');
  if (!isAbsolute(options.workspaceDir)) throw new WorkspaceError('invalid_input', `workspace dir ${options.workspaceDir} is not absolute.`);
  const root = resolve(options.workspaceRoot);
  const dir = resolve(options.workspaceDir);
  await checkBranchName(git, root, options.featureBranch, 'feature branch');
  if (options.baseBranch !== undefined) await checkBranchName(git, root, options.baseBranch, 'base branch');

  if (!isInsideRoot(root, dir)) {
    throw new WorkspaceError('outside_root', `workspace dir ${dir} is not inside the workspace root ${root}; workspaces must live under --workspace-root.`);
  }
  try {
    makeDirectory(root);
  } catch (error) {
    throw new WorkspaceError('not_writable', `cannot create the workspace root ${root}: ${osMessage(error)}. Choose a writable --workspace-root.`, { cause: error });
  }
  const realRoot = await resolveReal(root);
  const realDir = await resolveReal(dir);
  if (!isInsideRoot(realRoot, realDir)) {
    throw new WorkspaceError('outside_root', `workspace dir ${dir} resolves to ${realDir}, outside the workspace root ${realRoot} (a symlink points out of it).`);
  }

  const expectedOrigin = options.fork?.url.trim() || upstreamUrl;
  let createdTop: string | undefined;
  let reused = false;
  try {
    if (await exists(dir)) {
      if (!(await exists(join(dir, '.git')))) {
        throw new WorkspaceError('target_exists', `${dir} exists but is not a git clone; remove it or use another run id.`);
      }
      await checkRemotes(git, dir, upstreamUrl, expectedOrigin, timeoutMs);
      reused = true;
      log.push(`reusing the existing clone in ${dir}`);
    } else {
      createdTop = await firstMissing(root, dir);
      try {
        makeDirectory(dir);
      } catch (error) {
        throw new WorkspaceError('not_writable', `cannot create ${dir}: ${osMessage(error)}. Make the workspace root writable or choose another --workspace-root.`, { cause: error });
      }
      const clone = await git.run(['clone', '--origin', 'upstream', '--', upstreamUrl, dir], { cwd: root, timeoutMs: networkTimeoutMs });
      if (!clone.ok) {
        throw fail('clone_failed', `cannot clone ${redactSecrets(upstreamUrl)}: ${firstLine(clone.stderr)}. Check the upstream URL and your access to it.`, clone);
      }
      await must(git, ['remote', 'add', 'origin', expectedOrigin], dir, timeoutMs, 'git_failed', 'cannot add the origin remote');
      log.push(`cloned ${redactSecrets(upstreamUrl)} into ${dir}`);
      log.push(options.fork ? `origin = fork of ${options.fork.owner}: ${redactSecrets(expectedOrigin)}` : `origin = the upstream itself (no fork configured): pushes go to ${redactSecrets(expectedOrigin)}`);
    }

    const base = options.baseBranch ?? (await upstreamHeadBranch(git, dir, networkTimeoutMs));
    log.push(options.baseBranch ? `base branch ${base} (as given; check it against CONTRIBUTING.md)` : `base branch ${base} (the upstream HEAD branch)`);
    const fetch = await git.run(['fetch', '--no-tags', 'upstream', `+refs/heads/${base}:refs/remotes/upstream/${base}`], { cwd: dir, timeoutMs: networkTimeoutMs });
    if (!fetch.ok) {
      const missing = /couldn't find remote ref|not our ref|no such ref/i.test(fetch.stderr);
      throw fail(missing ? 'base_branch_missing' : 'git_failed', missing ? `base branch ${base} does not exist on the upstream; pass an existing --base-branch.` : `cannot fetch ${base} from the upstream: ${firstLine(fetch.stderr)}`, fetch);
    }
    const upstreamBase = `refs/remotes/upstream/${base}`;
    const feature = options.featureBranch;

    const current = await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: dir, timeoutMs });
    const onFeature = reused && current.ok && current.stdout.trim() === feature;
    if (onFeature) {
      log.push(`already on ${feature}; keeping its commits`);
    } else {
      await refuseForeignBranch(git, dir, feature, upstreamBase, timeoutMs, networkTimeoutMs, expectedOrigin);
      if (reused) {
        const dirty = await diffSummary(git, dir, { ref: 'HEAD', timeoutMs });
        if (dirty.changed_files_count > 0) {
          throw new WorkspaceError('target_exists', `the existing clone in ${dir} has ${dirty.changed_files_count} uncommitted change(s) (${dirty.changed_files.slice(0, 3).join(', ')}); commit or discard them first.`);
        }
      }
      await must(git, ['switch', '--quiet', '--no-track', '-C', feature, upstreamBase], dir, timeoutMs, 'git_failed', `cannot create branch ${feature} from upstream/${base}`);
      log.push(`created branch ${feature} from upstream/${base}`);
    }

    const mergeBase = await must(git, ['merge-base', 'HEAD', upstreamBase], dir, timeoutMs, 'git_failed', `cannot find the merge-base of HEAD and upstream/${base}`);
    const head = await must(git, ['rev-parse', 'HEAD'], dir, timeoutMs, 'git_failed', 'cannot read HEAD');
    const forkOwner = options.fork?.owner ?? ownerFromRemoteUrl(expectedOrigin);
    log.push(`ready: ${dir} on ${feature}, base ${base} at ${mergeBase.stdout.trim()}`);
    return {
      base_branch: base,
      base_sha: mergeBase.stdout.trim(),
      feature_branch: feature,
      fork_owner: forkOwner,
      workspace_dir: dir,
      head_sha: head.stdout.trim(),
      reused,
      log,
    };
  } catch (error) {
    if (createdTop !== undefined) await rm(createdTop, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Throws `invalid_input` unless `name` is a valid branch name (`git check-ref-format --branch`); `what` names
 * the flag in the message. Runs git in `cwd` (or its nearest existing parent directory).
 */
export async function checkBranchName(git: Git, cwd: string, name: string, what: string): Promise<void> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed !== name || trimmed.startsWith('-')) {
    throw new WorkspaceError('invalid_input', `${what} ${JSON.stringify(name)} is not a valid branch name.`);
  }
  const check = await git.run(['check-ref-format', '--branch', name], { cwd: await existingDir(cwd), timeoutMs: 10_000 });
  if (!check.ok) throw new WorkspaceError('invalid_input', `${what} ${JSON.stringify(name)} is not a valid branch name (git check-ref-format).`);
}

async function existingDir(path: string): Promise<string> {
  let current = resolve(path);
  while (!(await stat(current).then((s) => s.isDirectory(), () => false))) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** The topmost directory between `root` (exclusive) and `dir` (inclusive) that does not exist yet. */
async function firstMissing(root: string, dir: string): Promise<string> {
  const parts = relative(root, dir).split(/[/\\]/);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    if (!(await exists(current))) return current;
  }
  return dir;
}

async function checkRemotes(git: Git, dir: string, upstreamUrl: string, originUrl: string, timeoutMs: number): Promise<void> {
  for (const [name, expected] of [
    ['upstream', upstreamUrl],
    ['origin', originUrl],
  ] as const) {
    const got = await git.run(['remote', 'get-url', name], { cwd: dir, timeoutMs });
    const actual = got.ok ? got.stdout.trim() : '';
    if (!sameRemote(actual, expected)) {
      throw new WorkspaceError(
        'remote_mismatch',
        `the existing clone in ${dir} has ${name} = ${redactSecrets(actual || '(none)')}, expected ${redactSecrets(expected)}; remove it or use another run id.`,
      );
    }
  }
}

async function upstreamHeadBranch(git: Git, dir: string, timeoutMs: number): Promise<string> {
  const result = await git.run(['ls-remote', '--symref', 'upstream', 'HEAD'], { cwd: dir, timeoutMs });
  const match = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(result.stdout);
  if (!result.ok || !match) {
    throw fail('base_branch_missing', `cannot tell the upstream's default branch${!result.ok ? `: ${firstLine(result.stderr)}` : ''}; pass --base-branch.`, result);
  }
  return match[1]!;
}

/**
 * Refuses when the feature branch already exists (locally, or on the fork) with commits that are not on the
 * base: reusing it would mix another run's work into this one.
 */
async function refuseForeignBranch(
  git: Git,
  dir: string,
  feature: string,
  upstreamBase: string,
  timeoutMs: number,
  networkTimeoutMs: number,
  originUrl: string,
): Promise<void> {
  const candidates: Array<{ where: string; ref: string }> = [];
  const local = await git.run(['rev-parse', '--verify', '--quiet', `refs/heads/${feature}`], { cwd: dir, timeoutMs });
  if (local.ok) candidates.push({ where: 'locally', ref: `refs/heads/${feature}` });
  const remote = await git.run(['ls-remote', '--heads', 'origin', `refs/heads/${feature}`], { cwd: dir, timeoutMs: networkTimeoutMs });
  if (!remote.ok) {
    throw fail('git_failed', `cannot reach the push remote ${redactSecrets(originUrl)}: ${firstLine(remote.stderr)}. Check the fork URL and your access to it.`, remote);
  }
  if (remote.stdout.trim() !== '') {
    const tracking = `refs/agentpr/existing/${feature}`;
    await must(git, ['fetch', '--no-tags', 'origin', `+refs/heads/${feature}:${tracking}`], dir, networkTimeoutMs, 'git_failed', `cannot fetch the existing branch ${feature} from the fork`);
    candidates.push({ where: 'on the fork', ref: tracking });
  }
  for (const candidate of candidates) {
    const count = await must(git, ['rev-list', '--count', `${upstreamBase}..${candidate.ref}`], dir, timeoutMs, 'git_failed', `cannot compare ${feature} with the base`);
    const extra = Number(count.stdout.trim());
    if (extra > 0) {
      throw new WorkspaceError(
        'branch_conflict',
        `branch ${feature} already exists ${candidate.where} with ${extra} commit(s) not on the base; choose another --feature-branch or delete that branch.`,
      );
    }
  }
}

async function must(git: Git, args: string[], cwd: string, timeoutMs: number, code: WorkspaceErrorCode, what: string): Promise<GitResult> {
  const result = await git.run(args, { cwd, timeoutMs });
  if (!result.ok) throw fail(code, `${what}: ${firstLine(result.stderr)}`, result);
  return result;
}

function fail(code: WorkspaceErrorCode, message: string, result: GitResult): WorkspaceError {
  return new WorkspaceError(code, message, { gitExit: result.gitExit, stderr: result.stderr });
}

function osMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message.replace(/^[A-Z]+: /, '')}` : String(e?.message ?? error);
}
