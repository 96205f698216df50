import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getPrActivity, getRun } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { githubPort, runInCiWait, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { FOLLOWUP_MARKER, STALE_CLOSE_MARKER } from '../pr-activity-read.js';
import { sweepPrActivity } from '../pr-followup.js';

// The stale follow-up end to end against the GitHub stand-in (tools/github-stub) through the real Octokit client:
// the stub's clock is the test's, so "14 days later" is one call.

const DAY = 86_400_000;
const T0 = '2026-11-23T10:00:00.000Z';
const day = (n: number) => new Date(Date.parse(T0) + n * DAY).toISOString();

let tdb: TestDatabase;
let app: TestApp;
let ctx: AppContext;
let stub: GitHubStub;
let github: GitHubClient;
let pr: number;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'manager');
  app.clock.set(T0);
  stub = await startGitHubStub({ token: 'tok', now: () => app.clock() });
  github = createOctokitClient({ token: 'tok', baseUrl: stub.url, throttle: false, retries: 0 });
  ctx = { ...app.ctx, github: githubPort(github) };
  stub.addRepo('acme', 'widgets');
  stub.addCollaborator('acme', 'widgets', 'maint', 'MEMBER');
  pr = stub.addPullRequest('acme', 'widgets', { title: 'Add Renovate', author: 'agentpr-bot', headRef: 'agentpr/renovate', createdAt: day(-1) }).number;
  await runInCiWait(ctx, { runId: 'run_s', owner: 'acme', repo: 'widgets', prNumber: pr, sha: 'a'.repeat(40) });
  mkdirSync(dirname(ctx.paths.policyFile), { recursive: true });
  const stale = { enabled: true, followup_after_days: 7, close_after_days: 5, followup_template: 'Friendly ping after {days} days: is #{pr_number} still of interest?' };
  writeFileSync(ctx.paths.policyFile, JSON.stringify({ campaign_defaults: { stale_followup: stale } }));
});
afterEach(async () => {
  expect(stub.openApiViolations).toEqual([]);
  await stub.close();
  await app.close();
  await tdb.drop();
});

async function sweepAt(n: number, c: AppContext = ctx) {
  app.clock.set(day(n));
  const result = await sweepPrActivity(c, { minIntervalMinutes: 0 });
  if (result.kind !== 'swept') throw new Error(`expected a sweep, got ${result.kind}`);
  return result.items.filter((i) => i.outcome.kind !== 'backfilled').map((i) => i.outcome);
}

const ours = (marker: string) => stub.listComments('acme', 'widgets', pr).filter((c) => c.body.includes(marker));

describe('the stale follow-up against the GitHub stand-in', () => {
  it('a stale PR linked by hand gets exactly one follow-up, then is closed with the thank-you, and the run ends SKIPPED as stale', async () => {
    expect(await sweepAt(1)).toEqual([{ kind: 'waiting', next: { step: 'followup', at: day(6) }, note: null }]);
    expect(await getPrActivity(ctx.db, 'run_s')).toMatchObject({ opened_at: day(-1), pr_number: pr });
    expect(await sweepAt(6)).toMatchObject([{ kind: 'followed_up', found_posted: false }]);
    expect(await sweepAt(8)).toEqual([{ kind: 'waiting', next: { step: 'close', at: day(11) }, note: null }]);
    expect(ours(FOLLOWUP_MARKER).map((c) => [c.author, c.body])).toEqual([['agentpr-bot', `Friendly ping after 7 days: is #${pr} still of interest?\n\n${FOLLOWUP_MARKER}`]]);
    expect(await sweepAt(11)).toMatchObject([{ kind: 'stale_closed', state: 'SKIPPED' }]);
    expect(ours(FOLLOWUP_MARKER)).toHaveLength(1);
    expect(ours(STALE_CLOSE_MARKER)).toHaveLength(1);
    expect(ours(STALE_CLOSE_MARKER)[0]!.body).toContain('Thank you for maintaining widgets!');
    expect(stub.getPull('acme', 'widgets', pr)!.state).toBe('closed');
    expect((await getRun(ctx.db, 'run_s'))!.state).toMatchObject({ current_state: 'SKIPPED', last_error: expect.stringMatching(/^skip:stale:/) });
    expect(await getPrActivity(ctx.db, 'run_s')).toMatchObject({ closed_at: day(11), rejection_category: 'no_response' });
    expect(await sweepAt(20)).toEqual([]);
  });

  it('a maintainer comment after the follow-up resets the clock: no close, no second follow-up', async () => {
    await sweepAt(1);
    await sweepAt(6);
    stub.addComment('acme', 'widgets', pr, { body: 'Still interested! Reviewing this weekend.', author: 'maint', createdAt: day(8) });
    expect(await sweepAt(11)).toEqual([{ kind: 'waiting', next: { step: 'close', at: day(20) }, note: null }]);
    expect(stub.getPull('acme', 'widgets', pr)!.state).toBe('open');
    expect(ours(FOLLOWUP_MARKER)).toHaveLength(1);
    expect(await getPrActivity(ctx.db, 'run_s')).toMatchObject({ first_response_at: day(8), last_maintainer_activity_at: day(8) });
  });

  it('a crash between posting the follow-up and recording it does not double-post', async () => {
    await sweepAt(1);
    const crashing: GitHubClient = {
      ...github,
      createIssueComment: async (repo, number, body) => {
        await github.createIssueComment!(repo, number, body);
        throw new Error('the process died here');
      },
    };
    expect(await sweepAt(6, { ...ctx, github: githubPort(crashing) })).toMatchObject([{ kind: 'failed' }]);
    expect(ours(FOLLOWUP_MARKER)).toHaveLength(1);
    const [again] = await sweepAt(6.5);
    expect(again).toEqual({ kind: 'followed_up', comment_id: String(ours(FOLLOWUP_MARKER)[0]!.id), found_posted: true });
    expect(ours(FOLLOWUP_MARKER)).toHaveLength(1);
    expect(stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/issues/${pr}/comments`))).toHaveLength(1);
  });

  it('records the first maintainer response time from a comment and a review', async () => {
    stub.addComment('acme', 'widgets', pr, { body: 'Nice, thanks!', author: 'passerby', createdAt: day(0.5) });
    stub.addComment('acme', 'widgets', pr, { body: 'Could you add a schedule?', author: 'maint', createdAt: day(2) });
    app.clock.set(day(3));
    stub.addReview('acme', 'widgets', pr, { state: 'COMMENTED', body: 'one nit' });
    await sweepAt(4);
    expect(await getPrActivity(ctx.db, 'run_s')).toMatchObject({ first_response_at: day(2), last_maintainer_activity_at: day(3) });
  });

  it('a maintainer close with a "duplicate of #12" comment records the rejection category', async () => {
    await sweepAt(1);
    stub.addComment('acme', 'widgets', pr, { body: 'Thanks! This is a duplicate of #12, so closing.', author: 'maint', createdAt: day(2) });
    stub.closePull('acme', 'widgets', pr, day(2));
    expect(await sweepAt(3)).toEqual([
      { kind: 'closed', closed_at: day(2), rejection_category: 'duplicate', rejection_evidence: '@maint: "This is a duplicate of #12, so closing."', state: null },
    ]);
    expect(await getPrActivity(ctx.db, 'run_s')).toMatchObject({ closed_at: day(2), rejection_category: 'duplicate', first_response_at: day(2) });
  });
});
