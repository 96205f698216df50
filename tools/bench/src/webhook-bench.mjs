#!/usr/bin/env node
// Webhook throughput and latency (issue: GitHub PR gate, sync and webhook).
//   node tools/bench/src/webhook-bench.mjs [--duration 10] [--connections 10] [--runs 50] [--rounds 2]
//     [--client wrk|autocannon] [--pool 5000] [--skip-bare] [--skip-middleware] [--delivery-thread worker|in-process|both]
//     [--baseline-bin other/apps/webhook/dist/bin.js] [--durable-floors]
// Starts, in child processes on loopback, (a) a bare node:http server that only reads the body and answers
// 200, (m) the @octokit/webhooks node middleware (`new Webhooks({ secret })` + `createNodeMiddleware`: verify and
// parse only, what a probot user runs), and (b) the built `agentpr-webhook` (apps/webhook/dist/bin.js) on a fresh
// SQLite store with N runs in CI_WAIT, and loads them round by round with signed ~11 KB real `check_run` failure
// payloads, each with a unique delivery id, so every request is verified, claimed, applied and audited:
// - `--client wrk` (the default when wrk is installed; the issue's own method): wrk with 2 threads cycles through a
//   pool of pre-signed deliveries (distinct check suites), so the first pass applies each suite's event and later
//   ones are stored as event duplicates, as GitHub's several check_run deliveries of one suite are;
// - `--client autocannon` (in this process): signs every request itself, each with its own check suite (every
//   delivery applies a new event), at the price of ~110 µs of load-generator CPU per request on the same cores.
// Prints a JSON report; afterwards checks that every answered delivery is stored exactly once and settled.
import { createHmac } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const webhookBin = join(root, 'apps', 'webhook', 'dist', 'bin.js');
if (!existsSync(webhookBin)) throw new Error(`build the webhook app first: (cd apps/webhook && npx tsup) — ${webhookBin} is missing`);
const { openStore, createRun, applyEvent } = await import(join(root, 'packages', 'store', 'dist', 'index.js'));

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    runs: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    'skip-bare': { type: 'boolean', default: false },
    // wrk (C, light; pre-signed bodies) when installed, else autocannon (signs each request itself, heavier).
    client: { type: 'string', default: spawnSync('wrk', ['--version']).error ? 'autocannon' : 'wrk' },
    // wrk: distinct signed deliveries (check suites) to cycle through; later rounds repeat them with new delivery ids.
    pool: { type: 'string', default: '5000' },
    'skip-middleware': { type: 'boolean', default: false },
    // Where the webhook processes deliveries: its worker thread (the default), the HTTP thread, or both servers,
    // each on its own copy of the store, measured in the same rounds.
    'delivery-thread': { type: 'string', default: 'worker' },
    // Another build of agentpr-webhook (its dist/bin.js), measured in the same rounds as `webhook_baseline`: an A/B
    // of a change on a machine too noisy to compare runs.
    'baseline-bin': { type: 'string' },
    // Also measure the durable floor (webhook-floor.mjs) on one thread and with a worker: the least a receiver
    // that verifies, deduplicates, applies and audits durably can spend, on the same machine in the same rounds.
    'durable-floors': { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const runCount = Number(values.runs);
const rounds = Number(values.rounds);
const client = values.client;
const threadModes = values['delivery-thread'] === 'both' ? ['worker', 'in-process'] : [values['delivery-thread']];
if (threadModes.some((m) => m !== 'worker' && m !== 'in-process')) throw new Error('--delivery-thread must be worker, in-process or both');
if (client !== 'wrk' && client !== 'autocannon') throw new Error('--client must be wrk or autocannon');
const SECRET = 'bench-secret';
const work = mkdtempSync(join(tmpdir(), 'agentpr-webhook-bench-'));
const sha = (i) => i.toString(16).padStart(40, 'a');

// A real example payload (check_run completed with conclusion failure), aimed at our repository.
const examples = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'));
const template = examples.find((d) => d.name === 'check_run').examples.find((e) => e.action === 'completed' && e.check_run.conclusion === 'failure');
template.repository.name = 'widgets';
template.repository.owner.login = 'acme';
const SUITE = 987654321;
const PR = 424242;
template.check_run.check_suite.id = SUITE;
template.check_run.pull_requests[0].number = PR;
template.check_run.head_sha = 'f'.repeat(40);
const templateText = JSON.stringify(template);

let counter = 0;
/** A unique, signed delivery: its own delivery id and check suite, for one of the runs (and that run's head). */
function nextDelivery(prefix) {
  const n = ++counter;
  const run = (n % runCount) + 1;
  const body = templateText
    .replace(String(SUITE), String(1_000_000 + n))
    .replace(`"number":${PR}`, `"number":${run}`)
    .replace(`"head_sha":"${'f'.repeat(40)}"`, `"head_sha":"${sha(run)}"`);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'check_run',
      'x-github-delivery': `${prefix}-${n}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    },
  };
}

async function startChild(argv, env = {}) {
  const child = spawn(process.execPath, argv, { cwd: root, env: { PATH: process.env.PATH, HOME: work, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  // A server that exits before it listens fails the bench instead of hanging it.
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`a bench server exited ${code} before listening: node ${argv.slice(0, 2).join(' ').slice(0, 120)}`)));
  const [line] = await Promise.race([once(createInterface({ input: child.stdout }), 'line'), exited]);
  exited.catch(() => {});
  return { child, url: JSON.parse(line).listening };
}

const BARE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { Buffer.concat(chunks); res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 }); res.end('{"ok":true}'); });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ listening: 'http://127.0.0.1:' + server.address().port + '/github/webhook' })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

// The floor a probot user runs: verify the signature and parse, nothing stored.
const MIDDLEWARE = `
import http from 'node:http';
import { Webhooks, createNodeMiddleware } from '@octokit/webhooks';
const webhooks = new Webhooks({ secret: ${JSON.stringify(SECRET)} });
const middleware = createNodeMiddleware(webhooks, { path: '/github/webhook' });
const server = http.createServer(async (req, res) => {
  if (await middleware(req, res)) return;
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ listening: 'http://127.0.0.1:' + server.address().port + '/github/webhook' })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function load(url, prefix) {
  return new Promise((resolveRun, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...nextDelivery(prefix) }) }],
      },
      (error, result) => (error ? reject(error) : resolveRun(result)),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

// wrk: a pool of pre-signed deliveries (distinct check suites spread over the runs), one per line.
const poolFile = join(work, 'deliveries.pool');
if (client === 'wrk') {
  const lines = [];
  for (let i = 0; i < Number(values.pool); i++) {
    const { body, headers } = nextDelivery('pool');
    lines.push(`${headers['x-hub-signature-256']} ${body}`);
  }
  writeFileSync(poolFile, `${lines.join('\n')}\n`);
}
const wrkScript = join(root, 'tools', 'bench', 'src', 'webhook-wrk.lua');

/** One wrk run (2 threads); its CPU is sampled from /proc while it runs (the last sample before it exits). */
async function loadWrk(url, prefix) {
  const child = spawn('wrk', ['-t2', `-c${connections}`, `-d${duration}s`, '--timeout', '10s', '-s', wrkScript, url, '--', poolFile, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  let cpu = 0;
  const sampler = setInterval(() => (cpu = cpuSeconds(child) ?? cpu), 100);
  const [code] = await once(child, 'exit');
  clearInterval(sampler);
  if (code !== 0) throw new Error(`wrk exited ${code}: ${out}`);
  const r = JSON.parse(out.trim().split('\n').at(-1));
  return {
    summary: {
      requests_per_s: Math.round(r.requests / (r.duration_us / 1e6)),
      total: r.requests,
      p50_ms: Math.round(r.p50_us / 100) / 10,
      p99_ms: Math.round(r.p99_us / 100) / 10,
      max_ms: Math.round(r.max_us / 100) / 10,
      errors: r.errors,
      timeouts: r.timeouts,
      non_2xx: r.non_2xx,
    },
    clientCpuSeconds: cpu,
  };
}

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(child) {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds of a child's main thread (its event loop; the task whose id is the pid), from /proc; null elsewhere. */
function mainThreadCpuSeconds(child) {
  try {
    const fields = readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** One measured round: autocannon's figures plus the server's CPU time per answered request. */
async function round(server, prefix) {
  const before = cpuSeconds(server.child);
  const mainBefore = mainThreadCpuSeconds(server.child);
  const clientBefore = process.cpuUsage();
  let r;
  let clientUs;
  if (client === 'wrk') {
    const w = await loadWrk(server.url, prefix);
    r = w.summary;
    clientUs = w.clientCpuSeconds * 1e6;
  } else {
    r = summary(await load(server.url, prefix));
    const used = process.cpuUsage(clientBefore);
    clientUs = used.user + used.system;
  }
  const after = cpuSeconds(server.child);
  const mainAfter = mainThreadCpuSeconds(server.child);
  const answered = r.total - r.non_2xx;
  return {
    ...r,
    server_cpu_us_per_request: before === null || after === null || answered === 0 ? null : Math.round(((after - before) * 1e6) / answered),
    // Of which the main thread (HTTP); the rest is the other threads (the delivery worker, checkpoints, libuv, V8, GC helpers).
    server_main_thread_cpu_us_per_request:
      mainBefore === null || mainAfter === null || answered === 0 ? null : Math.round(((mainAfter - mainBefore) * 1e6) / answered),
    // The load generator's own CPU (it shares the machine's cores with the server).
    client_cpu_us_per_request: answered === 0 ? null : Math.round(clientUs / answered),
  };
}

const summary = (r) => ({
  requests_per_s: Math.round(r.requests.average),
  total: r.requests.total,
  p50_ms: r.latency.p50,
  p99_ms: r.latency.p99,
  max_ms: r.latency.max,
  errors: r.errors,
  timeouts: r.timeouts,
  non_2xx: r.non2xx,
});

const dbPath = join(work, 'agentpr.db');
const setup = await openStore({ kind: 'sqlite', path: dbPath });
for (let r = 1; r <= runCount; r++) {
  const runId = `run_bench${r}`;
  await createRun(setup.db, { runId, owner: 'Acme', repo: 'Widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/ws/${runId}` });
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: sha(r) },
    { type: 'command.pr.linked', pr_number: r },
  ]) {
    await applyEvent(setup.db, runId, { event });
  }
}
await setup.close();

const skipBare = values['skip-bare'];
const skipMiddleware = values['skip-middleware'];
const bare = await startChild(['-e', BARE]);
const middleware = await startChild(['--input-type=module', '-e', MIDDLEWARE]);
/** The webhook variants: `webhook` (the first mode) and `webhook_in_process` when both are measured, each on its own data dir. */
const variants = [];
const builds = threadModes.map((mode) => ({ mode, bin: webhookBin, name: undefined }));
if (values['baseline-bin']) builds.push({ mode: threadModes[0], bin: resolve(values['baseline-bin']), name: 'webhook_baseline' });
const floorScript = join(root, 'tools', 'bench', 'src', 'webhook-floor.mjs');
if (values['durable-floors']) {
  builds.push({ mode: 'one', bin: floorScript, name: 'floor_one_thread' }, { mode: 'worker', bin: floorScript, name: 'floor_worker' });
}
for (const { mode, bin, name: fixedName } of builds) {
  const name = fixedName ?? (variants.length === 0 ? 'webhook' : `webhook_${mode.replace('-', '_')}`);
  const dataDir = variants.length === 0 ? work : join(work, name);
  if (dataDir !== work) {
    mkdirSync(dataDir);
    copyFileSync(dbPath, join(dataDir, 'agentpr.db'));
  }
  const profile = process.env.AGENTPR_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.AGENTPR_BENCH_PROFILE}`] : [];
  const threadFlag = bin === floorScript ? ['--thread', mode] : ['--delivery-thread', mode];
  const argv = [...profile, bin, '--data-dir', dataDir, '--port', '0', '--secret', SECRET, '--audit-log-file', join(dataDir, 'audit.jsonl'), ...threadFlag];
  variants.push({ name, dataDir, server: await startChild(argv) });
}
// Warm up all (JIT, SQLite page cache) before measuring.
const warm = (url, prefix) => (client === 'wrk' ? loadWrk(url, prefix) : load(url, prefix));
if (!skipBare) await warm(bare.url, 'warm-bare');
if (!skipMiddleware) await warm(middleware.url, 'warm-mw');
for (const v of variants) await warm(v.server.url, `warm-${v.name}`);
const results = { bare: [], middleware: [], ...Object.fromEntries(variants.map((v) => [v.name, []])) };
for (let i = 0; i < rounds; i++) {
  if (!skipBare) results.bare.push(await round(bare, `bare${i}`));
  if (!skipMiddleware) results.middleware.push(await round(middleware, `mw${i}`));
  for (const v of variants) results[v.name].push(await round(v.server, `${v.name}${i}`));
}
const servers = [bare, middleware, ...variants.map((v) => v.server)];
for (const s of servers) s.child.kill('SIGTERM');
await Promise.all(servers.map((s) => once(s.child, 'exit')));

/** Every answered delivery must be stored exactly once, processed, with its event. */
async function integrity(variant) {
  const check = await openStore({ kind: 'sqlite', path: join(variant.dataDir, 'agentpr.db') });
  const count = async (table, where) => {
    let q = check.db.selectFrom(table).select(({ fn }) => [fn.countAll().as('n')]);
    if (where) q = q.where(...where);
    return Number((await q.executeTakeFirst()).n);
  };
  const result = {
    deliveries_stored: await count('webhook_deliveries'),
    processed: await count('webhook_deliveries', ['outcome', '=', 'processed']),
    unsettled: await count('webhook_deliveries', ['outcome', 'is', null]),
    webhook_events: await count('events', ['actor', '=', 'webhook']),
    answered_in_measured_rounds: results[variant.name].reduce((s, r) => s + r.total - r.non_2xx, 0),
    audit_log_bytes: statSync(join(variant.dataDir, 'audit.jsonl')).size,
  };
  await check.close();
  return result;
}
const checks = {};
for (const v of variants) checks[v.name] = await integrity(v);

const best = (xs, key) => xs.reduce((a, b) => (b[key] > a[key] ? b : a));
const report = {
  node: process.version,
  client,
  ...(client === 'wrk' ? { distinct_deliveries: Number(values.pool) } : {}),
  cpus: (await import('node:os')).cpus().length,
  duration_s: duration,
  connections,
  runs: runCount,
  payload_bytes: Buffer.byteLength(nextDelivery('size').body),
  rounds: results,
  best: {
    bare: skipBare ? null : best(results.bare, 'requests_per_s'),
    middleware: skipMiddleware ? null : best(results.middleware, 'requests_per_s'),
    ...Object.fromEntries(variants.map((v) => [v.name, best(results[v.name], 'requests_per_s')])),
  },
  // Per round (same round, neighbouring in time): agentpr's throughput over each floor's, and the middleware's
  // server CPU per request over agentpr's (≥ 1 means agentpr spends no more CPU per answered delivery).
  ratios: Object.fromEntries(
    variants.map((v) => [
      v.name,
      results[v.name].map((w, i) => ({
        vs_middleware: skipMiddleware ? null : Math.round((w.requests_per_s / results.middleware[i].requests_per_s) * 100) / 100,
        vs_bare: skipBare ? null : Math.round((w.requests_per_s / results.bare[i].requests_per_s) * 100) / 100,
        cpu_vs_middleware: skipMiddleware ? null : Math.round((results.middleware[i].server_cpu_us_per_request / w.server_cpu_us_per_request) * 100) / 100,
      })),
    ]),
  ),
  integrity: checks,
};
console.log(JSON.stringify(report, null, 2));
rmSync(work, { recursive: true, force: true });
