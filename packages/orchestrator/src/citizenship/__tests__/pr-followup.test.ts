import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPrActivity, getRun, recordPrOpened } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { githubPort, runInCiWait, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { FOLLOWUP_MARKER, STALE_CLOSE_MARKER } from '../pr-activity-read.js';
import { prSweepSummary, sweepPrActivity, type PrSweepInput } from '../pr-followup.js';
import { fakeGitHub, type FakeGitHub } from './pr-followup-fake.js';

const DAY = 86_400_000;
const T0 = '2026-11-23T10:00:00.000Z';
const day = (n: number) => new Date(Date.parse(T0) + n * DAY).toISOString();

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
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

function writePolicy(policy: unknown): void {
  mkdirSync(dirname(ctx.paths.policyFile), { recursive: true });
  writeFileSync(ctx.paths.policyFile, JSON.stringify(policy));
}

const STALE_ON = {
  campaign_defaults: {
    stale_followup: {
      enabled: true,
      followup_after_days: 7,
      close_after_days: 7,
      followup_template: 'Hi! Friendly check-in after {days} days on {owner}/{repo}#{pr_number}.',
      close_template: 'Closing after {days} quiet days. Thank you for maintaining {repo}!',
    },
  },
};

/** A run in CI_WAIT whose PR #7 agentpr opened at T0. */
async function openedRun(runId = 'run_stale', pr = 7): Promise<void> {
  github.open(pr, T0);
  await runInCiWait(ctx, { runId, owner: 'Acme', repo: 'Widgets', prNumber: pr, sha: 'a'.repeat(40) });
  await recordPrOpened(ctx.db, { runId, owner: 'Acme', repo: 'Widgets', campaign: null, prNumber: pr, prUrl: null, openedAt: T0 }, ctx.clock);
}

async function sweepAt(n: number, input: PrSweepInput = {}) {
  app.clock.set(day(n));
  const result = await sweepPrActivity(ctx, { minIntervalMinutes: 0, ...input });
  expect(result.kind).toBe('swept');
  return result.kind === 'swept' ? result.items : [];
}

const marked = (marker: string) => (github.comments.get(7) ?? []).filter((c) => c.body.includes(marker));

describe('sweepPrActivity: the stale follow-up', () => {
  it('a stale PR gets exactly one follow-up, then is closed with the thank-you and the run ends SKIPPED with reason stale', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    expect((await sweepAt(6))[0]!.outcome).toEqual({ kind: 'waiting', next: { step: 'followup', at: day(7) }, note: null });
    const followed = await sweepAt(7);
    expect(followed[0]!.outcome).toMatchObject({ kind: 'followed_up', found_posted: false });
    expect(marked(FOLLOWUP_MARKER).map((c) => c.body)).toEqual([`Hi! Friendly check-in after 7 days on Acme/Widgets#7.\n\n${FOLLOWUP_MARKER}`]);
    expect((await sweepAt(8))[0]!.outcome).toEqual({ kind: 'waiting', next: { step: 'close', at: day(14) }, note: null });
    expect(marked(FOLLOWUP_MARKER)).toHaveLength(1);

    const closed = await sweepAt(14);
    expect(closed[0]!.outcome).toMatchObject({ kind: 'stale_closed', state: 'SKIPPED' });
    expect(marked(FOLLOWUP_MARKER)).toHaveLength(1);
    expect(marked(STALE_CLOSE_MARKER).map((c) => c.body)).toEqual([`Closing after 14 quiet days. Thank you for maintaining Widgets!\n\n${STALE_CLOSE_MARKER}`]);
    expect(github.pulls.get(7)!.state).toBe('closed');
    const { state } = (await getRun(ctx.db, 'run_stale'))!;
    expect(state.current_state).toBe('SKIPPED');
    expect(state.last_error).toMatch(/^skip:stale:PR #7 was closed after its follow-up found no maintainer response/);
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ followup_at: day(7), stale_closed_at: day(14), closed_at: day(14), rejection_category: 'no_response', first_response_at: null });
    expect(await sweepAt(30)).toEqual([]);
    expect(github.calls.filter((c) => c.startsWith('createIssueComment'))).toHaveLength(2);
  });

  it('a maintainer comment after the follow-up resets the clock: no close, no second follow-up, a new silence period', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    await sweepAt(7);
    app.clock.set(day(9));
    github.comment(7, 'Sorry for the wait, I will look at it next week.', 'maint', 'MEMBER');
    const after = await sweepAt(14);
    expect(after[0]).toMatchObject({ first_response_at: day(9), last_maintainer_activity_at: day(9), outcome: { kind: 'waiting', next: { step: 'close', at: day(23) } } });
    expect(await sweepAt(22)).toMatchObject([{ outcome: { kind: 'waiting' } }]);
    expect(marked(FOLLOWUP_MARKER)).toHaveLength(1);
    expect(github.pulls.get(7)!.state).toBe('open');
    expect((await sweepAt(23))[0]!.outcome).toMatchObject({ kind: 'stale_closed' });
    expect(marked(FOLLOWUP_MARKER)).toHaveLength(1);
  });

  it('a crash between posting and recording does not double-post: the next sweep finds the comment and records it', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    github.crashAfterPost = true;
    const crashed = await sweepAt(7);
    expect(crashed[0]!.outcome).toEqual({ kind: 'failed', error: 'GitHub call failed: killed after posting' });
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ followup_at: day(7), followup_comment_id: null });
    const resumed = await sweepAt(7.5);
    const posted = marked(FOLLOWUP_MARKER);
    expect(posted).toHaveLength(1);
    expect(resumed[0]!.outcome).toEqual({ kind: 'followed_up', comment_id: String(posted[0]!.id), found_posted: true });
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ followup_at: day(7), followup_comment_id: String(posted[0]!.id) });
    expect(github.calls.filter((c) => c.startsWith('createIssueComment'))).toHaveLength(1);
    // The close is timed from the claimed follow-up.
    expect((await sweepAt(13))[0]!.outcome).toEqual({ kind: 'waiting', next: { step: 'close', at: day(14) }, note: null });
  });

  it('a crash after the thank-you but before the close finishes the close without a second thank-you', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    await sweepAt(7);
    const close = github.closePullRequest!;
    github.closePullRequest = async () => {
      throw new Error('killed before closing');
    };
    expect((await sweepAt(14))[0]!.outcome).toMatchObject({ kind: 'failed' });
    expect(marked(STALE_CLOSE_MARKER)).toHaveLength(1);
    github.closePullRequest = close;
    expect((await sweepAt(14.1))[0]!.outcome).toMatchObject({ kind: 'stale_closed', state: 'SKIPPED' });
    expect(marked(STALE_CLOSE_MARKER)).toHaveLength(1);
  });

  it('is off by default: no comment after 60 silent days', async () => {
    await openedRun();
    expect((await sweepAt(60))[0]!.outcome).toEqual({ kind: 'waiting', next: null, note: 'stale follow-up is off for this campaign' });
    expect(github.comments.get(7) ?? []).toEqual([]);
  });

  it('a due follow-up outside the schedule window is held until the window opens', async () => {
    writePolicy({ ...STALE_ON, campaign_defaults: { ...STALE_ON.campaign_defaults, etiquette: { schedule: { time_zone: 'UTC', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }] } } } });
    await openedRun();
    // T0 is a Monday 10:00 UTC; day 8 is Tuesday.
    expect((await sweepAt(8))[0]!.outcome).toEqual({ kind: 'held', step: 'followup', reason_code: 'outside_schedule', frees_at: '2026-12-07T09:00:00.000Z' });
    expect(github.comments.get(7) ?? []).toEqual([]);
    expect((await sweepAt(14))[0]!.outcome).toMatchObject({ kind: 'followed_up' });
  });

  it('a run not waiting on maintainers (ITERATING after changes were requested) gets no follow-up', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    await ctx.db.updateTable('run_states').set({ current_state: 'ITERATING' }).where('run_id', '=', 'run_stale').execute();
    expect((await sweepAt(20))[0]!.outcome).toEqual({ kind: 'waiting', next: null, note: 'the run is ITERATING, not waiting on maintainers' });
  });
});

describe('sweepPrActivity: what maintainers did', () => {
  it('records the first maintainer response time; non-maintainers, the PR author and our own comments do not count', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    app.clock.set(day(1));
    github.comment(7, '+1 would love this', 'passerby', 'NONE');
    github.comment(7, 'Rebased on main.', 'agentpr-bot', 'CONTRIBUTOR');
    app.clock.set(day(2));
    github.review(7, 'commented', 'maint', 'Looks reasonable, one question inline.');
    app.clock.set(day(3));
    github.comment(7, 'Thanks, merging after CI.', 'lead', 'OWNER');
    const items = await sweepAt(4);
    expect(items[0]).toMatchObject({ first_response_at: day(2), last_maintainer_activity_at: day(3) });
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ first_response_at: day(2), last_maintainer_activity_at: day(3), checked_at: day(4) });
  });

  it('a maintainer close with a "duplicate of #12" comment records the rejection category with its evidence', async () => {
    await openedRun();
    app.clock.set(day(3));
    github.comment(7, 'Thanks for this! It is a duplicate of #12, which landed yesterday. Closing.', 'maint', 'MEMBER');
    github.close(7, false);
    const items = await sweepAt(4);
    expect(items[0]!.outcome).toEqual({
      kind: 'closed',
      closed_at: day(3),
      rejection_category: 'duplicate',
      rejection_evidence: '@maint: "It is a duplicate of #12, which landed yesterday."',
      state: null,
    });
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ closed_at: day(3), rejection_category: 'duplicate', first_response_at: day(3) });
    expect(await sweepAt(5)).toEqual([]);
  });

  it('a close with failing CI and no words is ci_failing; a merge records merged_at', async () => {
    await openedRun('run_ci', 7);
    await openedRun('run_merged', 8);
    github.checks = [{ kind: 'check_run', name: 'ci', status: 'completed', conclusion: 'failure' }];
    app.clock.set(day(2));
    github.close(7, false);
    github.close(8, true);
    const items = await sweepAt(3);
    expect(Object.fromEntries(items.map((i) => [i.run_id, i.outcome.kind]))).toEqual({ run_ci: 'closed', run_merged: 'merged' });
    expect(await getPrActivity(ctx.db, 'run_ci')).toMatchObject({ rejection_category: 'ci_failing' });
    expect(await getPrActivity(ctx.db, 'run_merged')).toMatchObject({ merged_at: day(2), rejection_category: null });
  });

  it('backfills a PR linked by hand from the issue\'s creation date', async () => {
    github.open(7, day(-3));
    await runInCiWait(ctx, { runId: 'run_linked', owner: 'Acme', repo: 'Widgets', prNumber: 7, sha: 'a'.repeat(40) });
    const items = await sweepAt(1);
    expect(items[0]!.outcome).toEqual({ kind: 'backfilled', opened_at: day(-3), source: 'issue' });
    expect(await getPrActivity(ctx.db, 'run_linked')).toMatchObject({ opened_at: day(-3), pr_url: 'https://github.com/Acme/Widgets/pull/7', checked_at: day(1) });
  });

  it('reads a PR at most once per minIntervalMinutes, and a dry run writes nothing', async () => {
    writePolicy(STALE_ON);
    await openedRun();
    app.clock.set(day(8));
    const dry = await sweepPrActivity(ctx, { dryRun: true });
    expect(dry.kind === 'swept' && dry.items[0]!.outcome).toEqual({ kind: 'would_follow_up' });
    expect(github.comments.get(7) ?? []).toEqual([]);
    expect(await getPrActivity(ctx.db, 'run_stale')).toMatchObject({ checked_at: null, followup_at: null });
    await sweepPrActivity(ctx, {});
    const reads = github.calls.filter((c) => c.startsWith('getPullRequest')).length;
    app.clock.advance(10 * 60_000);
    expect(await sweepPrActivity(ctx, {})).toEqual({ kind: 'swept', dry_run: false, swept_at: new Date(Date.parse(day(8)) + 600_000).toISOString(), items: [] });
    expect(github.calls.filter((c) => c.startsWith('getPullRequest'))).toHaveLength(reads);
  });

  it('without a GitHub token it says so and changes nothing; with nothing to read it needs no token', async () => {
    const noToken = { ...ctx, github: githubPort(undefined) };
    expect(await sweepPrActivity(noToken, {})).toMatchObject({ kind: 'swept', items: [] });
    await openedRun();
    const result = await sweepPrActivity(noToken, {});
    expect(result).toMatchObject({ kind: 'no_github', waiting: 1 });
    expect(prSweepSummary(result)).toMatchObject({ kind: 'no_github', looked_at: 0, errors: [expect.stringMatching(/^no GitHub token/)] });
  });

  it('a policy file that does not parse is one clear error', async () => {
    writePolicy({ campaign_defaults: { stale_followup: { followup_after_days: 'soon' } } });
    await expect(sweepPrActivity(ctx, {})).rejects.toThrow(/followup_after_days/);
  });
});
