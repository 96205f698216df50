import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@agentpr/state-machine';
import { applyEvent, createRun as storeCreateRun, getRun, listAuditRecords, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { applyAll, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { applyCommand } from '../apply-command.js';
import { createRun, importRuns } from '../create-run.js';
import { missingMerge } from '../mark-done.js';
import { listRuns, showRun } from '../queries.js';

let tdb: TestDatabase;
let app: TestApp;
afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location);
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

const TO_VALIDATED: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: 'c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
];

async function run(runId: string, events: RunEvent[]): Promise<void> {
  await storeCreateRun(app.ctx.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}` }, app.ctx.clock);
  await applyAll(app.ctx, runId, events);
}

async function state(runId: string): Promise<string> {
  return (await getRun(app.ctx.db, runId))!.state.current_state;
}

describe('mark-done asks for --force unless the store knows a merged PR (issue 15)', () => {
  it('missingMerge names what is missing: a push, a linked PR, a merge', () => {
    expect(missingMerge({ pushed: false, prNumber: null, mergedPr: null })).toBe('it was never pushed');
    expect(missingMerge({ pushed: true, prNumber: null, mergedPr: null })).toBe('no PR is linked to it');
    expect(missingMerge({ pushed: true, prNumber: 9, mergedPr: null })).toBe('PR #9 is not merged as far as agentpr knows');
    expect(missingMerge({ pushed: true, prNumber: 9, mergedPr: 9 })).toBeNull();
  });

  it('refuses a run escalated before any push, a pushed run without a PR, and a run whose PR is open; nothing changes', async () => {
    await run('run_never', [...TO_VALIDATED.slice(0, 3), { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'y' }]);
    await applyAll(app.ctx, 'run_never', [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' }]);
    await run('run_nopr', [...TO_VALIDATED, { type: 'worker.push.completed', branch: 'b', head_sha: 'h1' }]);
    await run('run_open', [...TO_VALIDATED, { type: 'worker.push.completed', branch: 'b', head_sha: 'h1' }, { type: 'command.pr.linked', pr_number: 12 }]);
    await applyAll(app.ctx, 'run_open', [{ type: 'github.check.completed', conclusion: 'success', pr_number: 12, head_sha: 'h1' }]);
    const cases: Array<[string, string, RegExp]> = [
      ['run_never', 'NEEDS_HUMAN_REVIEW', /^run run_never has no merged PR: it was never pushed\. Pass --force to mark it DONE anyway\.$/],
      ['run_nopr', 'PUSHED', /^run run_nopr has no merged PR: no PR is linked to it\. Pass --force/],
      ['run_open', 'REVIEW_WAIT', /^run run_open has no merged PR: PR #12 is not merged as far as agentpr knows \(agentpr sync-github --run-id run_open asks GitHub\)\. Pass --force/],
    ];
    for (const [runId, before, message] of cases) {
      expect(await state(runId)).toBe(before);
      const events = (await listEvents(app.ctx.db, runId, { limit: 100 })).length;
      await expect(applyCommand(app.ctx, runId, { command: 'mark-done' })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(message) });
      expect(await state(runId)).toBe(before);
      expect(await listEvents(app.ctx.db, runId, { limit: 100 })).toHaveLength(events);
    }
    expect(await listAuditRecords(app.ctx.db, { limit: 10 })).toEqual([]);
  });

  it('--force marks it DONE and records the event and an audit record as forced, with why', async () => {
    await run('run_open', [...TO_VALIDATED, { type: 'worker.push.completed', branch: 'b', head_sha: 'h1' }, { type: 'command.pr.linked', pr_number: 12 }]);
    await applyAll(app.ctx, 'run_open', [{ type: 'github.check.completed', conclusion: 'success', pr_number: 12, head_sha: 'h1' }]);
    const done = await applyCommand(app.ctx, 'run_open', { command: 'mark-done', force: true }, 'done-1');
    expect(done).toMatchObject({ kind: 'applied', result: { state: 'DONE', event_type: 'command.mark.done', duplicate: false } });
    const [event] = await listEvents(app.ctx.db, 'run_open', { limit: 1 });
    expect(event).toMatchObject({ event_type: 'command.mark.done', applied: 1, actor: 'operator', payload: { forced: true, why: 'PR #12 is not merged as far as agentpr knows' } });
    const audit = await listAuditRecords(app.ctx.db, { limit: 10, runId: 'run_open' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ kind: 'mark_done_forced', actor: 'operator' });
    expect(JSON.parse(audit[0]!.detail_json)).toMatchObject({ why: 'PR #12 is not merged as far as agentpr knows', from: 'REVIEW_WAIT', event_id: event!.event_id });
  });

  it('a merge the store recorded lets mark-done through without --force, not forced', async () => {
    await run('run_m', [...TO_VALIDATED, { type: 'worker.push.completed', branch: 'b', head_sha: 'h1' }, { type: 'command.pr.linked', pr_number: 7 }]);
    await applyAll(app.ctx, 'run_m', [{ type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: 'h1' }]);
    // A merge stored without effect (as a delivery may be), so the run still waits in REVIEW_WAIT.
    await applyEvent(app.ctx.db, 'run_m', { event: { type: 'github.pull_request.closed', pr_number: 7, merged: true, actor: 'webhook' }, storeOnly: { reason: 'test' } }, app.ctx.clock);
    expect(await applyCommand(app.ctx, 'run_m', { command: 'mark-done' })).toMatchObject({ kind: 'applied', result: { state: 'DONE' } });
    const [event] = await listEvents(app.ctx.db, 'run_m', { limit: 1 });
    expect(event!.payload).not.toHaveProperty('forced');
    expect(await listAuditRecords(app.ctx.db, { limit: 10 })).toEqual([]);
  });

  it('a state mark-done does not apply to keeps its own refusal; an unknown run is not found', async () => {
    await run('run_q', []);
    await expect(applyCommand(app.ctx, 'run_q', { command: 'mark-done', force: true })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/does not apply to run run_q in QUEUED/) });
    await expect(applyCommand(app.ctx, 'run_missing', { command: 'mark-done' })).rejects.toMatchObject({ code: 'run_not_found' });
  });
});

describe('resume after pause (issue 15)', () => {
  it('a run paused in NEEDS_HUMAN_REVIEW resumes to NEEDS_HUMAN_REVIEW; show-run says where it was paused from', async () => {
    await run('run_h', [...TO_VALIDATED.slice(0, 3), { type: 'worker.step.failed', step: 'agent', reason_code: 'tests_failed', error_message: '2 failing' }]);
    await applyAll(app.ctx, 'run_h', [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' }]);
    expect((await applyCommand(app.ctx, 'run_h', { command: 'pause' })).result.state).toBe('PAUSED');
    expect(await showRun(app.ctx, 'run_h')).toMatchObject({ state: 'PAUSED', paused_from: 'NEEDS_HUMAN_REVIEW', last_active_state: 'IMPLEMENTING' });
    expect((await applyCommand(app.ctx, 'run_h', { command: 'resume' })).result.state).toBe('NEEDS_HUMAN_REVIEW');
    const shown = await showRun(app.ctx, 'run_h');
    expect(shown).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', last_error: 'agent:tests_failed:2 failing', last_active_state: 'IMPLEMENTING' });
    expect(shown).not.toHaveProperty('paused_from');
  });
});

describe('list-runs filters and the campaign of a run (issue 15)', () => {
  it('a run records the campaign in use, or the one its input names; list-runs filters by it', async () => {
    mkdirSync(app.ctx.paths.campaignDir, { recursive: true });
    writeFileSync(`${app.ctx.paths.campaignDir}/campaign.json`, JSON.stringify({ name: 'spring-cleanup' }));
    // A campaign a run names must be known (issue 17): autumn is in the policy's campaigns section.
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaigns: { autumn: {} } }));
    const a = await createRun(app.ctx, { owner: 'Octo', repo: 'Widgets', prompt_version: 'v1', run_id: 'run_a' });
    await importRuns(app.ctx, [{ owner: 'octo', repo: 'gadgets', prompt_version: 'v1', run_id: 'run_b', campaign: 'autumn' }, { owner: 'x', repo: 'y', prompt_version: 'v1', run_id: 'run_c' }]);
    expect(a.run_id).toBe('run_a');
    expect(await showRun(app.ctx, 'run_a')).toMatchObject({ run: { campaign: 'spring-cleanup' } });
    expect((await listRuns(app.ctx, { limit: 10, campaign: 'spring-cleanup' })).runs.map((r) => r.run_id).sort()).toEqual(['run_a', 'run_c']);
    expect((await listRuns(app.ctx, { limit: 10, campaign: 'autumn' })).runs.map((r) => r.run_id)).toEqual(['run_b']);
    expect((await listRuns(app.ctx, { limit: 10, repo: { owner: 'OCTO', repo: 'widgets' }, states: ['QUEUED'] })).runs.map((r) => r.run_id)).toEqual(['run_a']);
    await expect(createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', campaign: '  ' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/campaign: must not be blank/) });
  });

  it('without campaign.json the campaign is "default"', async () => {
    await createRun(app.ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_d' });
    expect((await listRuns(app.ctx, { limit: 10, campaign: 'default' })).runs.map((r) => r.run_id)).toEqual(['run_d']);
  });
});
