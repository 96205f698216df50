import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub, type StubAuthorAssociation } from '@agentpr/github-stub';
import { effectiveCampaignRules, loadPolicy } from '@agentpr/policy';
import { applyEvent, createRun, listAuditRecords, listGateChecks, recordPrOpened, requireRun } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { syncGithub } from '../../github-sync/sync-github.js';
import { checkEtiquette } from '../etiquette-gate.js';
import type { GatePhase, GateTarget } from '../gate-types.js';
import { checkRunGates } from '../gates.js';
import { ETIQUETTE_STUB_TOKEN, etiquetteStubClient } from './etiquette-stub-client.js';

afterAll(() => cleanupTempDirs());

/** A repository on the stand-in as the etiquette reads it: archived, its newest commit, merges and comments. */
interface SeedRepo {
  archived?: boolean;
  /** The default branch's newest commit; null for none. Default: a few days ago. */
  lastCommitAt?: string | null;
  mergedAt?: string[];
  comments?: Array<{ at: string; association: StubAuthorAssociation }>;
}

function seed(key: string, r: SeedRepo): void {
  const [owner = '', repo = ''] = key.split('/');
  stub.addRepo(owner, repo, { archived: r.archived ?? false });
  if (r.lastCommitAt !== null) stub.addCommit(owner, repo, { date: r.lastCommitAt ?? '2026-11-20T00:00:00Z' });
  for (const at of r.mergedAt ?? []) stub.addPullRequest(owner, repo, { title: 'fix: a bug', merged: true, createdAt: at, mergedAt: at });
  for (const c of r.comments ?? []) {
    const issue = stub.addIssue(owner, repo, { title: 'a question', createdAt: c.at });
    stub.addComment(owner, repo, issue.number, { body: 'thanks', author: `user-${c.association.toLowerCase()}`, authorAssociation: c.association, createdAt: c.at });
  }
}

/** How often the stand-in was asked about a repository itself. */
const repoReads = (key: string) => stub.requests.filter((r) => r.method === 'GET' && r.path.toLowerCase() === `/repos/${key}`).length;

const MINUTE = 60_000;
const HEAD = 'a1'.repeat(20);
let tdb: TestDatabase;
let app: TestApp;
let stub: GitHubStub;

/** A fresh store, the stand-in (on the test clock) with `repos`, and the policy file; `github: false` runs without a token. */
async function setUp(policy: Record<string, unknown>, repos: Record<string, SeedRepo> = {}, options: { github?: GitHubClient | false } = {}): Promise<TestApp> {
  stub = await startGitHubStub({ token: ETIQUETTE_STUB_TOKEN });
  tdb = await freshDatabase('sqlite');
  const github = options.github === false ? undefined : (options.github ?? etiquetteStubClient(stub.url));
  app = await testApp(tdb.location, 'operator', github ? { github } : {});
  stub.setNow(() => app.clock());
  for (const [key, repo] of Object.entries(repos)) seed(key, repo);
  writeFileSync(app.ctx.paths.policyFile, JSON.stringify(policy));
  return app;
}

afterEach(async () => {
  expect(stub.openApiViolations).toEqual([]);
  await app.close();
  await tdb.drop();
  await stub.close();
});

/** A run of `owner/repo` in PUSHED (the branch is pushed, no PR yet), or in CI_WAIT with PR `pr` linked. */
async function run(runId: string, owner: string, repo: string, pr: number | null = null, campaign = 'example'): Promise<string> {
  const { ctx } = app;
  await createRun(ctx.db, { runId, owner, repo, promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}`, campaign }, ctx.clock);
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: 'c' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: HEAD },
  ] as const) await applyEvent(ctx.db, runId, { event: { ...event, actor: 'manager' } }, ctx.clock);
  if (pr !== null) await applyEvent(ctx.db, runId, { event: { type: 'command.pr.linked', pr_number: pr, actor: 'manager' } }, ctx.clock);
  return runId;
}

/** The gate's target as checkRunGates builds it, with `notOnGitHub` given. */
async function target(runId: string, notOnGitHub: string | null = null): Promise<GateTarget> {
  const { ctx } = app;
  const { run: row } = await requireRun(ctx.db, runId);
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw loaded.error;
  const rules = effectiveCampaignRules(loaded.policy, { campaign: row.campaign, owner: row.owner, repo: row.repo });
  return { run: row, rules, github: await ctx.github.client(), now: ctx.clock(), notOnGitHub };
}

async function etiquette(runId: string, phase: GatePhase = 'pr_request', options: { ignoreLimits?: boolean; notOnGitHub?: string | null } = {}) {
  return checkEtiquette(app.ctx, await target(runId, options.notOnGitHub ?? null), { runId, phase, ignoreLimits: options.ignoreLimits ?? false });
}

/** Only the limit under test: every other cap off. */
const NO_CAPS = { max_open_prs_per_repo: 0, max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0 };
const ACTIVE: SeedRepo = { lastCommitAt: '2026-11-20T00:00:00Z' };

describe('checkEtiquette: the repository (every phase)', () => {
  it('an archived repository ends the run as SKIPPED (repo_archived); a second run of it reuses the facts without asking GitHub', async () => {
    await setUp({}, { 'o/r': { ...ACTIVE, archived: true } });
    await run('run_1', 'o', 'r');
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' });
    expect(report.outcome).toBe('skip_run');
    expect(report.stoppedBy).toMatchObject({ gate: 'etiquette', reasonCode: 'repo_archived', message: 'skipped: o/r is archived on GitHub' });
    const { state } = await requireRun(app.ctx.db, 'run_1');
    expect(state.current_state).toBe('SKIPPED');
    expect(state.last_error).toBe('skip:repo_archived:skipped: o/r is archived on GitHub');
    const reads = repoReads('o/r');

    await run('run_2', 'O', 'R');
    app.clock.advance(60 * MINUTE);
    const again = await etiquette('run_2', 'prepare');
    expect(again).toMatchObject({ outcome: 'skip_run', reasonCode: 'repo_archived', detail: { repository: { reused_from_run: 'run_1' } } });
    expect(repoReads('o/r')).toBe(reads);
    // After the reuse window GitHub is asked again.
    app.clock.advance(6 * 60 * MINUTE);
    await etiquette('run_2', 'prepare');
    expect(repoReads('o/r')).toBe(reads + 1);
  });

  it('no maintainer activity for max_inactive_days ends the run as SKIPPED (repo_inactive) with the dates as evidence', async () => {
    await setUp({ campaign_defaults: { etiquette: { max_inactive_days: 180 } } }, {
      'o/quiet': {
        lastCommitAt: '2026-01-10T00:00:00Z',
        mergedAt: ['2026-03-01T00:00:00Z'],
        // A stranger's recent comment is not maintainer activity.
        comments: [{ at: '2026-11-01T00:00:00Z', association: 'NONE' }, { at: '2026-04-01T12:00:00Z', association: 'MEMBER' }],
      },
    });
    await run('run_1', 'o', 'quiet');
    const verdict = await etiquette('run_1', 'prepare');
    expect(verdict).toMatchObject({ outcome: 'skip_run', reasonCode: 'repo_inactive', detail: { newest_activity_at: '2026-04-01T12:00:00.000Z', max_inactive_days: 180 } });
    expect(verdict.message).toBe(
      'skipped: o/quiet looks inactive: no maintainer activity for 235 days (newest commit 2026-01-10, merged PR 2026-03-01, maintainer comment 2026-04-01; limit 180 days)',
    );
  });

  it('any one recent sign of maintainer activity passes: a merged PR, or a maintainer\'s reply', async () => {
    await setUp({}, {
      'o/merged': { lastCommitAt: '2024-01-01T00:00:00Z', mergedAt: ['2026-10-01T00:00:00Z'] },
      'o/replied': { lastCommitAt: null, comments: [{ at: '2026-09-01T00:00:00Z', association: 'OWNER' }] },
    });
    await run('run_1', 'o', 'merged');
    await run('run_2', 'o', 'replied');
    expect(await etiquette('run_1', 'prepare')).toMatchObject({ outcome: 'pass', reasonCode: null, message: 'o/merged is not archived and active' });
    expect(await etiquette('run_2', 'prepare')).toMatchObject({ outcome: 'pass', detail: { repository: { status: 'checked', newest_activity_at: '2026-09-01T00:00:00.000Z' } } });
  });

  it('no GitHub token: held with the token hint (fails closed) and the run unchanged', async () => {
    await setUp({}, { 'o/r': ACTIVE }, { github: false });
    await run('run_1', 'o', 'r');
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' });
    expect(report.stoppedBy).toMatchObject({ outcome: 'held', reasonCode: 'github_token_missing' });
    expect(report.stoppedBy?.message).toMatch(/^held: cannot check whether o\/r is archived or inactive: no GitHub token: set GITHUB_TOKEN/);
    expect((await requireRun(app.ctx.db, 'run_1')).state.current_state).toBe('PUSHED');
  });

  it('GitHub failing: held until it answers again, and the run unchanged', async () => {
    await setUp({}, { 'o/r': ACTIVE });
    await run('run_1', 'o', 'r');
    stub.failNext({ method: 'GET', path: /^\/repos\/o\/r$/, status: 502, times: 1 });
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' });
    expect(report.stoppedBy).toMatchObject({ outcome: 'held', reasonCode: 'github_unavailable', freesAt: null });
    expect(report.stoppedBy?.message).toMatch(/^held: cannot read o\/r from GitHub \(.*\); try again later$/);
    expect((await requireRun(app.ctx.db, 'run_1')).state.current_state).toBe('PUSHED');
    expect((await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' })).outcome).toBe('pass');
  });

  it('GitHub failing with a secret in its error: the one line carries no secret', async () => {
    const token = 'ghp_etiquetteSecretToken1234567890abcd';
    // The stand-in never echoes a token; a client that does cannot be made against it.
    const leaky = {
      getRepository: async () => {
        throw new Error(`Bad credentials for ${token}\nstack…`);
      },
    } as Partial<GitHubClient> as GitHubClient;
    await setUp({}, {}, { github: leaky });
    app.ctx.env = { ...app.ctx.env, GITHUB_TOKEN: token };
    await run('run_1', 'o', 'r');
    const verdict = await etiquette('run_1', 'prepare');
    expect(verdict).toMatchObject({ outcome: 'held', reasonCode: 'github_unavailable', freesAt: null });
    expect(verdict.message).toBe('held: cannot read o/r from GitHub (Bad credentials for ***); try again later');
    expect(JSON.stringify(verdict)).not.toContain(token);
  });

  it('not on GitHub: the repository checks pass (not_on_github) without a token, and the limits still apply', async () => {
    await setUp({ campaign_defaults: { etiquette: { ...NO_CAPS, max_open_prs_per_repo: 1 } } }, {}, { github: false });
    await run('run_open', 'o', 'r', 7);
    await run('run_1', 'o', 'r');
    const offline = 'the upstream /srv/git/r.git is a local repository, not on GitHub';
    expect(await etiquette('run_1', 'prepare', { notOnGitHub: offline })).toMatchObject({
      outcome: 'pass', reasonCode: 'not_on_github', message: `not on GitHub (${offline}): archived and activity not checked`,
    });
    expect(await etiquette('run_1', 'pr_request', { notOnGitHub: offline })).toMatchObject({ outcome: 'held', reasonCode: 'limit_max_open_prs_per_repo' });
  });
});

describe('checkEtiquette: PR limits and the schedule (pr_request, pr_approve)', () => {
  it('the per-repository cap holds a PR back while another agent PR is open there, and releases it when that PR closes', async () => {
    await setUp({ campaign_defaults: { etiquette: { ...NO_CAPS, max_open_prs_per_repo: 1 } } }, { 'o/r': ACTIVE });
    const pr = stub.addPullRequest('o', 'r', { title: 'feat: an agent change', author: 'me', headOwner: 'me', headRef: 'b', headSha: HEAD });
    await run('run_open', 'o', 'r', pr.number, 'other-campaign');
    await run('run_1', 'o', 'r');
    const held = await etiquette('run_1');
    expect(held).toMatchObject({ outcome: 'held', reasonCode: 'limit_max_open_prs_per_repo', freesAt: null });
    expect(held.message).toBe(
      `held: 1 open agent PR in o/r (limit 1); frees when one of these PRs is merged or closed: o/r#${pr.number} (--ignore-limits to override, audited)`,
    );
    expect(held.detail).toMatchObject({ holds: [{ limit: 'max_open_prs_per_repo', count: 1, max: 1, prs: [{ run_id: 'run_open', repo: 'o/r', pr_number: pr.number }] }] });
    // Preparing is not held by limits: they apply to opening a PR.
    expect((await etiquette('run_1', 'prepare')).outcome).toBe('pass');

    // The maintainers close the PR on GitHub; the sync learns it.
    stub.closePull('o', 'r', pr.number);
    await syncGithub(app.ctx, { runId: 'run_open' });
    expect((await requireRun(app.ctx.db, 'run_open')).state.current_state).toBe('NEEDS_HUMAN_REVIEW');
    expect(await etiquette('run_1')).toMatchObject({ outcome: 'pass', message: 'o/r is not archived and active; within the PR limits and the schedule' });
  });

  it('the hourly limit holds with when it frees, leaves the run as it is, and releases as the clock moves', async () => {
    await setUp({ campaign_defaults: { etiquette: { ...NO_CAPS, max_prs_per_hour: 2 } } }, { 'o/r': ACTIVE });
    const opened = async (runId: string, ms: number) => {
      await run(runId, 'o', `r-${runId}`);
      await recordPrOpened(app.ctx.db, { runId, prNumber: 1, owner: 'o', repo: `r-${runId}`, campaign: 'example', prUrl: null, openedAt: new Date(app.clock().getTime() - ms).toISOString() });
    };
    await opened('run_a', 50 * MINUTE);
    await opened('run_b', 10 * MINUTE);
    await opened('run_c', 70 * MINUTE);
    await run('run_1', 'o', 'r');

    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' });
    expect(report.stoppedBy).toMatchObject({ outcome: 'held', reasonCode: 'limit_max_prs_per_hour', freesAt: '2026-11-23T10:10:00.000Z' });
    expect(report.stoppedBy?.message).toBe('held: 2 PRs opened by campaign example in the last hour (limit 2); frees at 10:10 UTC (--ignore-limits to override, audited)');
    expect((await requireRun(app.ctx.db, 'run_1')).state.current_state).toBe('PUSHED');
    const [recorded] = await listGateChecks(app.ctx.db, 'run_1');
    expect(recorded).toMatchObject({ gate: 'etiquette', phase: 'pr_approve', outcome: 'held', reason_code: 'limit_max_prs_per_hour' });
    expect(JSON.parse(recorded?.detail_json ?? '{}')).toMatchObject({ frees_at: '2026-11-23T10:10:00.000Z' });

    app.clock.advance(9 * MINUTE);
    expect((await etiquette('run_1')).outcome).toBe('held');
    app.clock.advance(MINUTE);
    expect((await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' })).outcome).toBe('pass');
  });

  it('--ignore-limits overrides every hold, says what it overrode, and checkRunGates audits it', async () => {
    await setUp({ campaign_defaults: { etiquette: { ...NO_CAPS, max_open_prs_per_repo: 1, max_prs_per_day: 1 } } }, { 'o/r': ACTIVE });
    await run('run_open', 'o', 'r', 3);
    await recordPrOpened(app.ctx.db, { runId: 'run_open', prNumber: 3, owner: 'o', repo: 'r', campaign: 'example', prUrl: null, openedAt: app.clock().toISOString() });
    await run('run_1', 'o', 'r');
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve', ignoreLimits: true });
    expect(report.outcome).toBe('overridden');
    const [verdict] = report.verdicts;
    expect(verdict).toMatchObject({ outcome: 'overridden', reasonCode: 'limits_ignored', detail: { overridden: ['limit_max_open_prs_per_repo', 'limit_max_prs_per_day'] } });
    expect(verdict?.message).toMatch(/^overridden with --ignore-limits \(audited\): 1 open agent PR in o\/r .*; also held by limit_max_prs_per_day$/);
    const audits = await listAuditRecords(app.ctx.db, { limit: 10, runId: 'run_1' });
    expect(audits.map((a) => a.kind)).toContain('gate_override:etiquette');
  });

  it('owner and repository overrides in the policy file take effect over the campaign defaults', async () => {
    await setUp({
      campaign_defaults: {
        etiquette: {
          ...NO_CAPS, max_open_prs_per_repo: 1, max_open_prs_per_owner: 5,
          owner_overrides: { Acme: { max_open_prs_per_repo: 2 } },
          repo_overrides: { 'acme/tight': { max_open_prs_per_owner: 2 } },
        },
      },
    }, { 'acme/wide': ACTIVE, 'acme/tight': ACTIVE, 'other/r': ACTIVE });
    await run('run_w1', 'acme', 'wide', 1);
    await run('run_t1', 'acme', 'tight', 2);
    await run('run_o1', 'other', 'r', 3);
    await run('run_wide', 'acme', 'wide');
    await run('run_tight', 'acme', 'tight');
    await run('run_other', 'other', 'r');
    // The owner override lets a second PR into one of acme's repositories.
    expect((await etiquette('run_wide')).outcome).toBe('pass');
    // The repository override caps acme's PRs at 2 when the PR is for acme/tight.
    expect(await etiquette('run_tight')).toMatchObject({ outcome: 'held', reasonCode: 'limit_max_open_prs_per_owner' });
    // Elsewhere the default per-repository cap of 1 holds.
    expect(await etiquette('run_other')).toMatchObject({ outcome: 'held', reasonCode: 'limit_max_open_prs_per_repo' });
  });

  it('a schedule window in a time zone holds the PR until it opens', async () => {
    await setUp({
      campaign_defaults: { etiquette: { ...NO_CAPS, schedule: { time_zone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '12:00', end: '17:00' }] } } },
    }, { 'o/r': ACTIVE });
    await run('run_1', 'o', 'r');
    // Monday 10:00 UTC = 11:00 in Berlin.
    const held = await etiquette('run_1', 'pr_approve');
    expect(held).toMatchObject({ outcome: 'held', reasonCode: 'outside_schedule', freesAt: '2026-11-23T11:00:00.000Z' });
    expect(held.message).toBe(
      'held: outside the schedule window (Europe/Berlin mon,tue,wed,thu,fri 12:00-17:00); opens at 2026-11-23 12:00 Europe/Berlin (11:00 UTC) (--ignore-limits to override, audited)',
    );
    app.clock.set('2026-11-23T11:00:00.000Z');
    expect((await etiquette('run_1', 'pr_approve')).outcome).toBe('pass');
    // Friday 17:00 in Berlin: closed until Monday.
    app.clock.set('2026-11-27T16:00:00.000Z');
    expect(await etiquette('run_1', 'pr_approve')).toMatchObject({ outcome: 'held', freesAt: '2026-11-30T11:00:00.000Z' });
  });

  it('the schedule and a limit both hold: the one that frees last binds, the other is named', async () => {
    await setUp({
      campaign_defaults: { etiquette: { ...NO_CAPS, max_prs_per_hour: 1, schedule: { time_zone: 'UTC', windows: [{ days: ['mon'], start: '10:30', end: '12:00' }] } } },
    }, { 'o/r': ACTIVE });
    await run('run_a', 'o', 'ra');
    await recordPrOpened(app.ctx.db, { runId: 'run_a', prNumber: 1, owner: 'o', repo: 'ra', campaign: 'example', prUrl: null, openedAt: new Date(app.clock().getTime() - 20 * MINUTE).toISOString() });
    await run('run_1', 'o', 'r');
    const verdict = await etiquette('run_1');
    expect(verdict).toMatchObject({ reasonCode: 'limit_max_prs_per_hour', freesAt: '2026-11-23T10:40:00.000Z' });
    expect(verdict.message).toContain('; also held by outside_schedule (--ignore-limits');
  });
});
