import { lstat, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { checkBranchName, isInsideRoot, makeDirectory, redactSecrets, resolveReal, WorkspaceError, type Git, type GitResult, type WorkspaceErrorCode } from '@agentpr/workspace';

/** What a rebuild clones and where it leaves the workspace. */
export interface RebuildPlan {
  workspaceRoot: string;
  /** The run's local workspace: absolute, strictly inside the root, and absent (a stale copy was moved aside). */
  workspaceDir: string;
  /** Remote `upstream`, as run-prepare recorded it (never with credentials). */
  upstreamUrl: string;
  /** Remote `origin`: the fork the run pushes to. */
  forkUrl: string;
  baseBranch: string;
  baseSha: string;
  featureBranch: string;
  /** The head the run last pushed: the fork's feature branch must be exactly there. Null when it never pushed. */
  pushedSha: string | null;
  /** Timeout of the clone and fetches; default 600 000 ms. */
  networkTimeoutMs?: number;
}

/** The rebuilt clone: the commit it sits on, and the progress lines (the attempt's stdout). */
export interface RebuiltClone {
  point: 'pushed_head' | 'base';
  headSha: string;
  log: string[];
}

const SHA = /^[0-9a-f]{40,64}$/;
const TIMEOUT_MS = 120_000;

/**
 * Clones a run's workspace again on this host, the way run-prepare made it: remote `upstream` and `origin` (the
 * fork), the base branch fetched, the feature branch created at the recorded base commit, or, once the run has
 * pushed, at exactly the head it pushed, fetched from the fork (a fork branch anywhere else is refused: its content
 * is not what the run recorded). Every git command goes through the hardened runner; the directory is checked to lie
 * inside the real workspace root first, and on any failure everything this call created is removed. Throws a
 * `WorkspaceError` with a one-line message.
 *
 * @example
 * const rebuilt = await cloneForRebuild(ctx.git, {
 *   workspaceRoot, workspaceDir, upstreamUrl, forkUrl, baseBranch: 'main', baseSha, featureBranch, pushedSha: null,
 * });
 */
export async function cloneForRebuild(git: Git, plan: RebuildPlan): Promise<RebuiltClone> {
  const network = plan.networkTimeoutMs ?? 600_000;
  const root = plan.workspaceRoot;
  const dir = plan.workspaceDir;
  await checkBranchName(git, root, plan.featureBranch, 'feature branch');
  await checkBranchName(git, root, plan.baseBranch, 'base branch');
  if (!SHA.test(plan.baseSha) || (plan.pushedSha !== null && !SHA.test(plan.pushedSha))) {
    throw new WorkspaceError('invalid_input', 'the recorded base or pushed commit is not a full commit id; run run-prepare again.');
  }
  makeDirectory(root);
  const realRoot = await resolveReal(root);
  if (!isInsideRoot(root, dir) || !isInsideRoot(realRoot, await resolveReal(dir))) {
    throw new WorkspaceError('outside_root', `workspace dir ${dir} is not inside the workspace root ${realRoot}; refused.`);
  }
  if (await exists(dir)) throw new WorkspaceError('target_exists', `${dir} exists; a rebuild clones into an empty place only.`);
  const createdTop = await firstMissing(root, dir);
  const log: string[] = [];
  try {
    makeDirectory(dir);
    const clone = await git.run(['clone', '--no-checkout', '--origin', 'upstream', '--', plan.upstreamUrl, dir], { cwd: root, timeoutMs: network });
    if (!clone.ok) throw fail('clone_failed', `cannot clone ${redactSecrets(plan.upstreamUrl)}: ${firstLine(clone)}. Check the upstream URL and this host's access to it.`, clone);
    await must(git, dir, ['remote', 'add', 'origin', plan.forkUrl], 'cannot add the origin remote');
    log.push(`cloned ${redactSecrets(plan.upstreamUrl)} into ${dir}; origin = ${redactSecrets(plan.forkUrl)}`);
    const base = plan.baseBranch;
    const fetched = await git.run(['fetch', '--no-tags', 'upstream', `+refs/heads/${base}:refs/remotes/upstream/${base}`], { cwd: dir, timeoutMs: network });
    if (!fetched.ok) throw fail('base_branch_missing', `cannot fetch the base branch ${base} from the upstream: ${firstLine(fetched)}`, fetched);
    if (!(await isCommit(git, dir, plan.baseSha))) {
      throw new WorkspaceError('base_branch_missing', `the run's base commit ${plan.baseSha} is no longer in the upstream; the run cannot be rebuilt here. Create the run again.`);
    }
    const target = plan.pushedSha === null ? plan.baseSha : await fetchPushedHead(git, dir, plan.featureBranch, plan.pushedSha, network);
    await must(git, dir, ['switch', '--quiet', '--no-track', '-C', plan.featureBranch, target], `cannot create branch ${plan.featureBranch} at ${target}`);
    const head = (await must(git, dir, ['rev-parse', 'HEAD'], 'cannot read HEAD')).stdout.trim();
    if (head !== target) throw new WorkspaceError('git_failed', `the rebuilt workspace is at ${head}, not ${target}; refused.`);
    const point = plan.pushedSha === null ? 'base' : 'pushed_head';
    log.push(`ready: ${dir} on ${plan.featureBranch} at ${target} (${point === 'base' ? `the base commit of ${base}` : 'the head the run pushed, fetched from the fork'})`);
    return { point, headSha: head, log };
  } catch (error) {
    await rm(createdTop, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/** Fetches the fork's feature branch and returns `pushed` when the branch is exactly there; anything else is refused. */
async function fetchPushedHead(git: Git, dir: string, branch: string, pushed: string, network: number): Promise<string> {
  const ref = `refs/agentpr/fork/${branch}`;
  const fetched = await git.run(['fetch', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`], { cwd: dir, timeoutMs: network });
  if (!fetched.ok) {
    const missing = /couldn't find remote ref|not our ref|no such ref/i.test(fetched.stderr);
    throw fail(
      'branch_conflict',
      missing
        ? `branch ${branch} is not on the fork, but the run pushed ${pushed} there; restore the branch on the fork or create the run again.`
        : `cannot fetch branch ${branch} from the fork: ${firstLine(fetched)}`,
      fetched,
    );
  }
  const at = (await must(git, dir, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], `cannot read the fetched ${branch}`)).stdout.trim();
  if (at !== pushed) {
    throw new WorkspaceError('branch_conflict', `branch ${branch} on the fork is at ${at}, not the head ${pushed} the run pushed; refused (someone moved it). Restore it to ${pushed.slice(0, 12)} or create the run again.`);
  }
  return pushed;
}

async function isCommit(git: Git, dir: string, sha: string): Promise<boolean> {
  return (await git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{commit}`], { cwd: dir, timeoutMs: TIMEOUT_MS })).ok;
}

async function must(git: Git, cwd: string, args: string[], what: string): Promise<GitResult> {
  const result = await git.run(args, { cwd, timeoutMs: TIMEOUT_MS });
  if (!result.ok) throw fail('git_failed', `${what}: ${firstLine(result)}`, result);
  return result;
}

function fail(code: WorkspaceErrorCode, message: string, result: GitResult): WorkspaceError {
  return new WorkspaceError(code, redactSecrets(message), { gitExit: result.gitExit, stderr: redactSecrets(result.stderr) });
}

function firstLine(result: GitResult): string {
  return redactSecrets(result.stderr.trim().split('\n')[0] ?? '') || `git exited ${result.gitExit}`;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** The topmost directory between `root` (exclusive) and `dir` (inclusive) that does not exist yet. */
async function firstMissing(root: string, dir: string): Promise<string> {
  let current = root;
  for (const part of relative(root, dir).split('/')) {
    current = join(current, part);
    if (!(await exists(current))) return current;
  }
  return dir;
}
