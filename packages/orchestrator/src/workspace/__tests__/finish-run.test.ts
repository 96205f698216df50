import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLease, addArtifact, applyEvent, getRun, latestArtifact, listAttempts, listEvents, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, git, lsRemote, makeBareFork, makeUpstream, pushCommit, tempDir } from '@agentpr/testing';
import { diffSummary, workspaceIdentity } from '@agentpr/workspace';
import { createRun } from '../../runs/create-run.js';
import { finishRun } from '../finish-run.js';
import { prepareRun } from '../prepare-run.js';
import { testGit, workspaceContext } from './harness.js';

const stores: OpenDatabase[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

const TO_LOCAL_VALIDATING: RunEvent[] = [
  { type: 'worker.discovery.completed', contract_path: 'c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
];

/** A prepared run (with the example campaign) whose workspace has an agent's changes, in `state`. */
async function preparedRun(options: { campaignDir?: string; events?: RunEvent[]; files?: Record<string, string> } = {}) {
  const { ctx, store } = await workspaceContext(options.campaignDir ? { campaignDir: options.campaignDir } : {});
  stores.push(store);
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n', 'old.txt': 'a\n', ...options.files } });
  const fork = await makeBareFork(upstream);
  const { workspace_dir: dir } = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
  const prepared = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
  if (prepared.kind !== 'prepared') throw new Error(prepared.error);
  for (const event of options.events ?? TO_LOCAL_VALIDATING) await applyEvent(ctx.db, 'run_1', { event });
  writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\n');
  writeFileSync(join(dir, 'src', 'new.txt'), 'new\n');
  rmSync(join(dir, 'old.txt'));
  mkdirSync(join(dir, '.agentpr_runtime'));
  writeFileSync(join(dir, '.agentpr_runtime', 'codex_last_message.txt'), 'not for the commit\n');
  return { ctx, upstream, fork, dir, branch: prepared.clone.feature_branch, base: prepared.clone.base_sha };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

describe('finishRun', () => {
  it('finishRun from LOCAL_VALIDATING commits exactly the measured files with the campaign body, pushes that commit to the fork and records PUSHED', async () => {
    const { ctx, upstream, fork, dir, branch, base } = await preparedRun();
    const budget = await diffSummary(testGit, dir, { ref: base });
    const identity = await workspaceIdentity(testGit, dir, budget.changed_files);
    const upstreamBefore = await lsRemote(upstream.url);

    const result = await finishRun(ctx, { runId: 'run_1', changes: 'Adds two to the app.' });

    expect(result).toMatchObject({ kind: 'pushed', branch, state: 'PUSHED', committed: true, changedFiles: ['old.txt', 'src/app.txt', 'src/new.txt'] });
    if (result.kind !== 'pushed') return;
    expect(await git(fork.url, ['rev-parse', `refs/heads/${branch}`])).toBe(result.headSha);
    expect(await git(dir, ['rev-parse', 'HEAD^'])).toBe(base);
    expect(await git(dir, ['rev-parse', 'HEAD^{tree}'])).toBe(identity.tree_sha);
    // Title and body from campaigns/example/campaign.json.
    expect(await git(dir, ['log', '-1', '--format=%B'])).toBe('feat: add example integration\n\nAdds two to the app.\n\nProject: widgets\nRun: run_1');
    expect(await lsRemote(upstream.url)).toBe(upstreamBefore);
    expect(await git(fork.url, ['rev-parse', 'refs/heads/main'])).toBe(upstream.headSha);

    const [pushed] = await listEvents(ctx.db, 'run_1', { limit: 1 });
    expect(pushed).toMatchObject({ event_type: 'worker.push.completed', actor: 'worker', payload: { branch, head_sha: result.headSha } });
    expect(await latestArtifact(ctx.db, 'run_1', 'branch')).toMatchObject({ uri: branch, metadata: { sha: result.headSha } });
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 1, step: 'finish' });
    expect(attempt).toMatchObject({ exit_code: 0, stage: 'LOCAL_VALIDATING' });
  });

  it('finishRun in IMPLEMENTING refuses before anything runs: no commit, no push, no attempt', async () => {
    const { ctx, fork, dir, base } = await preparedRun({ events: TO_LOCAL_VALIDATING.slice(0, 2) });
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('refused');
    expect(error.message).toBe('run run_1 is in IMPLEMENTING; run-finish needs LOCAL_VALIDATING, so nothing was committed or pushed. Run mark-local-validated after local validation passes.');
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(base);
    expect(await listAttempts(ctx.db, 'run_1', { limit: 10, step: 'finish' })).toEqual([]);
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('IMPLEMENTING');
  });

  it('finishRun with a commit title that has a newline fails with one line and leaves the fork untouched', async () => {
    const { ctx, fork, dir, base } = await preparedRun();
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: one\nfeat: two' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^--commit-title: the commit title has a line break; it must be one non-empty line in conventional-commit form/);
    expect(error.message).not.toContain('\n');
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(base);
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('LOCAL_VALIDATING');
  });

  it('finishRun with a title that is not a conventional commit refuses and says the rule', async () => {
    const { ctx, fork } = await preparedRun();
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'Add stuff' }));
    expect(error.message).toContain('`type(scope)!: description`');
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('finishRun without --commit-title when the campaign sets no default is a usage error', async () => {
    const campaignDir = tempDir('agentpr-campaign-');
    writeFileSync(join(campaignDir, 'campaign.json'), JSON.stringify({ branch_prefix: 'x/' }));
    const { ctx } = await preparedRun({ campaignDir });
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x' }));
    expect(error.code).toBe('usage');
    expect(error.message).toContain('--commit-title is required');
  });

  it('finishRun with a campaign body template naming an unknown placeholder fails before committing', async () => {
    const campaignDir = tempDir('agentpr-campaign-');
    writeFileSync(join(campaignDir, 'campaign.json'), JSON.stringify({ commit_body_template: '{changes} {provider_env_var}' }));
    const { ctx, fork } = await preparedRun({ campaignDir });
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('config');
    expect(error.message).toContain('unknown placeholder {provider_env_var}');
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('finishRun when the fork branch has other commits records the failed push and moves the run to FAILED_RETRYABLE without forcing', async () => {
    const { ctx, fork, branch } = await preparedRun();
    await pushCommit(fork.url, { branch, from: 'main', files: { 'theirs.txt': 'x\n' } });
    const before = await lsRemote(fork.url);
    const result = await finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' });
    expect(result).toMatchObject({ kind: 'failed', state: 'FAILED_RETRYABLE' });
    expect(result.kind === 'failed' && result.error).toContain('no force push');
    expect(await lsRemote(fork.url)).toBe(before);
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 1, step: 'finish' });
    expect(attempt).toMatchObject({ exit_code: 1 });
    expect((await getRun(ctx.db, 'run_1'))?.state.last_error).toMatch(/^finish:script_failed:git push to origin failed/);
  });

  it('finishRun while another worker holds the run lease fails with lease_held and pushes nothing', async () => {
    const { ctx, fork, dir, base } = await preparedRun();
    await acquireLease(ctx.db, 'run_1', 'other-host:1:run-agent-step', 60_000, () => new Date());
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('lease_held');
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(base);
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('LOCAL_VALIDATING');
  });

  it('finishRun on a run that was never prepared refuses and says to run run-prepare', async () => {
    const { ctx, store } = await workspaceContext();
    stores.push(store);
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    for (const event of [{ type: 'command.start.discovery' } as const, ...TO_LOCAL_VALIDATING]) await applyEvent(ctx.db, 'run_1', { event });
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('refused');
    expect(error.message).toBe('run run_1 has no prepare baseline; run run-prepare first.');
  });

  it('finishRun after the agent planted git hooks and an fsmonitor holds the run for review with protected_file_changed, runs no git, commits and pushes nothing', async () => {
    const { ctx, fork, dir, base } = await preparedRun();
    const markers = tempDir('agentpr-markers-');
    for (const hook of ['pre-commit', 'pre-push']) {
      writeFileSync(join(dir, '.git', 'hooks', hook), `#!/bin/sh\ntouch ${join(markers, hook)}\n`);
      chmodSync(join(dir, '.git', 'hooks', hook), 0o755);
    }
    writeFileSync(join(markers, 'fsmonitor.sh'), `#!/bin/sh\ntouch ${join(markers, 'fsmonitor')}\n`);
    chmodSync(join(markers, 'fsmonitor.sh'), 0o755);
    writeFileSync(join(dir, '.git', 'config'), `${readFileSync(join(dir, '.git', 'config'), 'utf8')}[core]\n\tfsmonitor = ${join(markers, 'fsmonitor.sh')}\n`);
    const before = await lsRemote(fork.url);

    const result = await finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' });

    expect(result).toMatchObject({ kind: 'held', reason: 'protected_file_changed', state: 'NEEDS_HUMAN_REVIEW' });
    expect(result.kind === 'held' && result.protectedChanges).toEqual([
      { path: '.git/config', kind: 'git_config', change: 'modified' },
      { path: '.git/hooks/pre-commit', kind: 'git_hooks', change: 'added' },
      { path: '.git/hooks/pre-push', kind: 'git_hooks', change: 'added' },
    ]);
    expect(result.kind === 'held' && result.error).toMatch(/^protected files changed: \.git\/config \(modified\), .*nothing was committed or pushed/);
    expect(existsSync(join(markers, 'pre-commit')) || existsSync(join(markers, 'pre-push')) || existsSync(join(markers, 'fsmonitor'))).toBe(false);
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(dir, ['-c', 'core.fsmonitor=false', 'rev-parse', 'HEAD'])).toBe(base);
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 1, step: 'finish' });
    expect(attempt).toMatchObject({ exit_code: 1, grade: 'HUMAN_REVIEW', reason_code: 'protected_file_changed', stage: 'LOCAL_VALIDATING' });
    expect(attempt!.stderr_log).toContain('added .git/hooks/pre-commit (git_hooks)');
    expect((await getRun(ctx.db, 'run_1'))?.state.last_error).toMatch(/^finish:protected_file_changed:protected files changed/);
  });

  it('finishRun with a changed CI workflow is held for review by default and commits it when the campaign sets allow_workflow_changes', async () => {
    const files = { '.github/workflows/ci.yml': 'on: push\n' };
    const held = await preparedRun({ files });
    writeFileSync(join(held.dir, '.github', 'workflows', 'ci.yml'), 'on: pull_request_target\n');
    const before = await lsRemote(held.fork.url);
    const refused = await finishRun(held.ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' });
    expect(refused).toMatchObject({ kind: 'held', reason: 'protected_file_changed', state: 'NEEDS_HUMAN_REVIEW', protectedChanges: [{ path: '.github/workflows/ci.yml', kind: 'workflow', change: 'modified' }] });
    expect(await lsRemote(held.fork.url)).toBe(before);

    const campaignDir = tempDir('agentpr-campaign-');
    writeFileSync(join(campaignDir, 'campaign.json'), JSON.stringify({ default_commit_title: 'ci: adjust workflow', allow_workflow_changes: true }));
    const allowed = await preparedRun({ campaignDir, files });
    writeFileSync(join(allowed.dir, '.github', 'workflows', 'ci.yml'), 'on: pull_request\n');
    const result = await finishRun(allowed.ctx, { runId: 'run_1', changes: 'x' });
    expect(result).toMatchObject({ kind: 'pushed', state: 'PUSHED' });
    expect(result.kind === 'pushed' && result.changedFiles).toContain('.github/workflows/ci.yml');
  });

  it('finishRun on a run prepared without a protected-file baseline refuses before the lease and says to run run-prepare again', async () => {
    const { ctx, fork } = await preparedRun();
    await addArtifact(ctx.db, { runId: 'run_1', type: 'workspace_prepared', uri: 'x', metadata: { base_branch: 'main', base_sha: 'a'.repeat(40), feature_branch: 'f', fork_owner: 'me' } });
    const before = await lsRemote(fork.url);
    const error = await rejection(finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('refused');
    expect(error.message).toContain('no protected-file baseline');
    expect(await lsRemote(fork.url)).toBe(before);
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('LOCAL_VALIDATING');
  });

  it('finishRun with the real runner built from ctx.env (secrets included) commits and pushes', async () => {
    const { ctx, fork, branch } = await preparedRun();
    ctx.env = { ...ctx.env, GITHUB_TOKEN: 'ghp_notusedforfilepushes0', AGENTPR_TELEGRAM_BOT_TOKEN: '1:x' };
    const result = await finishRun(ctx, { runId: 'run_1', changes: 'x', commitTitle: 'feat: x' });
    expect(result).toMatchObject({ kind: 'pushed', state: 'PUSHED' });
    expect(result.kind === 'pushed' && (await git(fork.url, ['rev-parse', `refs/heads/${branch}`]))).toBe(result.kind === 'pushed' && result.headSha);
  });

  it('finishRun on an unknown run fails with run_not_found', async () => {
    const { ctx, store } = await workspaceContext();
    stores.push(store);
    const error = await rejection(finishRun(ctx, { runId: 'run_nope', changes: 'x', commitTitle: 'feat: x' }));
    expect(error.code).toBe('run_not_found');
  });
});
