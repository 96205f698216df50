#!/usr/bin/env node
// Manager tick benchmark (issue: manager loop).
//   node tools/bench/src/manager-bench.mjs [--ticks 15]
// One tick over N total runs of which 1k are active and none need work (CI_WAIT, synced recently), for
// N = 2k and 100k: the tick must stay ≤ 100 ms and grow with active runs, not total runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));
const orch = await import(join(root, 'packages', 'orchestrator', 'dist', 'index.js'));
const { values } = parseArgs({ options: { ticks: { type: 'string', default: '15' } } });
const work = mkdtempSync(join(tmpdir(), 'agentpr-mbench-'));

async function build(total, active) {
  const db = await store.openStore({ kind: 'sqlite', path: join(work, `m-${total}.db`) });
  const runs = Array.from({ length: total }, (_, i) => ({ runId: `r${String(i).padStart(7, '0')}`, owner: 'o', repo: `r${i % 50}`, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${i}` }));
  for (let i = 0; i < total; i += 20_000) await store.createRuns(db.db, runs.slice(i, i + 20_000));
  const now = new Date().toISOString();
  // Fixture shortcut: set states directly (the bench measures the tick, not the path to these states).
  await db.db.updateTable('run_states').set({ current_state: 'DONE' }).where('run_id', '>=', `r${String(active).padStart(7, '0')}`).execute();
  await db.db.updateTable('run_states').set({ current_state: 'CI_WAIT' }).where('run_id', '<', `r${String(active).padStart(7, '0')}`).execute();
  for (let i = 0; i < active; i += 500) {
    await db.db.insertInto('manager_runs').values(runs.slice(i, Math.min(i + 500, active)).map((r) => ({ run_id: r.runId, last_action: 'sync_github', last_fingerprint: '', consecutive_failures: 0, next_attempt_at: null, last_sync_at: now, updated_at: now }))).execute();
  }
  return db;
}

const noop = async () => ({ ok: true, returncode: 0, command: [], output: {} });
const actions = { runPrepare: noop, runAgentStep: noop, runFinish: noop, syncGithub: noop, prePushCheck: async () => ({ ok: true, failed: [] }), contractFromLastMessage: async () => ({ kind: 'skip' }) };

async function measure(total, active) {
  const db = await build(total, active);
  const ctx = { db: db.db, dialect: 'sqlite', clock: () => new Date(), env: {}, log: orch.silentLogger, actor: 'manager', paths: { dataDir: work } };
  const options = { limit: 20, maxActionsPerRun: 4, dryRun: false, hasPrompt: true, skillsMode: () => 'off', maxRetriesPerRun: 3, actionTimeoutMs: 60_000, agentTimeoutMs: () => 60_000, syncIntervalMs: 3_600_000, backoffBaseMs: 30_000, concurrency: 1, holder: 'bench', signal: new AbortController().signal };
  const times = [];
  for (let i = 0; i < Number(values.ticks); i++) {
    const t0 = performance.now();
    const report = await orch.managerTick(ctx, actions, options);
    times.push(performance.now() - t0);
    if (report.run_count !== 0) throw new Error('expected no run to need work');
  }
  await db.close();
  times.sort((a, b) => a - b);
  return { total, active, median_ms: +times[Math.floor(times.length / 2)].toFixed(2), max_ms: +times.at(-1).toFixed(2) };
}

const small = await measure(2_000, 1_000);
const large = await measure(100_000, 1_000);
const moreActive = await measure(20_000, 10_000);
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify({ small, large, moreActive, growth_total_50x: +(large.median_ms / small.median_ms).toFixed(2) }, null, 2));
