import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, openStore, setWorkspaceHost, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { createAppPorts } from '../../adapters/app-ports.js';
import { silentLogger, type AppContext } from '../../context.js';
import { createRun } from '../../runs/create-run.js';
import { managerTick, tickOptions, type ManagerActions, type TickOptions } from '../index.js';

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
    env: { AGENTPR_HOST_ID: 'host-b' },
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

/** The ticks below only start discovery (a use case of its own): no heavy action may run. */
const NO_ACTIONS = new Proxy({} as ManagerActions, {
  get: (_target, name) => () => Promise.reject(new Error(`unexpected action ${String(name)}`)),
});

async function runs(): Promise<void> {
  for (const [runId, host] of [['run_1', 'host-a'], ['run_2', null], ['run_3', 'host-b']] as const) {
    await createRun(ctx, { owner: 'o', repo: 'r', prompt_version: 'v1', run_id: runId });
    if (host) await setWorkspaceHost(ctx.db, runId, host);
    now += 1000;
  }
}

async function options(over: Partial<TickOptions> = {}): Promise<TickOptions> {
  return { ...(await tickOptions(ctx, { maxActionsPerRun: 1 }, new AbortController().signal)), backoffBaseMs: 0, prFollowup: false, ...over };
}

describe('manager affinity', () => {
  it('tickOptions names this host from the app environment in the lease holder and the affinity', async () => {
    const opts = await options();
    expect(opts.hostId).toBe('host-b');
    expect(opts.holder).toMatch(/^host-b:\d+:manager:[0-9a-f]{8}$/);
  });

  it('a tick works this host\'s run first, then the unplaced one, and leaves another host\'s run to it while it has work of its own', async () => {
    await runs();
    const one = await managerTick(ctx, NO_ACTIONS, await options({ limit: 1, dryRun: true }));
    expect(one.results.map((r) => [r.run_id, r.actions[0]?.result])).toEqual([['run_3', 'planned']]);
    const busy = await managerTick(ctx, NO_ACTIONS, await options({ limit: 3 }));
    expect(busy.results.map((r) => [r.run_id, r.actions_executed.map((a) => [a.action, a.ok])])).toEqual([
      ['run_3', [['start_discovery', true]]],
      ['run_2', [['start_discovery', true]]],
    ]);
    expect(busy.deferred_count).toBe(1);
  });

  it('an idle host takes other hosts\' runs at once: nothing is pinned', async () => {
    await runs();
    await setWorkspaceHost(ctx.db, 'run_2', 'host-a');
    // host-c holds nothing and no run is unplaced: it works host-a's and host-b's runs, oldest first.
    const idle = await managerTick(ctx, NO_ACTIONS, await options({ hostId: 'host-c' }));
    expect(idle.results.map((r) => [r.run_id, r.actions_executed.map((a) => a.action)])).toEqual([
      ['run_1', ['start_discovery']],
      ['run_2', ['start_discovery']],
      ['run_3', ['start_discovery']],
    ]);
    expect(idle.deferred_count).toBeUndefined();
  });

  it('without a host id the order is the plain oldest-first; a run another holder leases is skipped, not waited for', async () => {
    await runs();
    await acquireLease(ctx.db, 'run_3', 'host-a:1:manager:00000000', 60_000, ctx.clock);
    const report = await managerTick(ctx, NO_ACTIONS, await options({ hostId: undefined }));
    expect(report.results.map((r) => [r.run_id, r.actions[0]?.result ?? r.actions[0]?.action])).toEqual([
      ['run_1', 'start_discovery'],
      ['run_2', 'start_discovery'],
      ['run_3', 'leased_elsewhere'],
    ]);
  });

  it('another host\'s run unchanged past the grace ranks with the unplaced runs, by age', async () => {
    await runs();
    now += 5_000;
    const report = await managerTick(ctx, NO_ACTIONS, await options({ limit: 2, foreignGraceMs: 4_000 }));
    // run_1 (host-a) last moved 7 s ago, more than the 4 s grace: it ranks with run_2 and is older.
    expect(report.results.map((r) => r.run_id)).toEqual(['run_3', 'run_1']);
  });
});
