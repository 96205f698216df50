import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectRun } from '@agentpr/reports';
import { getLease, latestGateChecks, pendingPrRequests, requireRun } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { HOSTILE, HOSTILE_CAMPAIGN, HOSTILE_PR_TITLE, SEED_RUN_IDS, seedDashboardStore, openTestDeps } from './seed.js';
import type { DashboardDeps } from '../deps.js';

// The shared seed itself: every named run is in the state its name promises, and the read models the pages use find
// the seeded reports, verdicts, gates, lease and approvals through a read-only connection.

let deps: DashboardDeps;
let close: () => Promise<void>;

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-seed-'));
  await seed.close();
  ({ deps, close } = await openTestDeps(seed.dbPath));
});

afterAll(async () => {
  await close?.();
  cleanupTempDirs();
});

describe('seedDashboardStore', () => {
  it('puts each named run in its state', async () => {
    const states: Record<keyof typeof SEED_RUN_IDS, string> = {
      queued: 'QUEUED',
      iterating: 'ITERATING',
      localValidating: 'LOCAL_VALIDATING',
      awaitingApproval: 'PUSHED',
      ciWait: 'CI_WAIT',
      needsHuman: 'NEEDS_HUMAN_REVIEW',
      merged: 'DONE',
      skipped: 'SKIPPED',
      hostile: 'NEEDS_HUMAN_REVIEW',
      hostilePending: 'PUSHED',
    };
    for (const [name, state] of Object.entries(states)) {
      const { state: row } = await requireRun(deps.db, SEED_RUN_IDS[name as keyof typeof SEED_RUN_IDS]);
      expect(`${name}:${row.current_state}`).toBe(`${name}:${state}`);
    }
  });

  it('gives inspectRun the latest runtime report with its evidence, digest and insight, and the red CI verdict', async () => {
    const view = await inspectRun(deps.app, { runId: SEED_RUN_IDS.iterating });
    expect(view.warnings.filter((w) => w.includes('report') || w.includes('digest') || w.includes('insight'))).toEqual([]);
    expect(view.latest_agent_runtime).toMatchObject({ grade: 'RETRYABLE', reason_code: 'test_command_failed' });
    expect((view.latest_agent_runtime!.evidence as Array<{ note: string }>)[0]!.note).toContain('2 of 88 tests failed');
    expect(view.latest_run_digest).toMatchObject({ grade: 'RETRYABLE', state_after: 'ITERATING' });
    expect(view.latest_manager_insight!.preview).toContain('Manager insight');
    expect(view.latest_ci).toMatchObject({ red: true, failing_checks: ['lint', 'test (ubuntu-latest, node 20)'] });
    expect(await getLease(deps.db, SEED_RUN_IDS.iterating)).toMatchObject({ holder: 'manager-loop:dash-host:4242' });
  });

  it('keeps the hostile text as it was written', async () => {
    const { run, state } = await requireRun(deps.db, SEED_RUN_IDS.hostile);
    expect(run.campaign).toBe(HOSTILE_CAMPAIGN);
    expect(state.last_error).toContain(HOSTILE.script);
    const pending = await pendingPrRequests(deps.db, { limit: 10 });
    expect(pending.map((p) => p.run_id).sort()).toEqual([SEED_RUN_IDS.awaitingApproval, SEED_RUN_IDS.hostilePending].sort());
    expect(pending.find((p) => p.run_id === SEED_RUN_IDS.hostilePending)!.title).toBe(HOSTILE_PR_TITLE);
    expect((await latestGateChecks(deps.db, SEED_RUN_IDS.skipped))[0]).toMatchObject({ gate: 'ai_policy', outcome: 'skip_run' });
  });

  it('opens read-only: a write through the dashboard connection is refused', async () => {
    await expect(deps.db.deleteFrom('runs').execute()).rejects.toThrow(/readonly|read-only/i);
  });
});
