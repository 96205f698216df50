#!/usr/bin/env node
// Runs per hour with 1, 2 and 4 simulated hosts on one PostgreSQL (issue 20).
//   node tools/bench/run.mjs multi-host [--runs 40] [--hosts 1,2,4] [--database-url URL]
// Each simulated host is one `agentpr run-manager-loop` process with its own AGENTPR_HOME (data dir and workspace
// root) and AGENTPR_HOST_ID, all sharing one database, local bare upstream and fork repositories and the scripted
// codex (packages/testing/src/scripted-codex: a deterministic change and a passing `npm test` it does not run, in
// well under a second) under bubblewrap. The same workload for each host count: N fresh runs created at once,
// timed from the loops' start until every run is PUSHED with its PR request written. Also counted: workspace
// rebuilds (a run taken by a host other than the one that last held its workspace) and pushes per run (must be 1).
// The database: --database-url, else AGENTPR_TEST_DATABASE_URL, else a throwaway server (tools/scripts/pg-start.sh).
// Exit code 1 if a run was pushed other than once or did not finish, 2 if it could not run.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(root, 'apps', 'cli', 'dist', 'agentpr.js');
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));
const testing = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));
const { default: pg } = await import(createRequire(join(root, 'packages', 'testing', 'package.json')).resolve('pg'));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '40' }, hosts: { type: 'string', default: '1,2,4' }, 'database-url': { type: 'string' } } });
const RUNS = Number(values.runs);
const HOST_COUNTS = values.hosts.split(',').map(Number);
if (!(RUNS > 0) || HOST_COUNTS.some((n) => !(n > 0))) {
  console.error('usage: multi-host-bench.mjs [--runs N] [--hosts 1,2,4] [--database-url URL]');
  process.exit(2);
}

// No baseline test run at prepare and no PR etiquette caps: the bench measures agentpr's own work per run.
const HOST_POLICY = {
  baseline_tests: { enabled: false },
  campaign_defaults: { etiquette: { max_open_prs_per_repo: 0, max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0 } },
};

let pgDir;
let admin = values['database-url'] ?? process.env.AGENTPR_TEST_DATABASE_URL;
if (!admin) {
  pgDir = mkdtempSync(join(tmpdir(), 'agentpr-mhbench-pg-'));
  const port = String(56000 + (process.pid % 1000));
  const started = spawnSync(join(root, 'tools', 'scripts', 'pg-start.sh'), [join(pgDir, 'pg'), port], { encoding: 'utf8' });
  if (started.status !== 0) {
    console.error(`could not start PostgreSQL: ${started.stderr.trim().split('\n').at(-1)}`);
    process.exit(2);
  }
  admin = started.stdout.trim();
}

/** A fresh database on the server; returns its URL and how to drop it. */
async function freshDatabase() {
  const name = `agentpr_mhbench_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
  return { url: url.toString(), drop };
}

/** One `agentpr run-manager-loop` per simulated host; resolves with the exits once stopped. */
function startHost(name, dbUrl, remote, codexEnv) {
  const home = testing.tempDir(`agentpr-mhbench-${name}-`);
  writeFileSync(join(home, 'manager_policy.json'), JSON.stringify(HOST_POLICY));
  writeFileSync(join(home, 'prompt.md'), 'Append the next scripted change and run npm test.\n');
  const env = { ...process.env, ...codexEnv, AGENTPR_HOME: home, AGENTPR_HOST_ID: name };
  for (const key of ['TMPDIR', 'GITHUB_TOKEN', 'GH_TOKEN']) delete env[key];
  const args = ['--database-url', dbUrl, '--skip-doctor', '--json', 'run-manager-loop', '--prompt-file', join(home, 'prompt.md'), '--upstream-url', remote.upstream, '--fork-url', remote.fork, '--fork-owner', 'me', '--skip-network-check', '--interval-sec', '1'];
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise((r) => child.on('close', (code) => r({ code, stderr })));
  return { name, home, stop: () => (child.kill('SIGTERM'), done) };
}

async function measure(hostCount) {
  const { url, drop } = await freshDatabase();
  const db = await store.openStore({ kind: 'postgres', url });
  try {
    const sample = await testing.createSampleWorkspace({ withRemote: true });
    const fork = await testing.makeBareFork({ url: sample.remote, branch: 'main', headSha: sample.baseSha });
    const remote = { upstream: sample.remote, fork: fork.url };
    const codex = testing.scriptedCodex();
    const runIds = Array.from({ length: RUNS }, (_, i) => `run_${String(i).padStart(4, '0')}`);
    // Created by an operator elsewhere: the path is where it was created, each host resolves the run under its own root.
    const createdAt = join(testing.tempDir('agentpr-mhbench-operator-'), 'workspaces', 'octo', 'sample');
    await store.createRuns(db.db, runIds.map((runId) => ({ runId, owner: 'octo', repo: 'sample', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(createdAt, runId) })));
    const t0 = performance.now();
    const hosts = Array.from({ length: hostCount }, (_, i) => startHost(`host-${i + 1}`, url, remote, codex.env));
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const pushed = await db.db.selectFrom('run_states').select((eb) => eb.fn.countAll().as('n')).where('current_state', '=', 'PUSHED').executeTakeFirst();
      const requested = await db.db.selectFrom('pr_requests').select((eb) => eb.fn.count('run_id').distinct().as('n')).executeTakeFirst();
      if (Number(pushed.n) === RUNS && Number(requested.n) === RUNS) break;
      if (Date.now() > deadline) throw new Error(`hosts=${hostCount}: ${pushed.n}/${RUNS} PUSHED after 30 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const exits = await Promise.all(hosts.map((h) => h.stop()));
    const count = async (type) => (await db.db.selectFrom('events').select('run_id').where('event_type', '=', type).execute()).map((r) => r.run_id);
    const pushes = await count('worker.push.completed');
    const perRun = new Map();
    for (const id of pushes) perRun.set(id, (perRun.get(id) ?? 0) + 1);
    const placed = await db.db.selectFrom('run_states').select('workspace_host').execute();
    return {
      hosts: hostCount,
      runs: RUNS,
      seconds: +seconds.toFixed(1),
      runs_per_hour: Math.round((RUNS / seconds) * 3600),
      rebuilds: (await count('worker.workspace.rebuilt')).length,
      work_lost: (await count('worker.workspace.work_lost')).length,
      pushed_other_than_once: runIds.filter((id) => perRun.get(id) !== 1).length,
      runs_per_host: Object.fromEntries(hosts.map((h) => [h.name, placed.filter((p) => p.workspace_host === h.name).length])),
      unclean_exits: exits.filter((e) => e.code !== 0 || /unexpected error/.test(e.stderr)).length,
    };
  } finally {
    await db.close();
    await drop();
  }
}

const results = [];
try {
  for (const n of HOST_COUNTS) {
    results.push(await measure(n));
    console.error(JSON.stringify(results.at(-1)));
  }
} finally {
  testing.cleanupTempDirs();
  if (pgDir) {
    spawnSync(join(root, 'tools', 'scripts', 'pg-stop.sh'), [join(pgDir, 'pg')]);
    rmSync(pgDir, { recursive: true, force: true });
  }
}
const one = results.find((r) => r.hosts === 1);
for (const r of results) if (one) r.ratio_to_1_host = +(r.runs_per_hour / one.runs_per_hour).toFixed(2);
console.log(JSON.stringify({ runs: RUNS, results }, null, 2));
process.exit(results.some((r) => r.pushed_other_than_once > 0 || r.unclean_exits > 0) ? 1 : 0);
