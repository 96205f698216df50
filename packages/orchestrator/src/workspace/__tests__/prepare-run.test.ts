import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLease, getRun, listArtifacts, listAttempts, listEvents, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, git, lsRemote, makeBareFork, makeImmutable, makeUpstream, pushCommit, tempDir } from '@agentpr/testing';
import { parseProtectedSnapshot, protectedDigest } from '@agentpr/workspace';
import { AgentprError } from '../../errors.js';
import { createRun } from '../../runs/create-run.js';
import { prepareRun } from '../prepare-run.js';
import { workspaceContext } from './harness.js';

const stores: OpenDatabase[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

async function setup() {
  const { ctx, store } = await workspaceContext();
  stores.push(store);
  const upstream = await makeUpstream();
  const fork = await makeBareFork(upstream);
  return { ctx, upstream, fork };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

describe('prepareRun', () => {
  it('prepareRun on two QUEUED runs of the same repo gives each its own workspace, moves them to DISCOVERY and records the prepare', async () => {
    const { ctx, upstream, fork } = await setup();
    const a = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_a' });
    const b = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_b' });

    const ra = await prepareRun(ctx, { runId: 'run_a', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
    const rb = await prepareRun(ctx, { runId: 'run_b', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });

    expect(a.workspace_dir).toBe(join(ctx.paths.workspaceRoot, 'acme', 'widgets', 'run_a'));
    expect(ra).toMatchObject({ kind: 'prepared', state: 'DISCOVERY', clone: { workspace_dir: a.workspace_dir, feature_branch: 'agentpr/example-20260225-004707-run_a', base_sha: upstream.headSha } });
    expect(rb).toMatchObject({ kind: 'prepared', clone: { workspace_dir: b.workspace_dir, feature_branch: 'agentpr/example-20260225-004707-run_b' } });
    expect(readdirSync(join(ctx.paths.workspaceRoot, 'acme', 'widgets')).sort()).toEqual(['run_a', 'run_b']);
    expect(await git(a.workspace_dir, ['branch', '--show-current'])).toBe('agentpr/example-20260225-004707-run_a');
    expect(ra.kind === 'prepared' && ra.stdoutTail).toContain('ready:');

    expect((await getRun(ctx.db, 'run_a'))?.state.current_state).toBe('DISCOVERY');
    const artifacts = await listArtifacts(ctx.db, 'run_a', { limit: 10, type: 'workspace_prepared' });
    expect(artifacts).toHaveLength(1);
    expect(artifacts[0]).toMatchObject({ uri: a.workspace_dir, metadata: { base_branch: 'main', base_sha: upstream.headSha, feature_branch: 'agentpr/example-20260225-004707-run_a', fork_owner: 'me' } });
    const attempts = await listAttempts(ctx.db, 'run_a', { limit: 10 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ step: 'prepare', attempt_no: 1, exit_code: 0, stage: 'DISCOVERY' });
    // The protected-file baseline run-finish and the agent step compare against.
    const snapshot = parseProtectedSnapshot(artifacts[0]!.metadata.protected_snapshot);
    expect(snapshot?.entries['.git/config']).toMatchObject({ kind: 'git_config', type: 'file' });
    expect(artifacts[0]!.metadata.protected_digest).toBe(protectedDigest(snapshot!));
  });

  it('prepareRun again on a clone whose post-checkout hook was planted since the last prepare runs no git and holds the run for review', async () => {
    const { ctx, upstream, fork } = await setup();
    const { workspace_dir: dir } = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    expect((await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' })).kind).toBe('prepared');
    const markers = tempDir('agentpr-markers-');
    writeFileSync(join(dir, '.git', 'hooks', 'post-checkout'), `#!/bin/sh\ntouch ${join(markers, 'post-checkout')}\n`);
    chmodSync(join(dir, '.git', 'hooks', 'post-checkout'), 0o755);

    const again = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });

    expect(again).toMatchObject({ kind: 'held', reason: 'protected_file_changed', state: 'NEEDS_HUMAN_REVIEW', protectedChanges: [{ path: '.git/hooks/post-checkout', kind: 'git_hooks', change: 'added' }] });
    expect(readdirSync(markers)).toEqual([]);
    expect(await listArtifacts(ctx.db, 'run_1', { limit: 10, type: 'workspace_prepared' })).toHaveLength(1);
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 1, step: 'prepare' });
    expect(attempt).toMatchObject({ exit_code: 1, grade: 'HUMAN_REVIEW', reason_code: 'protected_file_changed' });
  });

  it('prepareRun again on a clone with uncommitted changes, for another branch, refuses and names reset-workspace, leaving the changes in place', async () => {
    const { ctx, upstream, fork } = await setup();
    const { workspace_dir: dir } = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    expect((await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' })).kind).toBe('prepared');
    writeFileSync(join(dir, 'draft.txt'), 'work in progress\n');

    // Another feature branch: the clone would be switched, which the uncommitted change forbids.
    const again = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me', featureBranch: 'agentpr/other' });

    expect(again.kind).toBe('failed');
    expect(again.kind === 'failed' && again.error).toMatch(/uncommitted change\(s\) \(draft\.txt\); commit or discard them first\. To discard them \(saved as a patch first\): agentpr reset-workspace --run-id run_1$/);
    expect(existsSync(join(dir, 'draft.txt'))).toBe(true);
  });

  it('prepareRun with an upstream URL that does not exist records the failure, moves DISCOVERY to FAILED_RETRYABLE and leaves no workspace', async () => {
    const { ctx } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    const missing = join(ctx.paths.dataDir, 'does-not-exist.git');
    const result = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: missing });

    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.gitExit).toBe(128);
    expect(result.error).toMatch(/^cannot clone .*does-not-exist\.git: .*Check the upstream URL and your access to it\.$/);
    expect(result.error).not.toContain('\n');
    expect(result.state).toBe('FAILED_RETRYABLE');
    expect(existsSync(join(ctx.paths.workspaceRoot, 'acme'))).toBe(false);
    const [attempt] = await listAttempts(ctx.db, 'run_1', { limit: 10 });
    expect(attempt).toMatchObject({ step: 'prepare', exit_code: 128 });
    const [failed] = await listEvents(ctx.db, 'run_1', { limit: 1 });
    expect(failed).toMatchObject({ event_type: 'worker.step.failed', payload: { step: 'prepare', reason_code: 'script_failed', error_message: result.error } });
    expect((await getRun(ctx.db, 'run_1'))?.state.last_error).toBe(`prepare:script_failed:${result.error}`);
  });

  it('prepareRun when the feature branch already exists on the fork with other commits refuses clearly and leaves no workspace', async () => {
    const { ctx, upstream, fork } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    await pushCommit(fork.url, { branch: 'agentpr/taken', from: 'main', files: { 'x.txt': 'x\n' } });
    const before = await lsRemote(fork.url);
    const result = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, featureBranch: 'agentpr/taken' });
    expect(result).toMatchObject({
      kind: 'failed',
      gitExit: undefined,
      error: 'branch agentpr/taken already exists on the fork with 1 commit(s) not on the base; choose another --feature-branch or delete that branch.',
    });
    expect(existsSync(join(ctx.paths.workspaceRoot, 'acme'))).toBe(false);
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('prepareRun on an unknown run fails with run_not_found and creates nothing', async () => {
    const { ctx, upstream } = await setup();
    const error = await rejection(prepareRun(ctx, { runId: 'run_nope', upstreamUrl: upstream.url }));
    expect(error.code).toBe('run_not_found');
    expect(error.message).toBe('run run_nope not found. Use list-runs to see existing runs.');
    expect(existsSync(ctx.paths.workspaceRoot)).toBe(false);
  });

  it('prepareRun with an invalid --feature-branch fails before anything changes (state, attempts, disk)', async () => {
    const { ctx, upstream } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    const error = await rejection(prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, featureBranch: 'has space' }));
    expect(error).toBeInstanceOf(AgentprError);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('--feature-branch "has space" is not a valid branch name');
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('QUEUED');
    expect(await listAttempts(ctx.db, 'run_1', { limit: 10 })).toEqual([]);
  });

  it('prepareRun on a run whose lease another worker holds fails with lease_held and changes nothing', async () => {
    const { ctx, upstream } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    await acquireLease(ctx.db, 'run_1', 'other-host:1:run-agent-step', 60_000, () => new Date());
    const error = await rejection(prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url }));
    expect(error.code).toBe('lease_held');
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('QUEUED');
    expect(existsSync(join(ctx.paths.workspaceRoot, 'acme'))).toBe(false);
  });

  it('prepareRun with a workspace root that is not writable fails with one clear line and leaves nothing behind', async (testCtx) => {
    const { ctx, upstream } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    mkdirSync(ctx.paths.workspaceRoot, { recursive: true });
    const locked = await makeImmutable(ctx.paths.workspaceRoot);
    if (!locked.applied) testCtx.skip();
    let result;
    try {
      result = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url });
    } finally {
      await locked.restore();
    }
    expect(result).toMatchObject({ kind: 'failed', gitExit: undefined, state: 'FAILED_RETRYABLE' });
    expect(result.kind === 'failed' && result.error).toMatch(/^cannot create .*EPERM.*choose another --workspace-root\.$/);
    expect(readdirSync(ctx.paths.workspaceRoot)).toEqual([]);
  });

  it('prepareRun on a terminal run refuses without touching anything', async () => {
    const { ctx, upstream } = await setup();
    await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
    const { applyEvent } = await import('@agentpr/store');
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.step.failed', step: 'prepare', reason_code: 'script_failed', error_message: 'x' },
      { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW' },
      { type: 'command.mark.done' },
    ] as const) {
      await applyEvent(ctx.db, 'run_1', { event });
    }
    expect((await getRun(ctx.db, 'run_1'))?.state.current_state).toBe('DONE');
    const error = await rejection(prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url }));
    expect(error.code).toBe('refused');
    expect(error.message).toContain('terminal');
  });
});
