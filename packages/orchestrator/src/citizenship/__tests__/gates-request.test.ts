import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRun, latestPrRequest, listAuditRecords, listGateChecks } from '@agentpr/store';
import { cleanupTempDirs } from '@agentpr/testing';
import { defaultManagerActions } from '../../manager/default-actions.js';
import { managerTick, type TickOptions, type TickReport } from '../../manager/manager-tick.js';
import { approveOpenPr } from '../../pr-gate/approve-open-pr.js';
import { requestOpenPr, type RequestedPr } from '../../pr-gate/request-open-pr.js';
import { linkIssue } from '../link-issue.js';
import { activeRepo, gatesWorld, pushedOn, type GatesWorld } from './gates-fixture.js';

let world: GatesWorld;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  world = await gatesWorld();
});
afterEach(async () => {
  expect(world.stub.openApiViolations).toEqual([]);
  await world.close();
});

const BODY = '## Summary\n\nAdds the widgets integration.\n\n## Validation\n\n- npm test: passed\n';

function written(result: Awaited<ReturnType<typeof requestOpenPr>>): RequestedPr {
  if (result.kind !== 'requested') throw new Error(`expected a written request, but ${result.message}`);
  return result;
}

/** Requests and approves the run's PR; returns the PR as the stand-in holds it. */
async function openPr(runId: string, owner: string, repo: string) {
  const req = written(await requestOpenPr(world.ctx, { runId, title: `feat(${repo}): add the widgets integration`, body: BODY }));
  const opened = await approveOpenPr(world.ctx, { runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
  if (opened.kind !== 'opened') throw new Error(`expected an opened PR, got ${opened.kind}`);
  return world.stub.getPull(owner, repo, opened.pr_number)!;
}

function tickOptions(runId: string): TickOptions {
  return {
    runId,
    limit: 5,
    maxActionsPerRun: 3,
    dryRun: false,
    hasPrompt: false,
    skillsMode: () => 'off',
    maxRetriesPerRun: 2,
    actionTimeoutMs: 60_000,
    agentTimeoutMs: () => 60_000,
    syncIntervalMs: 60_000,
    backoffBaseMs: 30_000,
    concurrency: 1,
    holder: 'test-manager',
    signal: new AbortController().signal,
  };
}

const actionsOf = (report: TickReport) =>
  (report.results[0]?.actions ?? []).map((a) => ({ action: a.action, reason: a.reason, result: a.result, detail: a.detail }));

describe('the PR request and its approval ask the gates', () => {
  it('an opened PR carries the AI disclosure in its body, read back from GitHub', async () => {
    activeRepo(world, 'acme', 'widgets');
    const run = await pushedOn(world, 'acme', 'widgets');
    const pr = await openPr(run.runId, 'acme', 'widgets');
    expect(pr.body).toContain('Adds the widgets integration.');
    expect(pr.body).toMatch(/\n## AI assistance\n\nThis pull request was prepared with the help of an AI coding agent \(agentpr\)\. .*\n$/);
    expect(pr.body).not.toContain('Closes #');
  });

  it('an issue-first repository blocks the request until link-issue; then the request goes through and the PR says "Closes #N"', async () => {
    activeRepo(world, 'acme', 'widgets', { 'CONTRIBUTING.md': '# Contributing\n\nAll pull requests must be linked to an approved issue.\n' });
    const issue = world.stub.addIssue('acme', 'widgets', { title: 'Support widgets', author: 'maintainer' });
    const run = await pushedOn(world, 'acme', 'widgets');
    const blocked = await requestOpenPr(world.ctx, { runId: run.runId, title: 'feat(widgets): add the widgets integration', body: BODY });
    expect(blocked).toMatchObject({ kind: 'gated', gate: 'ai_policy', outcome: 'blocked', reason_code: 'ai_policy_issue_first', state: 'NEEDS_HUMAN_REVIEW' });
    if (blocked.kind !== 'gated') throw new Error('expected gated');
    expect(blocked.next_commands).toEqual([`agentpr link-issue --run-id ${run.runId} --issue <number>`, `agentpr request-open-pr --run-id ${run.runId}`]);
    expect(await latestPrRequest(world.ctx.db, run.runId)).toBeUndefined();

    await linkIssue(world.ctx, { runId: run.runId, issue: issue.number });
    const req = written(await requestOpenPr(world.ctx, { runId: run.runId, title: 'feat(widgets): add the widgets integration', body: BODY }));
    expect((await getRun(world.ctx.db, run.runId))?.state.current_state).toBe('PUSHED');
    expect(req.citizenship).toEqual({ disclosure: true, issue_number: issue.number });
    expect(req.preview.body).toContain(`\n\nCloses #${issue.number}\n\n## AI assistance\n\n`);
    const opened = await approveOpenPr(world.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
    if (opened.kind !== 'opened') throw new Error(`expected opened, got ${opened.kind}`);
    const pr = world.stub.getPull('acme', 'widgets', opened.pr_number)!;
    expect(pr.body).toContain(`Closes #${issue.number}`);
    expect(pr.body).toContain('## AI assistance');
  });

  it('the hourly limit holds a request (nothing written, which limit and when it frees), the manager waits, and the request goes through once the hour has passed', async () => {
    world.policy({ campaign_defaults: { etiquette: { max_prs_per_hour: 1, max_prs_per_day: 0, max_open_prs_per_repo: 0, max_open_prs_per_owner: 0 } } });
    activeRepo(world, 'acme', 'widgets');
    activeRepo(world, 'acme', 'gadgets');
    const first = await pushedOn(world, 'acme', 'widgets');
    const openedAt = world.app.clock().getTime();
    await openPr(first.runId, 'acme', 'widgets');
    const second = await pushedOn(world, 'acme', 'gadgets');
    world.app.clock.advance(10 * 60_000);

    const held = await requestOpenPr(world.ctx, { runId: second.runId, title: 'feat(gadgets): add the widgets integration', body: BODY });
    const freesAt = new Date(openedAt + 3_600_000).toISOString();
    expect(held).toMatchObject({ kind: 'gated', gate: 'etiquette', outcome: 'held', reason_code: 'limit_max_prs_per_hour', frees_at: freesAt, state: 'PUSHED' });
    if (held.kind !== 'gated') throw new Error('expected gated');
    expect(held.message).toMatch(/^request-open-pr held by the etiquette gate: .*1 .*hour.*; no request was written; ask again once it frees/);
    expect(await latestPrRequest(world.ctx.db, second.runId)).toBeUndefined();

    // The manager does not ask again every tick: it waits, naming the limit, until the limit frees.
    const actions = defaultManagerActions({ changes: 'unused at PUSHED' });
    const waiting = actionsOf(await managerTick(world.ctx, actions, tickOptions(second.runId)));
    expect(waiting).toEqual([{ action: 'noop', reason: expect.stringMatching(new RegExp(`^held by the etiquette gate \\(limit_max_prs_per_hour\\) until ${freesAt}: `)), result: 'no_execution', detail: undefined }]);
    // Only the held request's own verdicts (AI policy passed, etiquette held): the waiting ticks asked nothing.
    expect((await listGateChecks(world.ctx.db, second.runId)).map((c) => c.outcome)).toEqual(['held', 'pass']);

    world.app.clock.set(new Date(openedAt + 3_600_000 + 1000).toISOString());
    const freed = actionsOf(await managerTick(world.ctx, actions, tickOptions(second.runId)));
    expect(freed[0]).toMatchObject({ action: 'request_pr', detail: { step: 'pr_request', result: { kind: 'requested' } } });
    expect((await latestPrRequest(world.ctx.db, second.runId))?.body).toContain('## AI assistance');
  });

  it("approval is held when the owner's cap filled up after the request; the request stays valid and --ignore-limits opens it, audited", async () => {
    world.policy({ campaign_defaults: { etiquette: { max_prs_per_hour: 0, max_prs_per_day: 0, max_open_prs_per_repo: 0, max_open_prs_per_owner: 1 } } });
    activeRepo(world, 'acme', 'widgets');
    activeRepo(world, 'acme', 'gadgets');
    const first = await pushedOn(world, 'acme', 'widgets');
    const second = await pushedOn(world, 'acme', 'gadgets');
    const req = written(await requestOpenPr(world.ctx, { runId: second.runId, title: 'feat(gadgets): add the widgets integration', body: BODY }));
    await openPr(first.runId, 'acme', 'widgets');

    const approval = { runId: second.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true };
    const held = await approveOpenPr(world.ctx, approval);
    expect(held).toMatchObject({ kind: 'gated', phase: 'pr_approve', gate: 'etiquette', outcome: 'held', reason_code: 'limit_max_open_prs_per_owner', state: 'PUSHED' });
    if (held.kind !== 'gated') throw new Error('expected gated');
    expect(held.message).toMatch(/^approve-open-pr held by the etiquette gate: .*; no PR was opened and the request stays valid; ask again once it frees/);
    expect((await latestPrRequest(world.ctx.db, second.runId))?.consumed_at).toBeNull();
    expect(world.stub.listPulls('acme', 'gadgets')).toHaveLength(0);

    const forced = await approveOpenPr(world.ctx, { ...approval, ignoreLimits: true });
    expect(forced).toMatchObject({ kind: 'opened', state: 'CI_WAIT' });
    const audit = (await listAuditRecords(world.ctx.db, { limit: 10, runId: second.runId })).find((a) => a.kind === 'gate_override:etiquette');
    expect(audit).toMatchObject({ actor: 'operator' });
    expect(JSON.parse(audit!.detail_json)).toMatchObject({ phase: 'pr_approve', reason_code: 'limits_ignored' });
    expect(audit!.detail_json).toContain('max_open_prs_per_owner');
  });
});
