import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubError, type GitHubClient } from '@agentpr/github';
import { DEFAULT_DISCLOSURE, effectiveCampaignRules, loadPolicy } from '@agentpr/policy';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { createRun, listGateChecks, requireRun } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { NO_GITHUB_TOKEN } from '../../github-sync/require-github.js';
import { checkAiPolicy } from '../ai-policy-gate.js';
import type { GatePhase, GateTarget } from '../gate-types.js';
import { checkRunGates } from '../gates.js';
import { contentRequests, corpusTexts, stubClient } from './repo-policy-stub.js';

afterAll(() => cleanupTempDirs());

let stub: GitHubStub;
let tdb: TestDatabase;
let app: TestApp;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'stub-token' });
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'operator', { github: stubClient(stub) });
});

afterEach(async () => {
  await app.close();
  await tdb.drop();
  await stub.close();
});

/** A repository in the stand-in whose only contribution document is the first corpus text of a stance. */
function repoWith(stance: Parameters<typeof corpusTexts>[0], repo = 'widgets'): string {
  const sample = corpusTexts(stance)[0]!;
  stub.addRepo('acme', repo);
  stub.addFile('acme', repo, sample.sourcePath, sample.text);
  return sample.text;
}

async function newRun(runId = 'run_ai', repo = 'widgets', linkedIssue: number | null = null): Promise<string> {
  await createRun(app.ctx.db, { runId, owner: 'acme', repo, promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${runId}`, campaign: 'example' }, app.ctx.clock);
  if (linkedIssue !== null) await app.ctx.db.updateTable('runs').set({ linked_issue: linkedIssue }).where('run_id', '=', runId).execute();
  return runId;
}

async function target(runId: string, overrides: Partial<GateTarget> = {}): Promise<GateTarget> {
  const loaded = await loadPolicy(app.ctx.paths.policyFile);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const { run } = await requireRun(app.ctx.db, runId);
  const rules = effectiveCampaignRules(loaded.policy, { campaign: run.campaign, owner: run.owner, repo: run.repo });
  return { run, rules, github: await app.ctx.github.client(), now: app.ctx.clock(), notOnGitHub: null, ...overrides };
}

const check = async (runId: string, phase: GatePhase, overrides: Partial<GateTarget> = {}) =>
  checkAiPolicy(app.ctx, await target(runId, overrides), { runId, phase });

describe('checkAiPolicy', () => {
  it('skips a run on a repository that forbids AI contributions, quoting the sentence; checkRunGates ends the run as SKIPPED', async () => {
    const text = repoWith('forbidden');
    const runId = await newRun();
    const verdict = await check(runId, 'prepare');
    expect(verdict).toMatchObject({ gate: 'ai_policy', outcome: 'skip_run', reasonCode: 'ai_policy_forbidden' });
    expect(verdict.message).toMatch(/^acme\/widgets does not accept AI-generated contributions \(CONTRIBUTING\.md: ".+"\); campaign example skips it$/);
    const evidence = verdict.detail.evidence as Array<{ quote: string }>;
    expect(evidence.length).toBeGreaterThan(0);
    for (const e of evidence) expect(text).toContain(e.quote);
    expect(verdict.detail).toMatchObject({ stance: 'forbidden', action: 'skip', reused: false });

    const gates = await checkRunGates(app.ctx, { runId, phase: 'prepare' });
    expect(gates).toMatchObject({ outcome: 'skip_run', state: 'SKIPPED' });
    const { state } = await requireRun(app.ctx.db, runId);
    expect(state.last_error).toMatch(/^skip:ai_policy_forbidden:acme\/widgets does not accept/);
    expect((await listGateChecks(app.ctx.db, runId, { gate: 'ai_policy' }))[0]).toMatchObject({ outcome: 'skip_run', reason_code: 'ai_policy_forbidden' });
    expect(stub.openApiViolations).toEqual([]);
  });

  it('lets an issue-first repository through prepare with a note, blocks the PR request until an issue is linked, then passes it with the issue', async () => {
    repoWith('issue_first');
    const runId = await newRun();
    expect(await check(runId, 'prepare')).toMatchObject({ outcome: 'pass', reasonCode: 'ai_policy_issue_first', message: expect.stringContaining('link one with link-issue before the PR request') });
    const blocked = await check(runId, 'pr_request');
    expect(blocked).toMatchObject({ outcome: 'blocked', reasonCode: 'ai_policy_issue_first' });
    expect(blocked.message).toContain(`agentpr link-issue --run-id ${runId} --issue <number>`);
    const linked = await newRun('run_linked', 'widgets', 42);
    expect(await check(linked, 'pr_request')).toMatchObject({ outcome: 'pass', reasonCode: null, prBody: { disclosure: DEFAULT_DISCLOSURE, issueNumber: 42 } });
  });

  it('passes a repository that asks for disclosure with the campaign disclosure for the PR body', async () => {
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { example: { ai_policy: { disclosure_text: 'Prepared with an AI agent; reviewed by Ada.' } } } }));
    repoWith('disclosure_required');
    const verdict = await check(await newRun(), 'pr_request');
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: null, prBody: { disclosure: 'Prepared with an AI agent; reviewed by Ada.' } });
    expect(verdict.message).toContain('the PR will disclose AI assistance');
  });

  it('proceeds without a disclosure where the campaign says proceed', async () => {
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { example: { ai_policy: { actions: { allowed: 'proceed' } } } } }));
    repoWith('allowed');
    const verdict = await check(await newRun(), 'pr_request');
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: null, detail: { stance: 'allowed', action: 'proceed' } });
    expect(verdict.prBody).toBeUndefined();
  });

  it('reuses the classification for recheck_hours: a second run on the repository reads no documents', async () => {
    repoWith('unknown');
    await check(await newRun('run_one'), 'prepare');
    const reads = contentRequests(stub);
    app.clock.advance(3_600_000);
    const second = await check(await newRun('run_two'), 'prepare');
    expect(second.detail).toMatchObject({ reused: true, stance: 'unknown' });
    expect(contentRequests(stub)).toBe(reads);
  });

  it('passes an upstream that is not on GitHub, saying why, and asks GitHub nothing', async () => {
    const verdict = await check(await newRun(), 'prepare', { notOnGitHub: 'the upstream /srv/git/widgets.git is a local repository, not on GitHub', github: undefined });
    expect(verdict).toMatchObject({ outcome: 'pass', reasonCode: 'not_on_github', message: expect.stringContaining('/srv/git/widgets.git is a local repository') });
    expect(stub.requests).toEqual([]);
  });

  it('fails closed without a token: blocked with the hint', async () => {
    expect(await check(await newRun(), 'prepare', { github: undefined })).toMatchObject({ outcome: 'blocked', reasonCode: 'no_github_token', message: expect.stringContaining(NO_GITHUB_TOKEN) });
  });

  it('holds while GitHub is down and blocks a repository GitHub does not know', async () => {
    const down = {
      listDirectory: async () => {
        throw new GitHubError('server', 'GitHub answered 502 Bad Gateway');
      },
      getFile: async () => null,
    } as unknown as GitHubClient;
    const held = await check(await newRun(), 'prepare', { github: down });
    expect(held).toMatchObject({ outcome: 'held', reasonCode: 'github_unavailable', freesAt: new Date(app.ctx.clock().getTime() + 15 * 60_000).toISOString() });
    expect(await check(await newRun('run_missing', 'missing'), 'prepare')).toMatchObject({ outcome: 'blocked', reasonCode: 'repo_not_found' });
  });
});
