import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyEvent, createRun, getRun, listAuditRecords, listGateChecks, setLinkedIssue } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import type { GateTarget, GateVerdict } from '../gate-types.js';

// A unit test of the composition alone: each gate is a stand-in that returns the verdict the test sets.
const { verdicts, gate } = vi.hoisted(() => {
  const state = { next: new Map<string, unknown>(), targets: [] as unknown[] };
  const stand = (name: string) => async (_ctx: unknown, target: unknown) => {
    state.targets.push(target);
    return state.next.get(name) ?? { gate: name, outcome: 'pass', reasonCode: null, message: `${name} passes`, detail: {} };
  };
  return { verdicts: state, gate: stand };
});
vi.mock('../ai-policy-gate.js', () => ({ checkAiPolicy: gate('ai_policy') }));
vi.mock('../duplicates-gate.js', () => ({ checkDuplicates: gate('duplicates') }));
vi.mock('../etiquette-gate.js', () => ({ checkEtiquette: gate('etiquette') }));

const { checkRunGates } = await import('../gates.js');

let tdb: TestDatabase;
let app: TestApp;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  verdicts.next.clear();
  verdicts.targets.length = 0;
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location);
  await createRun(app.ctx.db, { runId: 'run_1', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_1' }, app.clock);
  await applyEvent(app.ctx.db, 'run_1', { event: { type: 'command.start.discovery' } }, app.clock);
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

const set = (verdict: GateVerdict) => verdicts.next.set(verdict.gate, verdict);
const state = async () => (await getRun(app.ctx.db, 'run_1'))!.state;

describe('checkRunGates', () => {
  it('asks the phase gates in order, records each verdict, and lets the run go on when all pass', async () => {
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'prepare' });
    expect(report).toMatchObject({ phase: 'prepare', outcome: 'pass', stoppedBy: null, disclosure: null, issueNumber: null, state: 'DISCOVERY' });
    expect(report.verdicts.map((v) => v.gate)).toEqual(['ai_policy', 'etiquette', 'duplicates']);
    const rows = await listGateChecks(app.ctx.db, 'run_1');
    expect(rows.map((r) => [r.gate, r.phase, r.outcome, r.actor])).toEqual([
      ['duplicates', 'prepare', 'pass', 'operator'],
      ['etiquette', 'prepare', 'pass', 'operator'],
      ['ai_policy', 'prepare', 'pass', 'operator'],
    ]);
  });

  it('stops at the first held gate, stores when it frees, and leaves the run as it is', async () => {
    set({ gate: 'etiquette', outcome: 'held', reasonCode: 'limit_max_prs_per_hour', message: 'held: 2 PRs this hour (limit 2)', detail: { count: 2 }, freesAt: '2026-11-23T11:00:00.000Z' });
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_request' });
    expect(report).toMatchObject({ outcome: 'held', stoppedBy: { gate: 'etiquette' }, state: 'DISCOVERY' });
    expect(report.verdicts.map((v) => v.gate)).toEqual(['ai_policy', 'etiquette']);
    const [held] = await listGateChecks(app.ctx.db, 'run_1');
    expect(JSON.parse(held!.detail_json)).toEqual({ count: 2, frees_at: '2026-11-23T11:00:00.000Z' });
    expect(await state()).toMatchObject({ current_state: 'DISCOVERY', last_error: null });
  });

  it('skip_run ends the run as SKIPPED with the reason; blocked moves it to NEEDS_HUMAN_REVIEW once', async () => {
    set({ gate: 'duplicates', outcome: 'blocked', reasonCode: 'duplicate_found', message: '1 possible duplicate: #4', detail: {} });
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'prepare' })).toMatchObject({ outcome: 'blocked', state: 'NEEDS_HUMAN_REVIEW' });
    expect(await state()).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: 'gate:duplicates:duplicate_found:1 possible duplicate: #4', last_active_state: 'DISCOVERY' });
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'prepare' })).toMatchObject({ outcome: 'blocked', state: 'NEEDS_HUMAN_REVIEW' });

    set({ gate: 'ai_policy', outcome: 'skip_run', reasonCode: 'ai_policy_forbidden', message: 'acme/widgets forbids AI contributions', detail: {} });
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'prepare' })).toMatchObject({ outcome: 'skip_run', state: 'SKIPPED' });
    expect(await state()).toMatchObject({ current_state: 'SKIPPED', last_error: 'skip:ai_policy_forbidden:acme/widgets forbids AI contributions' });
  });

  it('blocked on a run the table cannot move to NEEDS_HUMAN_REVIEW (QUEUED) stops the caller and leaves the run', async () => {
    await createRun(app.ctx.db, { runId: 'run_q', owner: 'acme', repo: 'gizmo', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_q' }, app.clock);
    set({ gate: 'duplicates', outcome: 'blocked', reasonCode: 'duplicate_found', message: '1 possible duplicate: #4', detail: {} });
    expect(await checkRunGates(app.ctx, { runId: 'run_q', phase: 'prepare' })).toMatchObject({ outcome: 'blocked', state: 'QUEUED' });
    expect((await getRun(app.ctx.db, 'run_q'))!.state).toMatchObject({ current_state: 'QUEUED', last_error: null });
  });

  it('an override goes on, is recorded as one and audited', async () => {
    set({ gate: 'duplicates', outcome: 'overridden', reasonCode: 'duplicate_found', message: 'let through with --allow-duplicate', detail: { matches: ['https://github.com/acme/widgets/pull/4'] } });
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'prepare', allowDuplicate: true });
    expect(report).toMatchObject({ outcome: 'overridden', stoppedBy: null, state: 'DISCOVERY' });
    const override = (await listGateChecks(app.ctx.db, 'run_1')).find((r) => r.override === 1);
    expect(override).toMatchObject({ gate: 'duplicates', outcome: 'overridden' });
    const [audit] = await listAuditRecords(app.ctx.db, { limit: 5, runId: 'run_1' });
    expect(audit).toMatchObject({ kind: 'gate_override:duplicates', actor: 'operator' });
    expect(JSON.parse(audit!.detail_json)).toMatchObject({ phase: 'prepare', reason_code: 'duplicate_found', matches: ['https://github.com/acme/widgets/pull/4'] });
  });

  it("gathers the disclosure a gate asks for, and the issue it names, else the run's linked issue", async () => {
    set({ gate: 'ai_policy', outcome: 'pass', reasonCode: null, message: 'disclose', detail: {}, prBody: { disclosure: 'Made with an AI agent.' } });
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_request' })).toMatchObject({ disclosure: 'Made with an AI agent.', issueNumber: null });
    await setLinkedIssue(app.ctx.db, 'run_1', 12, app.clock);
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_request' })).toMatchObject({ issueNumber: 12 });
    set({ gate: 'ai_policy', outcome: 'pass', reasonCode: null, message: 'issue first', detail: {}, prBody: { disclosure: 'Made with an AI agent.', issueNumber: 7 } });
    expect(await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_request' })).toMatchObject({ issueNumber: 7 });
  });

  it('at approval only the etiquette gate is asked (the PR opens now: limits and schedule)', async () => {
    const report = await checkRunGates(app.ctx, { runId: 'run_1', phase: 'pr_approve' });
    expect(report.verdicts.map((v) => v.gate)).toEqual(['etiquette']);
  });

  it('tells the gates whether the upstream is on GitHub: a github.com URL is, a local one or offline mode is not, unless AGENTPR_OFFLINE=0', async () => {
    const reachOf = async (env: Record<string, string | undefined>, upstreamUrl?: string) => {
      verdicts.targets.length = 0;
      await checkRunGates({ ...app.ctx, env: { ...app.ctx.env, ...env } }, { runId: 'run_1', phase: 'pr_approve', upstreamUrl });
      return (verdicts.targets[0] as GateTarget).notOnGitHub;
    };
    expect(await reachOf({})).toBeNull();
    expect(await reachOf({}, 'https://github.com/acme/widgets.git')).toBeNull();
    expect(await reachOf({}, '/srv/git/widgets.git')).toBe('the upstream /srv/git/widgets.git is a local repository, not on GitHub');
    expect(await reachOf({ AGENTPR_OFFLINE: '0' }, '/srv/git/widgets.git')).toBeNull();
    expect(await reachOf({ AGENTPR_OFFLINE: '1' })).toBe('offline mode (AGENTPR_OFFLINE=1)');
    expect(await reachOf({ GITHUB_API_URL: 'http://127.0.0.1:4010' }, 'file:///srv/git/widgets.git')).toMatch(/^offline mode \(the GitHub API URL is loopback and the remotes are local\)$/);
    expect(await reachOf({}, 'https://user:ghp_abcdefghijkl@example.com/acme/widgets.git')).toBeNull();
  });
});
