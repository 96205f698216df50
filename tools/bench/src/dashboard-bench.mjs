#!/usr/bin/env node
// Dashboard benchmark (issue 18): the runs page over 100k runs ≤ 100 ms and the run page ≤ 50 ms, at the server (p95).
//   node tools/bench/src/dashboard-bench.mjs [--runs 100000] [--samples 30] [--warmup 3] [--keep DIR | --reuse DIR]
//                                            [--only REGEX] [--cpu-prof DIR] [--bin PATH] [--json] [--allow-stale]
// Seeds a SQLite store (dashboard-seed.mjs: templates and a big run through the store API, clones in bulk), starts the
// built agentpr-dashboard on it read-only, and measures each page over one keep-alive connection, minus the /healthz
// round trip measured in the same rounds. Prints a table; exits 1 if a target is missed, 2 if the bench cannot run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { keepAliveClient, measureCases, nextLink, startDashboardProcess } from './dashboard-measure.mjs';

const root = resolve(import.meta.dirname, '..', '..', '..');
const TARGETS = { runs: 100, run: 50 };

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    keep: { type: 'string' },
    reuse: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    // Another build of agentpr-dashboard (e.g. an A/B), inside the repository so that it resolves its dependencies.
    bin: { type: 'string' },
    json: { type: 'boolean', default: false },
    'allow-stale': { type: 'boolean', default: false },
  },
});

/** The newest modification time under `dir` (sources only), in ms. */
const BIN = resolve(values.bin ?? join(root, 'apps', 'dashboard', 'dist', 'bin.js'));

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === 'node_modules' || name.name === 'dist' || name.name === '__tests__') continue;
    const path = join(dir, name.name);
    t = Math.max(t, name.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

/** The built files this bench runs, each with the sources it is built from; a build older than its sources is stale. */
function staleBuilds() {
  const builds = [
    { dist: join(root, 'packages', 'store', 'dist', 'index.js'), sources: ['packages/store/src'], build: '(cd packages/store && npx tsup)' },
    { dist: join(root, 'packages', 'runtime-analysis', 'dist', 'index.js'), sources: ['packages/runtime-analysis/src'], build: '(cd packages/runtime-analysis && npx tsup)' },
    { dist: BIN, sources: ['apps/dashboard/src', 'packages/store/src', 'packages/reports/src', 'packages/orchestrator/src'], build: '(cd apps/dashboard && npx tsup)' },
  ];
  return builds.filter((b) => !existsSync(b.dist) || statSync(b.dist).mtimeMs < Math.max(...b.sources.map((s) => newest(join(root, s)))));
}

function fail(message) {
  console.error(`dashboard-bench: ${message}`);
  process.exit(2);
}

const stale = staleBuilds();
if (stale.length > 0) {
  const how = stale.map((b) => b.build).join(' && ');
  if (!values['allow-stale']) fail(`built code is older than its sources; build first: ${how} (or npm run build; --allow-stale measures it anyway)`);
  console.error(`dashboard-bench: WARNING measuring stale builds (${how})`);
}

const { seedDashboardStore, CAMPAIGNS, repoName, prng } = await import('./dashboard-seed.mjs');
const dataDir = values.reuse ?? values.keep ?? mkdtempSync(join(tmpdir(), 'agentpr-dashbench-'));
const log = (line) => console.error(`dashboard-bench: ${line}`);
let seeded;
if (values.reuse) {
  if (!existsSync(join(dataDir, 'seed.json'))) fail(`--reuse ${dataDir}: no seed.json there (seed once with --keep ${dataDir})`);
  seeded = JSON.parse(readFileSync(join(dataDir, 'seed.json'), 'utf8'));
  log(`reusing the store in ${dataDir} (${seeded.figures.runs} runs)`);
} else {
  log(`seeding ${values.runs} runs into ${dataDir}`);
  seeded = await seedDashboardStore({ dataDir, runs: Number(values.runs), log });
  writeFileSync(join(dataDir, 'seed.json'), JSON.stringify(seeded, null, 2));
  log(`seeded: ${JSON.stringify(seeded.figures)}`);
}

const load = { before: loadavg().map((l) => +l.toFixed(2)) };
const server = await startDashboardProcess({
  bin: BIN,
  dbPath: seeded.dbPath,
  dataDir,
  nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`] : [],
});
const client = keepAliveClient(server.url);
const hasTable = (body) => (/<table\b/.test(body) ? undefined : 'no <table> in the runs page');
const hasRun = (runId) => (body) => (body.includes(runId) ? undefined : `the page does not name ${runId}`);

let exitCode = 0;
try {
  // Page 50 through the pager, as a reader gets there: 49 "Next page" links from the first page.
  let page50 = '/';
  for (let i = 1; i < 50; i++) {
    const r = await client.get(page50);
    const next = r.status === 200 ? nextLink(r.body) : null;
    if (!next) fail(`page ${i} (${page50}) answered ${r.status} without a next link; is the runs page built?`);
    page50 = next;
  }
  const busiest = repoName(0);
  const runsCase = (name, path) => ({ name, kind: 'runs', path, check: hasTable });
  const cases = [
    runsCase('runs: default (updated, desc)', '/'),
    runsCase('runs: sort updated asc', '/?dir=asc'),
    runsCase('runs: sort created', '/?sort=created'),
    runsCase('runs: sort repo', '/?sort=repo'),
    runsCase('runs: sort state', '/?sort=state'),
    runsCase('runs: page 50 (cursor)', page50),
    runsCase('runs: state NEEDS_HUMAN_REVIEW', '/?state=NEEDS_HUMAN_REVIEW'),
    runsCase('runs: states CI_WAIT+REVIEW_WAIT', '/?state=CI_WAIT&state=REVIEW_WAIT'),
    runsCase('runs: campaign', `/?campaign=${encodeURIComponent(CAMPAIGNS[3])}`),
    runsCase('runs: verdict HUMAN_REVIEW', '/?verdict=HUMAN_REVIEW'),
    runsCase('runs: verdict none', '/?verdict=none'),
    runsCase('runs: repo owner/repo', `/?repo=${busiest.owner}/${busiest.repo}`),
    runsCase('runs: repo owner', `/?repo=${busiest.owner}`),
    runsCase('runs: campaign + state, sort repo', `/?campaign=${encodeURIComponent(CAMPAIGNS[0])}&state=DONE&sort=repo`),
    { name: `run: big (${seeded.bigRunId})`, kind: 'run', path: `/runs/${seeded.bigRunId}`, check: hasRun(seeded.bigRunId) },
    { name: `run: typical (${seeded.typicalRunId})`, kind: 'run', path: `/runs/${seeded.typicalRunId}`, check: hasRun(seeded.typicalRunId) },
  ];
  const only = values.only ? new RegExp(values.only) : undefined;
  const chosen = only ? cases.filter((c) => only.test(c.name)) : cases;
  const result = await measureCases(client, chosen, { samples: Number(values.samples), warmup: Number(values.warmup), rand: prng(7), pid: server.pid });
  load.after = loadavg().map((l) => +l.toFixed(2));
  const ms = (x) => +x.toFixed(2);
  const rows = result.cases.map((c) => ({
    case: c.name,
    p50_ms: ms(c.p50),
    p95_ms: ms(c.p95),
    max_ms: ms(c.max),
    rtt_p50_ms: ms(c.rtt_p50),
    cpu_p50_ms: c.cpu_p50 === undefined ? null : ms(c.cpu_p50),
    cpu_p95_ms: c.cpu_p95 === undefined ? null : ms(c.cpu_p95),
    target_ms: TARGETS[c.kind],
    ok: c.p95 <= TARGETS[c.kind],
  }));
  const report = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, load },
    store: seeded.figures,
    floor_healthz_ms: {
      p50: ms(result.floor.p50),
      p95: ms(result.floor.p95),
      cpu_p50: result.floor.cpu_p50 === undefined ? null : ms(result.floor.cpu_p50),
      samples: result.floor.samples,
    },
    samples: Number(values.samples),
    rows,
    ok: rows.every((r) => r.ok),
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`machine: ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}, load ${load.before.join('/')} → ${load.after.join('/')}`);
    const f = report.floor_healthz_ms;
    console.log(`store: ${seeded.figures.runs} runs; /healthz floor p50 ${f.p50} ms (server CPU ${f.cpu_p50} ms); ${report.samples} samples per case`);
    console.log('| case | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | target (p95) | |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.case} | ${r.p50_ms} | ${r.p95_ms} | ${r.max_ms} | ${r.cpu_p50_ms} / ${r.cpu_p95_ms} | ≤ ${r.target_ms} | ${r.ok ? 'ok' : 'MISSED'} |`);
    }
  }
  if (!report.ok) exitCode = 1;
} catch (error) {
  console.error(`dashboard-bench: ${error.message}\n${server.stderr()}`);
  exitCode = 2;
} finally {
  client.close();
  await server.stop();
  if (!values.keep && !values.reuse) rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
