import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOctokitClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { applyEvent, getRun, listEvents, type OpenDatabase } from '@agentpr/store';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, git, makeBareFork, makeUpstream } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { addDigest, githubPort } from '../../__tests__/github-fixtures.js';
import { syncGithub } from '../../github-sync/sync-github.js';
import { approveOpenPr } from '../../pr-gate/approve-open-pr.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { createRun } from '../../runs/create-run.js';
import { finishRun } from '../finish-run.js';
import { prepareRun } from '../prepare-run.js';
import { workspaceContext } from './harness.js';

const stores: OpenDatabase[] = [];
const stubs: GitHubStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  cleanupTempDirs();
});

const TO_LOCAL_VALIDATING: RunEvent[] = [
  { type: 'worker.discovery.completed', contract_path: 'c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
];

/** A prepared run at LOCAL_VALIDATING with an agent's change, and a context whose GitHub is the stand-in. */
async function runWithStandIn(): Promise<{ ctx: AppContext; stub: GitHubStub; dir: string; branch: string }> {
  const { ctx: base, store } = await workspaceContext();
  stores.push(store);
  const stub = await startGitHubStub({ token: 'stand-in-token' });
  stubs.push(stub);
  const ctx: AppContext = { ...base, github: githubPort(createOctokitClient({ token: 'stand-in-token', baseUrl: stub.url, throttle: false, retries: 0 })) };
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n' } });
  const fork = await makeBareFork(upstream);
  const { workspace_dir: dir } = await createRun(ctx, { owner: 'acme', repo: 'widgets', prompt_version: 'v1', run_id: 'run_1' });
  const prepared = await prepareRun(ctx, { runId: 'run_1', upstreamUrl: upstream.url, forkUrl: fork.url, forkOwner: 'me' });
  if (prepared.kind !== 'prepared') throw new Error(prepared.error);
  for (const event of TO_LOCAL_VALIDATING) await applyEvent(ctx.db, 'run_1', { event });
  writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\n');
  stub.addRepo('acme', 'widgets', { defaultBranch: 'main' });
  return { ctx, stub, dir, branch: prepared.clone.feature_branch };
}

const stateOf = async (ctx: AppContext) => (await getRun(ctx.db, 'run_1'))!.state.current_state;

describe('finishRun on a run with an open PR (issue 15: the loop closes itself)', () => {
  it('a CI-fix round re-pushed by run-finish goes to CI_WAIT on its own, and the next check result for the new head moves it on', async () => {
    const { ctx, stub, dir, branch } = await runWithStandIn();
    const first = await finishRun(ctx, { runId: 'run_1', changes: 'Adds two to the app.' });
    expect(first).toMatchObject({ kind: 'pushed', state: 'PUSHED' });
    expect(first).not.toHaveProperty('prNumber');
    if (first.kind !== 'pushed') return;

    // The PR is opened through the gate, against the stand-in.
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'me', branch, sha: first.headSha });
    await addDigest(ctx, 'run_1', await git(dir, ['rev-parse', 'HEAD^{tree}']));
    const request = await requestOpenPr(ctx, { runId: 'run_1', title: 'feat(widgets): add two to the app', body: 'Adds two to the app.' });
    const opened = await approveOpenPr(ctx, { runId: 'run_1', requestFile: request.request_file, confirmToken: request.confirm_token, confirm: true });
    expect(opened).toMatchObject({ kind: 'opened', pr_number: 1 });
    expect(await stateOf(ctx)).toBe('CI_WAIT');

    // CI fails; the agent fixes it and validates; run-finish pushes the fix to the PR's branch.
    await applyEvent(ctx.db, 'run_1', { event: { type: 'github.check.completed', conclusion: 'failure', pr_number: 1, head_sha: first.headSha, actor: 'webhook' } });
    expect(await stateOf(ctx)).toBe('ITERATING');
    writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\nthree\n');
    await applyEvent(ctx.db, 'run_1', { event: { type: 'command.local.validation.passed' } });
    const fix = await finishRun(ctx, { runId: 'run_1', changes: 'Fixes the failing check.' });

    expect(fix).toMatchObject({ kind: 'pushed', state: 'CI_WAIT', prNumber: 1 });
    if (fix.kind !== 'pushed') return;
    const [linked, pushed] = await listEvents(ctx.db, 'run_1', { limit: 2 });
    expect(pushed).toMatchObject({ event_type: 'worker.push.completed', payload: { head_sha: fix.headSha } });
    expect(linked).toMatchObject({ event_type: 'command.pr.linked', actor: 'worker', applied: 1, payload: { pr_number: 1 } });
    expect((await getRun(ctx.db, 'run_1'))!.run.pr_number).toBe(1);

    // GitHub sees the new head and its checks pass: sync applies the roll-up (the re-link is already recorded).
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'me', branch, sha: fix.headSha });
    stub.addCheckRun('acme', 'widgets', fix.headSha, { name: 'tests', conclusion: 'success' });
    const synced = await syncGithub(ctx, { runId: 'run_1' });
    expect(synced.kind).toBe('all_synced');
    expect(await stateOf(ctx)).toBe('REVIEW_WAIT');
  });

  it('a push to a run whose PR was closed unmerged stays at PUSHED: the closed PR takes no new head', async () => {
    const { ctx } = await runWithStandIn();
    await ctx.db.updateTable('runs').set({ pr_number: 9 }).where('run_id', '=', 'run_1').execute();
    await applyEvent(ctx.db, 'run_1', { event: { type: 'github.pull_request.closed', pr_number: 9, merged: false, actor: 'sync' }, storeOnly: { reason: 'test' } });
    const result = await finishRun(ctx, { runId: 'run_1', changes: 'Adds two to the app.' });
    expect(result).toMatchObject({ kind: 'pushed', state: 'PUSHED' });
    expect(result).not.toHaveProperty('prNumber');
    expect((await listEvents(ctx.db, 'run_1', { limit: 1 }))[0]?.event_type).toBe('worker.push.completed');
  });
});
