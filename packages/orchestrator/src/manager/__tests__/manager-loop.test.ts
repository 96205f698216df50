import { afterAll, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { openStore } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, tempDir } from '@agentpr/testing';
import { createAppPorts } from '../../adapters/app-ports.js';
import { silentLogger, type AppContext } from '../../context.js';
import { runManagerLoop, type ManagerActions, type TickReport } from '../index.js';

afterAll(() => cleanupTempDirs());

describe('runManagerLoop', () => {
  it('leaves no abort listener behind on its signal after each sleep (regression: one was added per tick, MaxListenersExceededWarning after 11)', async () => {
    const tdb = await freshDatabase('sqlite');
    const store = await openStore(tdb.location);
    const data = tempDir();
    const ctx: AppContext = {
      db: store.db,
      dialect: store.dialect,
      clock: () => new Date(),
      env: {},
      ...createAppPorts({}),
      log: silentLogger,
      actor: 'manager',
      paths: { dataDir: data, reportsDir: `${data}/reports`, workspaceRoot: `${data}/ws`, campaignDir: data, skillsDir: data, policyFile: `${data}/p.json`, runtimeEnvFile: `${data}/r.json` },
    };
    const signal = new AbortController().signal;
    const options = {
      limit: 20, maxActionsPerRun: 4, dryRun: false, hasPrompt: false, skillsMode: () => 'off' as const, maxRetriesPerRun: 3, actionTimeoutMs: 60_000,
      agentTimeoutMs: () => 60_000, syncIntervalMs: 60_000, backoffBaseMs: 0, concurrency: 1, holder: 'test', prFollowup: false, signal,
    };
    const ticks: TickReport[] = [];
    try {
      const result = await runManagerLoop(ctx, {} as ManagerActions, options, { intervalSec: 1, maxLoops: 2, signal, onTick: (r) => ticks.push(r) });
      expect(result).toEqual({ ok: true, ticks: 2 });
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
