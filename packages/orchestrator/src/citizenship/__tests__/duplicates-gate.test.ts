import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_MAX_OPERATORS, SEARCH_QUERY_MAX_CHARS } from '@agentpr/citizenship';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { effectiveCampaignRules, loadPolicy } from '@agentpr/policy';
import { addArtifact, applyEvent, createRun, listAuditRecords, listGateChecks, requireRun } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { checkDuplicates } from '../duplicates-gate.js';
import type { GateRequest, GateTarget } from '../gate-types.js';
import { checkRunGates } from '../gates.js';

afterAll(() => cleanupTempDirs());

const DAY = 86_400_000;
const OWNER = 'acme';
const REPO = 'widgets';
const RUN = 'run_dup1';
const TOKEN = 'stand-in-token';

/** The real Octokit adapter against the stand-in (no retries, so a failure shows at once). */
function stubClient(url: string): GitHubClient {
  return createOctokitClient({ token: TOKEN, baseUrl: url, throttle: false, retries: 0 });
}

/** The campaign's rules; the other gates are set to let every run through, so only duplicates decide. */
const POLICY = {
  campaigns: {
    renovate: {
      duplicates: { keywords: ['renovate', 'dependency dashboard'], integration_name: 'Renovate Bot', closed_within_days: 30 },
      ai_policy: { actions: { forbidden: 'proceed', disclosure_required: 'proceed', issue_first: 'proceed', allowed: 'proceed', unknown: 'proceed' } },
      etiquette: { max_open_prs_per_repo: 0, max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0, skip_archived: false, max_inactive_days: 0 },
    },
  },
};

describe.each(dialectsUnderTest())('the duplicates gate against the GitHub stand-in, on %s', (kind) => {
  let tdb: TestDatabase;
  let app: TestApp;
  let stub: GitHubStub;
  const iso = (daysAgo: number) => new Date(app.clock().getTime() - daysAgo * DAY).toISOString();

  beforeEach(async () => {
    stub = await startGitHubStub({ token: TOKEN });
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location, 'operator', { github: stubClient(stub.url) });
    stub.setNow(() => app.clock());
    stub.addRepo(OWNER, REPO, { pushedAt: iso(1) });
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify(POLICY));
    await createRun(app.ctx.db, { runId: RUN, owner: OWNER, repo: REPO, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${RUN}`, campaign: 'renovate' }, app.clock);
  });
  afterEach(async () => {
    await app.close();
    await tdb.drop();
    await stub.close();
  });

  async function target(patch: Partial<GateTarget> = {}): Promise<GateTarget> {
    const { run } = await requireRun(app.ctx.db, RUN);
    const loaded = await loadPolicy(app.ctx.paths.policyFile);
    if (!loaded.ok) throw loaded.error;
    const rules = effectiveCampaignRules(loaded.policy, { campaign: run.campaign, owner: run.owner, repo: run.repo });
    return { run, rules, github: stubClient(stub.url), now: app.clock(), notOnGitHub: null, ...patch };
  }

  const request = (patch: Partial<GateRequest> = {}): GateRequest => ({ runId: RUN, phase: 'prepare', ...patch });
  const searches = () => stub.requests.filter((r) => r.path === '/search/issues').map((r) => r.query.q ?? '');

  it('a duplicate open PR blocks the run with its link, title, state and kind as evidence', async () => {
    const pr = stub.addPullRequest(OWNER, REPO, { title: 'chore: add Renovate config', author: 'someone', createdAt: iso(3) });
    stub.addIssue(OWNER, REPO, { title: 'Docs typo', body: 'nothing to see', createdAt: iso(2) });
    const verdict = await checkDuplicates(app.ctx, await target(), request());
    expect(verdict).toMatchObject({ gate: 'duplicates', outcome: 'blocked', reasonCode: 'duplicate_found' });
    expect(verdict.detail.matches).toEqual([
      { kind: 'pr', url: `https://github.com/${OWNER}/${REPO}/pull/${pr.number}`, title: 'chore: add Renovate config', state: 'open', number: pr.number, matched: 'renovate', closed_at: null },
    ]);
    expect(verdict.message).toBe(
      `a possible duplicate in ${OWNER}/${REPO}: open PR #${pr.number} "chore: add Renovate config" (https://github.com/${OWNER}/${REPO}/pull/${pr.number}); ` +
        'check it, then pass --allow-duplicate to go ahead anyway',
    );
    expect(verdict.message).not.toMatch(/\n/);
    expect(stub.openApiViolations).toEqual([]);
  });

  it('several matches: one line naming the first and how many more', async () => {
    const first = stub.addPullRequest(OWNER, REPO, { title: 'Add Renovate', createdAt: iso(3) });
    stub.addIssue(OWNER, REPO, { title: 'Renovate Bot?', createdAt: iso(2) });
    stub.addBranch(OWNER, REPO, 'renovate/configure');
    const verdict = await checkDuplicates(app.ctx, await target(), request());
    expect(verdict).toMatchObject({ outcome: 'blocked', detail: { match_count: 3 } });
    expect(verdict.message).toBe(
      `3 possible duplicates in acme/widgets: open PR #${first.number} "Add Renovate" (https://github.com/acme/widgets/pull/${first.number}) and 2 more; ` +
        'check them, then pass --allow-duplicate to go ahead anyway',
    );
  });

  it('a duplicate issue closed within the window blocks; one closed long ago does not', async () => {
    stub.addIssue(OWNER, REPO, { title: 'Set up the dependency dashboard', state: 'closed', createdAt: iso(400), closedAt: iso(200) });
    expect(await checkDuplicates(app.ctx, await target(), request())).toMatchObject({ outcome: 'pass', reasonCode: null, detail: { matches: [] } });
    const recent = stub.addIssue(OWNER, REPO, { title: 'Should we use renovate?', state: 'closed', createdAt: iso(20), closedAt: iso(10) });
    const verdict = await checkDuplicates(app.ctx, await target(), request());
    expect(verdict).toMatchObject({ outcome: 'blocked', reasonCode: 'duplicate_found', detail: { match_count: 1 } });
    expect(verdict.detail.matches).toEqual([expect.objectContaining({ kind: 'issue', number: recent.number, state: 'closed', closed_at: iso(10) })]);
    expect(verdict.message).toMatch(new RegExp(`^a possible duplicate in acme/widgets: closed issue #${recent.number} "Should we use renovate\\?"`));
  });

  it('a branch named for the change blocks; the run\'s own branch and unrelated branches do not', async () => {
    await addArtifact(app.ctx.db, { runId: RUN, type: 'workspace_prepared', uri: '/w', metadata: { base_sha: 'b', feature_branch: `agentpr/renovate-${RUN}`, fork_owner: 'me' } }, app.clock);
    stub.addBranch(OWNER, REPO, `agentpr/renovate-${RUN}`);
    stub.addBranch(OWNER, REPO, 'feature/unrelated');
    expect(await checkDuplicates(app.ctx, await target(), request())).toMatchObject({ outcome: 'pass' });
    stub.addBranch(OWNER, REPO, 'renovate-bot/setup');
    const verdict = await checkDuplicates(app.ctx, await target(), request());
    expect(verdict).toMatchObject({ outcome: 'blocked', reasonCode: 'duplicate_found' });
    expect(verdict.detail.matches).toEqual([
      { kind: 'branch', url: `https://github.com/${OWNER}/${REPO}/tree/renovate-bot/setup`, title: 'renovate-bot/setup', state: 'open', number: null, matched: 'renovate', closed_at: null },
    ]);
    expect(verdict.message).toMatch(/: branch "renovate-bot\/setup" \(https:\/\/github\.com\/acme\/widgets\/tree\/renovate-bot\/setup\)/);
  });

  it('the run\'s own PR never counts: by its linked number, or by its head branch before it is linked', async () => {
    await addArtifact(app.ctx.db, { runId: RUN, type: 'workspace_prepared', uri: '/w', metadata: { base_sha: 'b', feature_branch: 'agentpr/add-renovate', fork_owner: 'me' } }, app.clock);
    const ours = stub.addPullRequest(OWNER, REPO, { title: 'Add Renovate', author: 'me', headOwner: 'me', headRef: 'agentpr/add-renovate', createdAt: iso(1) });
    expect(await checkDuplicates(app.ctx, await target(), request({ phase: 'pr_request' }))).toMatchObject({ outcome: 'pass', reasonCode: null });
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: '/c.md' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'agentpr/add-renovate', head_sha: 'a'.repeat(40) },
      { type: 'command.pr.linked', pr_number: ours.number },
    ] as const) {
      await applyEvent(app.ctx.db, RUN, { event }, app.clock);
    }
    expect(await checkDuplicates(app.ctx, await target(), request({ phase: 'pr_request' }))).toMatchObject({ outcome: 'pass', reasonCode: null });
    const theirs = stub.addPullRequest(OWNER, REPO, { title: 'Add Renovate too', author: 'other', headRef: 'add-renovate', createdAt: iso(1) });
    const verdict = await checkDuplicates(app.ctx, await target(), request({ phase: 'pr_request' }));
    expect(verdict.detail.matches).toEqual([expect.objectContaining({ number: theirs.number })]);
  });

  it('--allow-duplicate overrides and is audited; the override covers those matches later, a new match still blocks', async () => {
    const pr = stub.addPullRequest(OWNER, REPO, { title: 'Add Renovate', author: 'someone', createdAt: iso(2) });
    // run-prepare asks the gates once the run is in DISCOVERY.
    await applyEvent(app.ctx.db, RUN, { event: { type: 'command.start.discovery' } }, app.clock);
    const blocked = await checkRunGates(app.ctx, request());
    expect(blocked.state).toBe('NEEDS_HUMAN_REVIEW');
    expect(blocked.stoppedBy).toMatchObject({ gate: 'duplicates', outcome: 'blocked', reasonCode: 'duplicate_found' });
    expect(await listAuditRecords(app.ctx.db, { limit: 10, runId: RUN })).toEqual([]);

    const allowed = await checkRunGates(app.ctx, request({ allowDuplicate: true }));
    expect(allowed).toMatchObject({ outcome: 'overridden', stoppedBy: null });
    const audit = await listAuditRecords(app.ctx.db, { limit: 10, runId: RUN });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ kind: 'gate_override:duplicates', actor: 'operator' });
    expect(JSON.parse(audit[0]!.detail_json)).toMatchObject({ phase: 'prepare', reason_code: 'duplicate_found', matches: [expect.objectContaining({ number: pr.number })] });

    // Later phases: the known duplicate was approved once, which is enough.
    const later = await checkRunGates(app.ctx, request({ phase: 'pr_request' }));
    expect(later).toMatchObject({ outcome: 'pass', stoppedBy: null });
    expect(later.verdicts.find((v) => v.gate === 'duplicates')).toMatchObject({ outcome: 'pass', reasonCode: 'duplicate_overridden_before', detail: { covered: [expect.objectContaining({ number: pr.number })] } });

    const issue = stub.addIssue(OWNER, REPO, { title: 'Renovate Bot keeps failing', createdAt: iso(1) });
    const again = await checkRunGates(app.ctx, request({ phase: 'pr_request' }));
    expect(again.stoppedBy).toMatchObject({ gate: 'duplicates', outcome: 'blocked' });
    expect(again.stoppedBy!.detail).toMatchObject({ match_count: 1, matches: [expect.objectContaining({ kind: 'issue', number: issue.number })] });
    const recorded = await listGateChecks(app.ctx.db, RUN, { gate: 'duplicates' });
    expect(recorded.map((r) => [r.phase, r.outcome, r.override])).toEqual([
      ['pr_request', 'blocked', 0],
      ['pr_request', 'pass', 0],
      ['prepare', 'overridden', 1],
      ['prepare', 'blocked', 0],
    ]);
  });

  it('every search query stays within GitHub\'s 256 characters and 5 operators, and all terms are searched', async () => {
    const keywords = Array.from({ length: 10 }, (_, i) => `integration keyword ${i} ${'x'.repeat(12)}`);
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { renovate: { duplicates: { keywords, integration_name: 'Renovate Bot' } } } }));
    await checkDuplicates(app.ctx, await target(), request());
    const queries = searches();
    expect(queries.length).toBeGreaterThanOrEqual(8);
    for (const q of queries) {
      expect(q.length).toBeLessThanOrEqual(SEARCH_QUERY_MAX_CHARS);
      expect(q.replace(/"[^"]*"/g, '').split(/\s+/).filter((w) => w === 'OR' || w === 'AND' || w === 'NOT').length).toBeLessThanOrEqual(SEARCH_MAX_OPERATORS);
    }
    for (const term of [...keywords, 'Renovate Bot']) expect(queries.some((q) => q.includes(`"${term}"`))).toBe(true);
    expect(stub.openApiViolations).toEqual([]);
  });

  it('off, not on GitHub, or nothing to search for: pass, saying why, without asking GitHub', async () => {
    stub.addPullRequest(OWNER, REPO, { title: 'Add Renovate', createdAt: iso(2) });
    const off = await target();
    off.rules = { ...off.rules, duplicates: { ...off.rules.duplicates, enabled: false } };
    expect(await checkDuplicates(app.ctx, off, request())).toMatchObject({ outcome: 'pass', reasonCode: 'disabled' });
    const offline = await checkDuplicates(app.ctx, await target({ notOnGitHub: 'offline mode (AGENTPR_OFFLINE=1)' }), request());
    expect(offline).toMatchObject({ outcome: 'pass', reasonCode: 'not_on_github', message: 'not on GitHub (offline mode (AGENTPR_OFFLINE=1)): no duplicate search' });
    const nameless = await target();
    nameless.run = { ...nameless.run, campaign: 'default' };
    nameless.rules = { ...nameless.rules, duplicates: { ...nameless.rules.duplicates, keywords: [], integration_name: null } };
    expect(await checkDuplicates(app.ctx, nameless, request())).toMatchObject({ outcome: 'pass', reasonCode: 'no_search_terms', message: expect.stringMatching(/set duplicates\.keywords/) });
    expect(searches()).toEqual([]);
  });

  it('with no keywords the campaign\'s name is searched, and the detail says so', async () => {
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { renovate: {} } }));
    stub.addPullRequest(OWNER, REPO, { title: 'Configure renovate', createdAt: iso(2) });
    const verdict = await checkDuplicates(app.ctx, await target(), request());
    expect(verdict).toMatchObject({ outcome: 'blocked', detail: { terms: ['renovate'], terms_source: 'campaign', terms_note: expect.stringMatching(/campaign's name "renovate"/) } });
  });

  it('no token: blocked with the hint; GitHub failing: held until it can be asked again', async () => {
    const noToken = await checkDuplicates(app.ctx, await target({ github: undefined }), request());
    expect(noToken).toMatchObject({ outcome: 'blocked', reasonCode: 'no_github_token', message: expect.stringMatching(/^cannot search acme\/widgets for duplicates: no GitHub token: set GITHUB_TOKEN/) });
    stub.failNext({ method: 'GET', path: /^\/search\/issues$/, status: 502 });
    const held = await checkDuplicates(app.ctx, await target(), request());
    expect(held).toMatchObject({ outcome: 'held', reasonCode: 'github_unavailable', freesAt: new Date(app.clock().getTime() + 15 * 60_000).toISOString() });
  });
});
