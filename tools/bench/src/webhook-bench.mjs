#!/usr/bin/env node
// Webhook throughput and latency (issue: GitHub PR gate, sync and webhook).
//   node tools/bench/src/webhook-bench.mjs [--duration 10] [--connections 10] [--runs 50] [--rounds 2]
// Starts, in child processes on loopback, (a) a bare node:http server that only reads the body and answers
// 200, (m) the @octokit/webhooks node middleware (`new Webhooks({ secret })` + `createNodeMiddleware`: verify and
// parse only, what a probot user runs), and (b) the built `agentpr-webhook` (apps/webhook/dist/bin.js) on a fresh SQLite store with N runs in
// CI_WAIT. autocannon (in this process) POSTs signed ~11 KB real `check_run` failure payloads with a unique
// delivery id and check suite per request, so every request is verified, claimed, applied as an event and
// audited. Rounds alternate bare/webhook so machine noise hits both. Prints a JSON report; afterwards checks
// that every 2xx delivery is stored exactly once as processed.
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
    'skip-middleware': { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const runCount = Number(values.runs);
const rounds = Number(values.rounds);
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
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
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

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(child) {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** One measured round: autocannon's figures plus the server's CPU time per answered request. */
async function round(server, prefix) {
  const before = cpuSeconds(server.child);
  const r = summary(await load(server.url, prefix));
  const after = cpuSeconds(server.child);
  const answered = r.total - r.non_2xx;
  return { ...r, server_cpu_us_per_request: before === null || after === null || answered === 0 ? null : Math.round(((after - before) * 1e6) / answered) };
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
const webhook = await startChild([...(process.env.AGENTPR_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.AGENTPR_BENCH_PROFILE}`] : []), webhookBin, '--data-dir', work, '--port', '0', '--secret', SECRET, '--audit-log-file', join(work, 'audit.jsonl')]);
// Warm up both (JIT, SQLite page cache) before measuring.
if (!skipBare) await load(bare.url, 'warm-bare');
if (!skipMiddleware) await load(middleware.url, 'warm-mw');
await load(webhook.url, 'warm');
const results = { bare: [], middleware: [], webhook: [] };
for (let i = 0; i < rounds; i++) {
  if (!skipBare) results.bare.push(await round(bare, `bare${i}`));
  if (!skipMiddleware) results.middleware.push(await round(middleware, `mw${i}`));
  results.webhook.push(await round(webhook, `round${i}`));
}
for (const s of [bare, middleware, webhook]) s.child.kill('SIGTERM');
await Promise.all([bare, middleware, webhook].map((s) => once(s.child, 'exit')));

// Every answered delivery must be stored exactly once, processed, with its event.
const check = await openStore({ kind: 'sqlite', path: dbPath });
const deliveries = await check.db.selectFrom('webhook_deliveries').select(({ fn }) => [fn.countAll().as('n')]).executeTakeFirst();
const processed = await check.db.selectFrom('webhook_deliveries').select(({ fn }) => [fn.countAll().as('n')]).where('outcome', '=', 'processed').executeTakeFirst();
const events = await check.db.selectFrom('events').select(({ fn }) => [fn.countAll().as('n')]).where('actor', '=', 'webhook').executeTakeFirst();
await check.close();
const answered = results.webhook.reduce((s, r) => s + r.total - r.non_2xx, 0);

const best = (xs, key) => xs.reduce((a, b) => (b[key] > a[key] ? b : a));
const report = {
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  duration_s: duration,
  connections,
  runs: runCount,
  payload_bytes: Buffer.byteLength(nextDelivery('size').body),
  rounds: results,
  best: {
    bare: skipBare ? null : best(results.bare, 'requests_per_s'),
    middleware: skipMiddleware ? null : best(results.middleware, 'requests_per_s'),
    webhook: best(results.webhook, 'requests_per_s'),
  },
  // Per round (same round, neighbouring in time): agentpr's throughput over each floor's.
  ratios: results.webhook.map((w, i) => ({
    vs_middleware: skipMiddleware ? null : Math.round((w.requests_per_s / results.middleware[i].requests_per_s) * 100) / 100,
    vs_bare: skipBare ? null : Math.round((w.requests_per_s / results.bare[i].requests_per_s) * 100) / 100,
  })),
  integrity: {
    deliveries_stored: Number(deliveries.n),
    processed: Number(processed.n),
    webhook_events: Number(events.n),
    answered_in_measured_rounds: answered,
    audit_log_bytes: statSync(join(work, 'audit.jsonl')).size,
  },
};
console.log(JSON.stringify(report, null, 2));
rmSync(work, { recursive: true, force: true });
