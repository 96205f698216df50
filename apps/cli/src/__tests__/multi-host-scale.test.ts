import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createRuns, getRun, openStore } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, testPostgresUrl } from '@agentpr/testing';
import { allAwaitApproval, countByRun, describeRuns, eventsOfType, overlappingAgentAttempts, remotes, simulatedHost, waitFor } from './multi-host-harness.js';

afterAll(() => cleanupTempDirs());

const HOSTS = 4;

/** The rebuilds counted by the host each moved from and the point it was rebuilt at. */
function rebuiltBy(events: Array<{ payload: Record<string, unknown> }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) {
    const key = `${String(e.payload.from_host)}@${String(e.payload.point)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
const RUNS = 50;

describe.skipIf(!testPostgresUrl())('many simulated hosts on one PostgreSQL', () => {
  it(`${HOSTS} hosts take ${RUNS} runs to PUSHED with the scripted agent: each pushed once, never two agents at once, rebuilds counted`, async () => {
    const db = await freshDatabase('postgres');
    const store = await openStore(db.location);
    try {
      const remote = await remotes();
      const hosts = Array.from({ length: HOSTS }, (_, i) => simulatedHost(`host-${i + 1}`, db, remote));
      const runIds = Array.from({ length: RUNS }, (_, i) => `run_${String(i).padStart(3, '0')}`);
      // Created by an operator on the first host; no host holds a workspace until one prepares it.
      await createRuns(store.db, runIds.map((runId) => ({ runId, owner: 'octo', repo: 'sample', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(hosts[0]!.workspaceRoot, 'octo', 'sample', runId) })));
      const started = Date.now();
      // The default four actions per run and tick: a run needs two ticks, and between them any host may take it.
      const loops = hosts.map((h) => h.start([...h.base, 'run-manager-loop', '--prompt-file', h.promptFile, ...h.remoteFlags, '--interval-sec', '1']));
      const explain = async () => (await describeRuns(store.db, runIds)).split('\n').filter((l) => !l.includes(' PUSHED ')).slice(0, 10).join('\n');
      await waitFor(`${RUNS} runs to await their PR approval`, () => allAwaitApproval(store.db, runIds), 150_000, explain);
      const seconds = (Date.now() - started) / 1000;
      const stopped = await Promise.all(loops.map((l) => l.stop()));
      for (const s of stopped) {
        expect(s.code, s.stderr.slice(-2000)).toBe(0);
        expect(s.stderr).not.toMatch(/unexpected error|database is locked/);
      }

      const pushes = await countByRun(store.db, 'worker.push.completed');
      expect(runIds.filter((id) => pushes.get(id) !== 1)).toEqual([]);
      const overlaps = (await Promise.all(runIds.map((id) => overlappingAgentAttempts(store.db, id)))).flat();
      expect(overlaps).toEqual([]);
      const rebuilt = await eventsOfType(store.db, 'worker.workspace.rebuilt');
      // Nothing was lost: every rebuild happened between steps, never in the middle of an agent's work.
      expect(await eventsOfType(store.db, 'worker.workspace.work_lost')).toEqual([]);
      const placed = await store.db.selectFrom('run_states').select('workspace_host').where('run_id', 'in', runIds).execute();
      const perHost = Object.fromEntries(hosts.map((h) => [h.name, placed.filter((p) => p.workspace_host === h.name).length]));
      expect(Object.values(perHost).reduce((x, y) => x + y, 0)).toBe(RUNS);
      console.log(`multi-host: ${HOSTS} hosts, ${RUNS} runs PUSHED in ${seconds.toFixed(1)} s (${Math.round((RUNS / seconds) * 3600)} runs/hour), ${rebuilt.length} workspace rebuilds ${JSON.stringify(rebuiltBy(rebuilt))}, runs per host ${JSON.stringify(perHost)}`);
    } finally {
      await store.close();
      await db.drop();
    }
  }, 240_000);
});

describe('one host on SQLite', () => {
  it('drives a run to PUSHED as before: its workspace stays where it was prepared, never rebuilt', async () => {
    const db = await freshDatabase('sqlite');
    const store = await openStore(db.location);
    try {
      const host = simulatedHost('host-solo', db, await remotes());
      expect((await host.run([...host.base, 'create-run', '--owner', 'octo', '--repo', 'sample', '--prompt-version', 'v1', '--run-id', 'run_solo'])).code).toBe(0);
      const driven = await host.run([...host.base, 'drive', '--run-id', 'run_solo', '--prompt-file', host.promptFile, ...host.remoteFlags]);
      expect(driven.code, driven.stderr).toBe(0);
      expect(JSON.parse(driven.stdout)).toMatchObject({ state: 'PUSHED' });
      const found = await getRun(store.db, 'run_solo');
      expect([found?.run.workspace_dir, found?.state.workspace_host]).toEqual([join(host.workspaceRoot, 'octo', 'sample', 'run_solo'), 'host-solo']);
      expect(await eventsOfType(store.db, 'worker.workspace.rebuilt')).toEqual([]);
      expect(Object.fromEntries(await countByRun(store.db, 'worker.push.completed'))).toEqual({ run_solo: 1 });
    } finally {
      await store.close();
      await db.drop();
    }
  }, 120_000);
});
