import { validateCommitTitle } from './commit-title.js';
import { diffSummary, type DiffSummary } from './diff-summary.js';
import { WorkspaceError } from './errors.js';
import type { Git } from './git-runner.js';
import { redactSecrets } from './redact.js';
import { firstLine, stageExactly } from './stage-paths.js';

/** Input of {@link finishWorkspace}. */
export interface FinishWorkspaceOptions {
  /** The run's workspace (a clone prepared by `prepareWorkspace`). */
  repoDir: string;
  /** The budget-diff baseline (the prepare `base_sha`): every change since it is committed. */
  baseline: string;
  /** The commit title; checked with `validateCommitTitle`. */
  title: string;
  /** The commit body (already rendered from the campaign template). */
  body: string;
  /** The remote to push to; default `origin` (the fork). */
  remote?: string;
  timeoutMs?: number;
  /** Timeout of the push; default 300 000 ms. */
  networkTimeoutMs?: number;
}

/** What finish did. */
export interface FinishedWorkspace {
  branch: string;
  head_sha: string;
  /** False when there was nothing new to commit but earlier commits since the baseline were pushed. */
  committed: boolean;
  /** The budget diff whose `changed_files` were staged. */
  diff: DiffSummary;
  remote: string;
  /** Human-readable progress lines (the step's stdout). */
  log: string[];
}

/**
 * Commits exactly the budget diff's `changed_files` (new files included; ignored paths and `.agentpr_runtime`
 * never) with the title and body, then pushes the current branch to the fork without force. When the
 * index already matches `HEAD` and `HEAD` is ahead of the baseline (a commit whose push failed earlier), it
 * pushes without a new commit; with no change at all it fails with `nothing_to_commit`.
 *
 * @example
 * const done = await finishWorkspace(git, { repoDir, baseline: prepared.base_sha, title: 'feat(x): add y', body });
 */
export async function finishWorkspace(git: Git, options: FinishWorkspaceOptions): Promise<FinishedWorkspace> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const remote = options.remote ?? 'origin';
  const log: string[] = [];
  const title = validateCommitTitle(options.title);
  if (!title.ok) throw new WorkspaceError('invalid_input', title.error);
  const dir = options.repoDir;

  const branchResult = await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: dir, timeoutMs });
  if (!branchResult.ok) {
    throw new WorkspaceError('not_a_workspace', `${dir} is not on a branch (detached HEAD or not a clone); run run-prepare first.`, { gitExit: branchResult.gitExit, stderr: branchResult.stderr });
  }
  const branch = branchResult.stdout.trim();
  const baseCheck = await git.run(['rev-parse', '--verify', '--quiet', `${options.baseline}^{commit}`], { cwd: dir, timeoutMs });
  if (!baseCheck.ok) throw new WorkspaceError('not_a_workspace', `baseline ${options.baseline} is not a commit in ${dir}; run run-prepare again.`);

  const diff = await diffSummary(git, dir, { ref: options.baseline, timeoutMs });
  log.push(`${diff.changed_files_count} changed file(s) since ${options.baseline.slice(0, 12)}: +${diff.added_lines} -${diff.deleted_lines}`);
  for (const file of diff.changed_files) log.push(`  ${file}`);

  await stageExactly(git, dir, diff.changed_files, { timeoutMs });
  const staged = await git.run(['diff', '--cached', '--quiet', 'HEAD', '--'], { cwd: dir, timeoutMs });
  let committed = false;
  if (staged.gitExit === 1) {
    const message = options.body.trim() === '' ? `${title.title}\n` : `${title.title}\n\n${options.body.trim()}\n`;
    const commit = await git.run(['commit', '--quiet', '--cleanup=whitespace', '--file=-'], { cwd: dir, timeoutMs, input: message });
    if (!commit.ok) {
      throw new WorkspaceError('commit_failed', `git commit failed in ${dir}: ${firstLine(commit.stderr || commit.stdout)}`, { gitExit: commit.gitExit, stderr: commit.stderr });
    }
    committed = true;
    log.push(`committed: ${title.title}`);
  } else if (!staged.ok) {
    throw new WorkspaceError('git_failed', `cannot compare the index with HEAD in ${dir}: ${firstLine(staged.stderr)}`, { gitExit: staged.gitExit, stderr: staged.stderr });
  } else {
    const ahead = await git.run(['rev-list', '--count', `${options.baseline}..HEAD`], { cwd: dir, timeoutMs });
    if (!ahead.ok || Number(ahead.stdout.trim()) === 0) {
      throw new WorkspaceError('nothing_to_commit', `nothing to commit in ${dir}: no change since the baseline ${options.baseline.slice(0, 12)}.`);
    }
    log.push(`nothing new to commit; pushing ${ahead.stdout.trim()} existing commit(s)`);
  }

  const head = await git.run(['rev-parse', 'HEAD'], { cwd: dir, timeoutMs });
  if (!head.ok) throw new WorkspaceError('git_failed', `cannot read HEAD in ${dir}: ${firstLine(head.stderr)}`);
  const push = await git.run(['push', '--porcelain', remote, `HEAD:refs/heads/${branch}`], { cwd: dir, timeoutMs: options.networkTimeoutMs ?? 300_000 });
  if (!push.ok) {
    const rejected = /\[rejected\]|non-fast-forward|fetch first/i.test(`${push.stdout}\n${push.stderr}`);
    const reason = rejected ? `the remote branch ${branch} has commits this workspace does not (no force push)` : firstLine(push.stderr || push.stdout);
    throw new WorkspaceError('push_failed', `git push to ${remote} failed: ${reason}.`, { gitExit: push.gitExit, stderr: push.stderr });
  }
  const url = await git.run(['remote', 'get-url', '--push', remote], { cwd: dir, timeoutMs });
  log.push(`pushed ${branch} at ${head.stdout.trim()} to ${remote} (${redactSecrets(url.stdout.trim())})`);
  return { branch, head_sha: head.stdout.trim(), committed, diff, remote, log };
}
