import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { addArtifact, applyEvent, createRun, openStore, type OpenDatabase } from '@agentpr/store';
import { freshDatabase, tempDir } from '@agentpr/testing';
import { createAppPorts, createGitHubPort, dataDirPaths, requestOpenPr, silentLogger, type AppContext } from '@agentpr/orchestrator';

const run = promisify(execFile);

export const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_AUTHOR_NAME: 'agentpr test',
  GIT_AUTHOR_EMAIL: 'test@agentpr.invalid',
  GIT_COMMITTER_NAME: 'agentpr test',
  GIT_COMMITTER_EMAIL: 'test@agentpr.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Runs git in `cwd` (async, stdin closed) and returns its trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: GIT_ENV, timeout: 30_000 });
  return stdout.trim();
}

/** A bot context with real git and GitHub pointed at the GitHub stand-in (token `stub-token`). */
export async function approvalContext(kind: 'sqlite' | 'postgres', githubUrl: string): Promise<{ ctx: AppContext; store: OpenDatabase; drop: () => Promise<void> }> {
  const db = await freshDatabase(kind);
  const store = await openStore(db.location);
  const dataDir = tempDir('agentpr-bot-pr-');
  const env = { ...GIT_ENV, GITHUB_TOKEN: 'stub-token' };
  const clock = () => new Date();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock,
    env,
    ...createAppPorts(env, { clock, overrides: { github: createGitHubPort(env, { apiUrl: githubUrl }) } }),
    log: silentLogger,
    actor: 'operator',
    paths: dataDirPaths(dataDir, { campaignDir: join(dataDir, 'campaign'), skillsDir: join(dataDir, 'skills') }),
  };
  return { ctx, store, drop: () => db.drop() };
}

/** A PUSHED run whose branch is on a local bare fork, with a passing digest of its head. */
export interface PushedRun {
  runId: string;
  owner: string;
  repo: string;
  workspace: string;
  branch: string;
  headSha: string;
  forkOwner: string;
}

async function commitAndPush(workspace: string, branch: string, file: string, content: string): Promise<string> {
  mkdirSync(join(workspace, 'src'), { recursive: true });
  writeFileSync(join(workspace, file), content);
  await git(workspace, 'add', file);
  await git(workspace, 'commit', '-q', '-m', `change ${file}`);
  await git(workspace, 'push', '-q', 'origin', branch);
  return git(workspace, 'rev-parse', 'HEAD');
}

/** Pushes one more commit and records the push (the `branch` artefact), as run-finish does: older requests go stale. */
export async function pushAgain(ctx: AppContext, pushed: PushedRun): Promise<string> {
  const sha = await commitAndPush(pushed.workspace, pushed.branch, 'src/more.py', 'more = True\n');
  await addArtifact(ctx.db, { runId: pushed.runId, type: 'branch', uri: pushed.branch, metadata: { sha } }, ctx.clock);
  pushed.headSha = sha;
  return sha;
}

/** Makes a run in PUSHED: a workspace on its feature branch, pushed to a bare fork, with a PASS digest of the head. */
export async function pushedRun(ctx: AppContext, runId: string, owner = 'Acme', repo = 'Widgets'): Promise<PushedRun> {
  const remote = join(tempDir('agentpr-fork-'), 'fork.git');
  await run('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: GIT_ENV });
  const workspace = join(ctx.paths.workspaceRoot, owner, repo, runId);
  mkdirSync(workspace, { recursive: true });
  const branch = 'agentpr/add-widgets';
  await git(workspace, 'init', '-q', '-b', 'main');
  writeFileSync(join(workspace, 'README.md'), '# widgets\n');
  await git(workspace, 'add', 'README.md');
  await git(workspace, 'commit', '-q', '-m', 'base');
  const baseSha = await git(workspace, 'rev-parse', 'HEAD');
  await git(workspace, 'remote', 'add', 'origin', remote);
  await git(workspace, 'checkout', '-q', '-b', branch);
  const headSha = await commitAndPush(workspace, branch, 'src/widgets.py', 'def widgets():\n    return 3\n\nVALUE = widgets()\n');
  await createRun(ctx.db, { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: workspace }, ctx.clock);
  await addArtifact(ctx.db, { runId, type: 'workspace_prepared', uri: workspace, metadata: { base_branch: 'main', base_sha: baseSha, feature_branch: branch, fork_owner: 'forker' } }, ctx.clock);
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: join(workspace, 'contract.md') },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch, head_sha: headSha },
  ] as const) {
    await applyEvent(ctx.db, runId, { event: { ...event } }, ctx.clock);
  }
  await addArtifact(ctx.db, { runId, type: 'branch', uri: branch, metadata: { sha: headSha } }, ctx.clock);
  mkdirSync(ctx.paths.reportsDir, { recursive: true });
  const digestFile = join(ctx.paths.reportsDir, `${runId}_run_digest.json`);
  const digest = {
    classification: { grade: 'PASS', reason_code: 'runtime_success', next_action: 'advance' },
    skills: { mode: 'off', required_now: [], missing_required: [] },
    validation: { test_command_count: 2, failed_test_command_count: 0 },
    changes: { changed_files_count: 1, added_lines: 4 },
    workspace: { head_sha: headSha, tree_sha: await git(workspace, 'rev-parse', 'HEAD^{tree}'), baseline_sha: baseSha },
    policy_used: { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' },
    preflight: { ok: true, skipped: false, failures: [] },
    safety: { violation_count: 0, violations: [] },
  };
  writeFileSync(digestFile, JSON.stringify(digest));
  await addArtifact(ctx.db, { runId, type: 'run_digest', uri: digestFile, metadata: { grade: 'PASS' } }, ctx.clock);
  return { runId, owner, repo, workspace, branch, headSha, forkOwner: 'forker' };
}

/** Asks for the PR (the real request-open-pr use case) with a fixed title and body; returns the written request (a gate's stop fails the test). */
export async function requestPr(ctx: AppContext, runId: string, ttlMinutes = 30): Promise<Extract<Awaited<ReturnType<typeof requestOpenPr>>, { kind: 'requested' }>> {
  const body = ['## Summary', 'Adds the widgets integration.', '', '## Validation', '- pytest -q: passed'].join('\n');
  const result = await requestOpenPr(ctx, { runId, title: 'feat(widgets): add the widgets integration', body, confirmTtlMinutes: ttlMinutes });
  if (result.kind !== 'requested') throw new Error(`expected a written PR request, but ${result.message}`);
  return result;
}
