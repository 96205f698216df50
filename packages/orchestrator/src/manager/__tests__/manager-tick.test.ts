import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, addArtifact, applyEvent, getRun, insertPrRequest, iso, listEvents, openStore, recordAttempt, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { createAppPorts } from '../../adapters/app-ports.js';
import { silentLogger } from '../../context.js';
import { createRun } from '../../runs/create-run.js';
import { drive, managerTick, type ActionOutcome, type ManagerActions, type TickOptions } from '../index.js';

/** What every fake action reports; the tick records the detail but never reads it. */
const DONE: ActionOutcome = { kind: 'done', detail: { step: 'event', event_type: 'command.retry', state: 'IMPLEMENTING', duplicate: false } };

afterAll(() => cleanupTempDirs());

let tdb: TestDatabase;
let store: OpenDatabase;
let ctx: AppContext;
let now = Date.parse('2026-11-23T10:00:00.000Z');

beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  store = await openStore(tdb.location);
  const data = tempDir();
  ctx = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(now),
    env: {},
    ...createAppPorts({}),
    log: silentLogger,
    actor: 'operator',
    paths: { dataDir: data, reportsDir: `${data}/reports`, workspaceRoot: `${data}/ws`, campaignDir: data, skillsDir: data, policyFile: `${data}/p.json`, runtimeEnvFile: `${data}/r.json` },
  };
});
afterEach(async () => {
  await store.close();
  await tdb.drop();
});

/** Stand-ins for the heavy use cases: they record what a real one records, so the decisions see real facts. */
function fakeActions(agentGrades: string[]): ManagerActions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async runPrepare(c, runId) {
      calls.push('prepare');
      await recordAttempt(c.db, { runId, step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 1 }, c.clock);
      return DONE;
    },
    async runAgentStep(c, runId) {
      calls.push('agent');
      const grade = agentGrades.shift() ?? 'PASS';
      const { state } = (await getRun(c.db, runId))!;
      await recordAttempt(c.db, { runId, step: 'agent', succeeded: grade === 'PASS', stdout: '', stderr: '', durationMs: 1, grade, reasonCode: 'x', stage: state.current_state }, c.clock);
      if (grade === 'PASS') {
        await applyEvent(c.db, runId, { event: { type: 'command.local.validation.passed', actor: 'worker' } }, c.clock);
        return DONE;
      }
      await applyEvent(c.db, runId, { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'codex_agent_failed', error_message: 'boom', actor: 'worker' } }, c.clock);
      return { kind: 'failed', code: 'agent_step_failed', error: 'agent failed' };
    },
    async runFinish(c, runId) {
      calls.push('finish');
      await applyEvent(c.db, runId, { event: { type: 'worker.push.completed', branch: 'b', head_sha: 'h', actor: 'worker' } }, c.clock);
      return DONE;
    },
    async syncGithub() {
      calls.push('sync');
      return DONE;
    },
    async requestPr(c, runId) {
      calls.push('request_pr');
      const at = iso(c.clock());
      await insertPrRequest(c.db, {
        run_id: runId, request_file: `/r/${runId}.json`, title: 't', body: 'b', base: 'main', head: 'b', head_owner: 'me', head_sha: 'h', draft: 0,
        confirm_token_sha256: 'x', created_at: at, expires_at: iso(new Date(c.clock().getTime() + 1_800_000)), consumed_at: null,
      });
      return DONE;
    },
    async prePushCheck() {
      return { ok: true, failed: [] };
    },
    async contractFromLastMessage() {
      return { kind: 'needs_review', reason: 'none' };
    },
  };
}

function options(over: Partial<TickOptions> = {}): TickOptions {
  return {
    limit: 20,
    maxActionsPerRun: 10,
    dryRun: false,
    hasPrompt: true,
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

describe('managerTick', () => {
  it('takes a new run from QUEUED to PUSHED with ticks only, requests its PR, then waits for the approval with the command', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_m' });
    const actions = fakeActions([]);
    const report = await managerTick(ctx, actions, options());
    expect(report).toMatchObject({ ok: true, run_count: 1, progressed_count: 1 });
    expect(actions.calls).toEqual(['prepare', 'agent', 'finish', 'request_pr']);
    expect((await getRun(ctx.db, 'run_m'))?.state.current_state).toBe('PUSHED');
    expect(report.results[0]?.actions.at(-1)).toMatchObject({
      state: 'PUSHED',
      action: 'wait_human',
      result: 'no_execution',
      awaiting: { action: 'approve_pr', command: 'agentpr approve-open-pr --run-id run_m --request-file /r/run_m.json --confirm-token <token> --confirm' },
    });
    // Requested once: the waiting run takes no slot in later ticks, and asking for it by id does not request again.
    const second = await managerTick(ctx, actions, options());
    expect(second.run_count).toBe(0);
    const byId = await managerTick(ctx, actions, options({ runId: 'run_m' }));
    expect(byId.results[0]?.actions).toEqual([expect.objectContaining({ action: 'wait_human', awaiting: expect.objectContaining({ action: 'approve_pr' }) })]);
    expect(actions.calls.filter((c) => c === 'request_pr')).toHaveLength(1);
  });

  it('with autoRequestPr off (drive) a PUSHED run waits for a human to request the PR', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_n' });
    const actions = fakeActions([]);
    const report = await managerTick(ctx, actions, options({ autoRequestPr: false }));
    expect(actions.calls).toEqual(['prepare', 'agent', 'finish']);
    expect(report.results[0]?.actions.at(-1)).toMatchObject({ action: 'wait_human', awaiting: { action: 'request_pr', command: 'agentpr request-open-pr --run-id run_n' } });
  });

  it('drive stops at a wait with the awaited command in stopped_because', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_p' });
    await applyEvent(ctx.db, 'run_p', { event: { type: 'command.pause', actor: 'operator' } });
    const driven = await drive(ctx, fakeActions([]), options(), { runId: 'run_p' });
    expect(driven).toMatchObject({ state: 'PAUSED', ticks: 1 });
    expect(driven.stopped_because).toBe('wait_human: run is paused; paused: resume it when ready: `agentpr resume --run-id run_p`');
  });

  it('--dry-run plans the first action and changes nothing', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_d' });
    const report = await managerTick(ctx, fakeActions([]), options({ dryRun: true }));
    expect(report.results[0]?.actions).toEqual([{ state: 'QUEUED', action: 'start_discovery', reason: 'a queued run enters discovery', result: 'planned' }]);
    expect((await getRun(ctx.db, 'run_d'))?.state.current_state).toBe('QUEUED');
  });

  it('a failing agent is retried with growing backoff up to its budget, then escalated to a human', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_f' });
    const actions = fakeActions(['RETRYABLE', 'RETRYABLE', 'RETRYABLE', 'RETRYABLE']);
    const first = await managerTick(ctx, actions, options());
    expect(first.results[0]?.errors[0]).toContain('agent failed');
    expect((await getRun(ctx.db, 'run_f'))?.state.current_state).toBe('FAILED_RETRYABLE');
    // In backoff: nothing happens until the backoff has passed.
    expect((await managerTick(ctx, actions, options())).run_count).toBe(0);
    now += 31_000;
    await managerTick(ctx, actions, options());
    now += 61_000;
    await managerTick(ctx, actions, options());
    for (let i = 0; i < 3; i++) {
      now += 10 * 60_000;
      await managerTick(ctx, actions, options());
    }
    const run = await getRun(ctx.db, 'run_f');
    expect(run?.state.current_state).toBe('NEEDS_HUMAN_REVIEW');
    expect(run?.state.last_error).toMatch(/^manager:/);
    expect(actions.calls.filter((c) => c === 'agent')).toHaveLength(2);
    const managerRetries = (await listEvents(ctx.db, 'run_f', { limit: 100 })).filter((e) => e.actor === 'manager' && e.event_type === 'command.retry');
    expect(managerRetries.length).toBeGreaterThanOrEqual(2);
  });

  it('skips a run whose lease another worker holds', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_l' });
    await acquireLease(ctx.db, 'run_l', 'someone-else', 60_000, ctx.clock);
    const report = await managerTick(ctx, fakeActions([]), options());
    expect(report.results[0]?.actions[0]?.result).toBe('leased_elsewhere');
    expect((await getRun(ctx.db, 'run_l'))?.state.current_state).toBe('QUEUED');
  });

  it('an exception in one run does not stop the tick', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_a' });
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_b' });
    const actions = fakeActions([]);
    let first = true;
    actions.runPrepare = async () => {
      if (first) {
        first = false;
        throw new Error('disk on fire');
      }
      return DONE;
    };
    const report = await managerTick(ctx, actions, options({ maxActionsPerRun: 2 }));
    expect(report.run_count).toBe(2);
    expect(report.failed_count).toBe(1);
    expect(report.results.find((r) => !r.ok)?.errors[0]).toContain('disk on fire');
  });

  it('CI_WAIT runs are synced when due and not again within the interval', async () => {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: 'run_s' });
    for (const e of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: 'c' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'b', head_sha: 'h' },
      { type: 'command.pr.linked', pr_number: 5 },
    ] as const) await applyEvent(ctx.db, 'run_s', { event: e });
    await addArtifact(ctx.db, { runId: 'run_s', type: 'x', uri: 'y' });
    const actions = fakeActions([]);
    await managerTick(ctx, actions, options());
    await managerTick(ctx, actions, options());
    expect(actions.calls).toEqual(['sync']);
    now += 61_000;
    await managerTick(ctx, actions, options());
    expect(actions.calls).toEqual(['sync', 'sync']);
  });
});
