import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addArtifact, applyEvent, getRun, latestPrRequest, prRequestsAfter } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { addDigest, git, pushedRun, pushFix, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';
import { defaultManagerActions, managerTick, type TickOptions, type TickReport } from '../index.js';

const EXAMPLE_CAMPAIGN = fileURLToPath(new URL('../../../../../campaigns/example', import.meta.url));

afterAll(() => cleanupTempDirs());

function options(over: Partial<TickOptions> = {}): TickOptions {
  return {
    limit: 20,
    maxActionsPerRun: 4,
    dryRun: false,
    hasPrompt: false,
    skillsMode: () => 'off',
    maxRetriesPerRun: 2,
    actionTimeoutMs: 60_000,
    agentTimeoutMs: () => 60_000,
    syncIntervalMs: 60_000,
    backoffBaseMs: 30_000,
    concurrency: 1,
    holder: 'test-holder',
    signal: new AbortController().signal,
    ...over,
  };
}

describe.each(dialectsUnderTest())('the manager at PUSHED on %s (issue 15)', (kind) => {
  let tdb: TestDatabase;
  let app: TestApp;
  let run: PushedRun;
  const actions = defaultManagerActions({ changes: 'unused at PUSHED' });
  const tick = async (over: Partial<TickOptions> = {}): Promise<TickReport> => {
    app.clock.advance(5 * 60_000);
    return managerTick(app.ctx, actions, options(over));
  };

  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location, 'manager');
    cpSync(EXAMPLE_CAMPAIGN, app.ctx.paths.campaignDir, { recursive: true });
    run = await pushedRun(app.ctx, { owner: 'octo-org', repo: 'widgets' });
    const base = await git(run.workspace, 'rev-parse', 'main');
    await addArtifact(app.ctx.db, { runId: run.runId, type: 'workspace_prepared', uri: run.workspace, metadata: { base_branch: 'main', base_sha: base, fork_owner: 'forker' } }, app.ctx.clock);
    const message = join(app.ctx.paths.reportsDir, `${run.runId}_last_message.txt`);
    writeFileSync(message, 'Status: PASS\nRecorded the first change in change.txt, as the contract asks.\n');
    await addDigest(app.ctx, run.runId, await git(run.workspace, 'rev-parse', 'HEAD^{tree}'), {
      classification: { grade: 'PASS', reason_code: 'runtime_success', evidence: [{ line: 8, command: "/bin/bash -c 'npm test'", exit_code: 0, note: 'test evidence' }] },
      validation: { test_command_count: 1, test_commands: ["/bin/bash -c 'npm test'"], failed_test_command_count: 0, failed_test_commands: [], waived_test_failures: [] },
      artifacts: { last_message_path: message },
    });
  });
  afterEach(async () => {
    await app.close();
    await tdb.drop();
  });

  it('requests the PR exactly once per pushed head across ticks, notifiably, with the rendered text and no token in the report', async () => {
    const first = await tick();
    const actionsOf = (r: TickReport) => r.results[0]?.actions ?? [];
    expect(actionsOf(first).map((a) => [a.action, a.ok ?? a.result])).toEqual([['request_pr', true], ['wait_human', 'no_execution']]);
    const request = await latestPrRequest(app.ctx.db, run.runId);
    expect(request).toMatchObject({ head_sha: run.headSha, title: 'feat(widgets): add example integration', consumed_at: null });
    expect(request?.body).toContain('Recorded the first change in change.txt');
    expect(request?.body).not.toMatch(/\{(summary|changes|validation)\}/);
    expect(actionsOf(first)[0]?.detail).toEqual({
      step: 'pr_request',
      result: { kind: 'requested', request_file: request?.request_file, expires_at: request?.expires_at, title: 'feat(widgets): add example integration', base: 'main', head: run.branch },
    });
    expect(actionsOf(first)[1]?.awaiting).toMatchObject({
      action: 'approve_pr',
      command: `agentpr approve-open-pr --run-id ${run.runId} --request-file ${request?.request_file} --confirm-token <token> --confirm`,
    });
    // The token is never in the report: only its hash is stored, and the report names where to get one.
    const text = JSON.stringify(first);
    expect(text).not.toMatch(/confirm_token/);
    expect(text).not.toMatch(/\b[0-9A-F]{32}\b/);
    expect(readFileSync(request!.request_file, 'utf8')).not.toMatch(/"confirm_token"/);
    // The notifier announces it: a pending request row for the run's pushed head.
    expect(await prRequestsAfter(app.ctx.db, 0, 10)).toEqual([expect.objectContaining({ run_id: run.runId, consumed_at: null, current_state: 'PUSHED' })]);

    for (let i = 0; i < 3; i++) expect((await tick()).run_count).toBe(0);
    const byId = await tick({ runId: run.runId });
    expect(actionsOf(byId).map((a) => a.action)).toEqual(['wait_human']);
    expect(await prRequestsAfter(app.ctx.db, 0, 10)).toHaveLength(1);

    // A new head (the operator sent the run back for a fix before any PR was opened) gets its own request, once.
    await applyEvent(app.ctx.db, run.runId, { event: { type: 'command.pause', actor: 'operator' } }, app.ctx.clock);
    await applyEvent(app.ctx.db, run.runId, { event: { type: 'command.resume', target_state: 'ITERATING', actor: 'operator' } }, app.ctx.clock);
    const fixed = await pushFix(app.ctx, run, 'the fix\n');
    await addDigest(app.ctx, run.runId, await git(run.workspace, 'rev-parse', 'HEAD^{tree}'), { artifacts: { last_message_path: join(app.ctx.paths.reportsDir, `${run.runId}_last_message.txt`) } });
    expect(actionsOf(await tick()).map((a) => a.action)).toEqual(['request_pr', 'wait_human']);
    expect((await tick()).run_count).toBe(0);
    const requests = await prRequestsAfter(app.ctx.db, 0, 10);
    expect(requests).toHaveLength(2);
    expect(await latestPrRequest(app.ctx.db, run.runId)).toMatchObject({ head_sha: fixed });
  });

  it('a refused request (the campaign template leaves a placeholder) escalates the run with the reason and the commands to get out', async () => {
    const template = join(app.ctx.paths.campaignDir, 'pr_description_template.md');
    writeFileSync(template, `${readFileSync(template, 'utf8')}\n## Risk\n\n{risk_assessment}\n`);
    const report = await tick();
    const acted = report.results[0]?.actions ?? [];
    expect(acted[0]).toMatchObject({ action: 'request_pr', ok: true, detail: { step: 'pr_request', result: { kind: 'refused', code: 'refused', escalated_to: 'NEEDS_HUMAN_REVIEW' } } });
    expect(acted[1]).toMatchObject({
      state: 'NEEDS_HUMAN_REVIEW',
      action: 'wait_human',
      awaiting: {
        action: 'review_escalation',
        command: `agentpr inspect-run --run-id ${run.runId}`,
        alternatives: [`agentpr retry --run-id ${run.runId} --target-state PUSHED`, `agentpr mark-done --run-id ${run.runId} --force`],
      },
    });
    const { state } = (await getRun(app.ctx.db, run.runId))!;
    expect(state.current_state).toBe('NEEDS_HUMAN_REVIEW');
    expect(state.last_error).toMatch(/^manager:PR request refused: .*risk_assessment/);
    expect(await latestPrRequest(app.ctx.db, run.runId)).toBeUndefined();
  });
});
