import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPrActivity, recordPrOpened } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { githubPort, runInCiWait, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { managerTick, type ManagerActions, type TickOptions } from '../../manager/index.js';
import { fakeGitHub, type FakeGitHub } from './pr-followup-fake.js';

const T0 = '2026-11-23T10:00:00.000Z';
const DAY = 86_400_000;

let tdb: TestDatabase;
let app: TestApp;
let ctx: AppContext;
let github: FakeGitHub;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  let clock: () => Date = () => new Date(T0);
  github = fakeGitHub(() => clock());
  app = await testApp(tdb.location, 'manager');
  clock = app.clock;
  app.clock.set(T0);
  ctx = { ...app.ctx, github: githubPort(github) };
  mkdirSync(dirname(ctx.paths.policyFile), { recursive: true });
  const stale = { enabled: true, followup_after_days: 3, close_after_days: 3 };
  writeFileSync(ctx.paths.policyFile, JSON.stringify({ campaign_defaults: { stale_followup: stale } }));
  github.open(7, T0);
  await runInCiWait(ctx, { runId: 'run_tick', owner: 'Acme', repo: 'Widgets', prNumber: 7, sha: 'a'.repeat(40) });
  await recordPrOpened(ctx.db, { runId: 'run_tick', owner: 'Acme', repo: 'Widgets', campaign: null, prNumber: 7, prUrl: null, openedAt: T0 }, ctx.clock);
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

/** The run only ever needs a sync here; every other action would be a bug. */
const actions: ManagerActions = {
  runPrepare: () => Promise.reject(new Error('unexpected')),
  runAgentStep: () => Promise.reject(new Error('unexpected')),
  runFinish: () => Promise.reject(new Error('unexpected')),
  syncGithub: async () => ({ kind: 'done', detail: { step: 'event', event_type: 'github.check.completed', state: 'CI_WAIT', duplicate: false } }),
  requestPr: () => Promise.reject(new Error('unexpected')),
  prePushCheck: async () => ({ ok: true, failed: [] }),
  contractFromLastMessage: async () => ({ kind: 'needs_review', reason: 'none' }),
};

function options(over: Partial<TickOptions> = {}): TickOptions {
  return {
    limit: 20, maxActionsPerRun: 2, dryRun: false, hasPrompt: true, skillsMode: () => 'off', maxRetriesPerRun: 2, actionTimeoutMs: 60_000, agentTimeoutMs: () => 60_000,
    syncIntervalMs: 60_000, backoffBaseMs: 30_000, concurrency: 1, holder: 'tick-holder', signal: new AbortController().signal, ...over,
  };
}

describe('managerTick runs the PR follow-up sweep once per tick', () => {
  it('a tick records the maintainer activity and posts the due follow-up; a one-run tick and prFollowup false do not sweep', async () => {
    app.clock.set(new Date(Date.parse(T0) + 4 * DAY).toISOString());
    expect((await managerTick(ctx, actions, options({ runId: 'run_tick' }))).pr_followup).toBeUndefined();
    expect((await managerTick(ctx, actions, options({ prFollowup: false }))).pr_followup).toBeUndefined();
    expect(github.comments.get(7) ?? []).toEqual([]);
    const report = await managerTick(ctx, actions, options());
    expect(report.pr_followup).toEqual({ kind: 'swept', looked_at: 1, counts: { followed_up: 1 }, errors: [] });
    expect(github.comments.get(7)).toHaveLength(1);
    expect(await getPrActivity(ctx.db, 'run_tick')).toMatchObject({ followup_at: expect.any(String), followup_comment_id: expect.any(String) });
  });

  it('a GitHub failure in the sweep is logged and summarised, never a failed tick', async () => {
    github.getPullRequest = async () => {
      throw new Error('GitHub is down');
    };
    const report = await managerTick(ctx, actions, options());
    expect(report.ok).toBe(true);
    expect(report.pr_followup).toEqual({ kind: 'swept', looked_at: 1, counts: { failed: 1 }, errors: ['run_tick (PR #7): GitHub call failed: GitHub is down'] });
    expect(app.log.lines.some((l) => l.level === 'warn' && l.message.startsWith('pr follow-up'))).toBe(true);
  });

  it('a policy file that does not parse makes the sweep a failed summary, and the tick goes on', async () => {
    writeFileSync(ctx.paths.policyFile, '{ not json');
    const report = await managerTick(ctx, actions, options({ runId: undefined }));
    expect(report.pr_followup).toMatchObject({ kind: 'failed', looked_at: 0, errors: [expect.stringContaining('invalid JSON')] });
  });
});
