#!/usr/bin/env node
// Where a dashboard page spends its time, statement by statement: the companion of dashboard-bench.mjs for finding
// why a target is missed.
//   node tools/bench/src/dashboard-explain.mjs --data-dir DIR [--iterations 30] [--top 8] PATH...
// e.g. after `dashboard-bench.mjs --keep /tmp/dash`: dashboard-explain.mjs --data-dir /tmp/dash / /runs/run_big_timeline
// It bundles the dashboard from its TypeScript sources (esbuild, the @agentpr/source condition, into
// tools/bench/dist/), opens <DIR>/agentpr.db read-only, and requests each PATH in process (hono's app.request, no
// HTTP). Per page it prints the median time, and per SQL statement the CPU it took per page (better-sqlite3 runs
// statements synchronously, so process.cpuUsage around each is exact), how often it ran, and its query plan.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..', '..', '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'data-dir': { type: 'string' }, iterations: { type: 'string', default: '30' }, top: { type: 'string', default: '8' } },
});
if (!values['data-dir'] || positionals.length === 0) {
  console.error('usage: dashboard-explain.mjs --data-dir DIR [--iterations 30] [--top 8] PATH...');
  process.exit(2);
}

// The entry is plain JavaScript over the sources: the read-only app context the service builds, with a kysely whose
// better-sqlite3 statements are timed.
const ENTRY = `
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createAppPorts, createSecretRedactor, dataDirPaths, silentLogger } from '@agentpr/orchestrator';
import { dashboardDeps } from './apps/dashboard/src/run-dashboard.ts';
import { createDashboardApp } from './apps/dashboard/src/server.ts';

export function open(dataDir) {
  const raw = new Database(dataDir + '/agentpr.db', { readonly: true });
  raw.pragma('query_only = ON');
  const cpu = new Map();
  const proto = Object.getPrototypeOf(raw.prepare('select 1'));
  for (const m of ['all', 'get', 'run', 'iterate']) {
    const orig = proto[m];
    proto[m] = function (...args) {
      const a = process.cpuUsage();
      const out = orig.apply(this, args);
      const d = process.cpuUsage(a);
      const e = cpu.get(this.source) ?? { n: 0, us: 0, params: args };
      e.n++;
      e.us += d.user + d.system;
      cpu.set(this.source, e);
      return out;
    };
  }
  const db = new Kysely({ dialect: new SqliteDialect({ database: raw }) });
  const env = {};
  const clock = () => new Date();
  const redactor = createSecretRedactor(env);
  const app = {
    ...createAppPorts(env, { clock, redactor, log: silentLogger, overrides: { github: { client: () => Promise.resolve(undefined) } } }),
    db, dialect: 'sqlite', clock, paths: dataDirPaths(dataDir), env, log: silentLogger, redactor, actor: 'operator',
  };
  const hono = createDashboardApp(dashboardDeps(app), { token: undefined, livePollMs: 1000 });
  return { hono, cpu, plan: (sql, params) => raw.prepare('explain query plan ' + sql).all(...params).map((r) => r.detail) };
}
`;

const outDir = join(root, 'tools', 'bench', 'dist', 'dashboard-explain');
mkdirSync(outDir, { recursive: true });
await build({
  stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'dashboard-explain-entry.mjs', loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@agentpr/source'],
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  external: ['better-sqlite3', 'pg', 'execa', '@octokit/*', 'playwright-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  outfile: join(outDir, 'explain.mjs'),
  logLevel: 'warning',
});
const { open } = await import(join(outDir, 'explain.mjs'));
const { hono, cpu, plan } = open(resolve(values['data-dir']));
const iterations = Number(values.iterations);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const path of positionals) {
  for (let i = 0; i < 3; i++) await (await hono.request(path)).text();
  cpu.clear();
  const times = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const res = await hono.request(path);
    bytes = (await res.text()).length;
    status = res.status;
    times.push(performance.now() - t0);
  }
  const sqlMs = [...cpu.values()].reduce((a, e) => a + e.us, 0) / 1000 / iterations;
  console.log(`=== ${path}: ${status}, ${bytes} bytes; median ${median(times).toFixed(1)} ms a page, of which SQL ${sqlMs.toFixed(1)} ms CPU`);
  const top = [...cpu].sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top));
  for (const [sql, e] of top) {
    console.log(`  ${(e.us / 1000 / iterations).toFixed(2)} ms CPU a page, ${(e.n / iterations).toFixed(1)}× a page: ${sql.replace(/\s+/g, ' ').slice(0, 220)}`);
    for (const step of plan(sql, e.params)) console.log(`      ${step}`);
  }
}
