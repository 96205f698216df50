#!/usr/bin/env node
// The webhook's delivery side alone, in this process: CPU per delivery of `createDeliveryProcessor` (JSON.parse,
// fingerprint, the group-committed SQLite transaction on the dedicated writer, the answer), without HTTP or threads.
//   node [--max-semi-space-size=N] tools/bench/src/webhook-delivery-bench.mjs [--deliveries 20000] [--concurrency 16] [--rounds 3] [--sha256]
//     [--baseline-dist other/apps/webhook/dist]
// `--baseline-dist`: another build's processor, measured in alternating rounds on the same store (an A/B on a noisy
// machine: compare the minimum and the median of each).
// A CPU-time measure (process.cpuUsage), so it is usable on a shared machine where throughput is not. The first 6,000
// deliveries warm up (and apply each of the 5,000 check suites once); the measured ones are event duplicates, as in
// webhook-bench.mjs with wrk. `--sha256`: fingerprint with the body's SHA-256 (as with two secrets) instead of the
// verified HMAC. `--max-semi-space-size=1` approximates the delivery worker's young generation before it was raised.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const { createDeliveryProcessor } = await import(join(root, 'apps', 'webhook', 'dist', 'index.js'));
const { openStore, createRun, applyEvent, openSqliteDeliveryWriter } = await import(join(root, 'packages', 'store', 'dist', 'index.js'));

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    sha256: { type: 'boolean', default: false },
    'baseline-dist': { type: 'string' },
  },
});
const total = Number(values.deliveries);
const concurrency = Number(values.concurrency);
const work = mkdtempSync(join(tmpdir(), 'agentpr-delivery-bench-'));
const sha = (i) => i.toString(16).padStart(40, 'a');
const RUNS = 50;
const SUITES = 5000;

const examples = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'));
const template = examples.find((d) => d.name === 'check_run').examples.find((e) => e.action === 'completed' && e.check_run.conclusion === 'failure');
template.repository.name = 'widgets';
template.repository.owner.login = 'acme';
const bodies = [];
for (let i = 0; i < SUITES; i++) {
  const run = (i % RUNS) + 1;
  template.check_run.check_suite.id = 1_000_000 + i;
  template.check_run.pull_requests[0].number = run;
  template.check_run.head_sha = sha(run);
  bodies.push(Buffer.from(JSON.stringify(template)));
}

const dbPath = join(work, 'agentpr.db');
const setup = await openStore({ kind: 'sqlite', path: dbPath });
for (let r = 1; r <= RUNS; r++) {
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

// As on the delivery worker: its own connection, checkpoints inline.
const writer = openSqliteDeliveryWriter(dbPath, { checkpoints: 'inline' });
const log = { info() {}, warn() {}, error(message, fields) { console.error(message, fields); } };
const ctx = { clock: () => new Date(), actor: 'webhook', log };
const variants = [{ name: 'current', processDelivery: createDeliveryProcessor(ctx, writer) }];
if (values['baseline-dist']) {
  const baseline = await import(join(resolve(values['baseline-dist']), 'index.js'));
  variants.push({ name: 'baseline', processDelivery: baseline.createDeliveryProcessor(ctx, writer) });
}
let processDelivery = variants[0].processDelivery;
let next = 0;
async function deliver(count) {
  const end = next + count;
  const client = async () => {
    while (next < end) {
      const n = next++;
      const body = new Uint8Array(bodies[n % SUITES]);
      const hmacs = values.sha256 ? undefined : [createHash('md5').update(String(n)).digest('hex').repeat(2)];
      const answer = await processDelivery({ deliveryId: `bench-${n}`, eventName: 'check_run', body, hmacs });
      if (answer.status !== 200) throw new Error(`delivery ${n}: ${answer.status} ${answer.bodyText}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
}
for (const v of variants) {
  processDelivery = v.processDelivery;
  await deliver(v === variants[0] ? 6000 : 2000);
}
const rounds = [];
for (let i = 0; i < Number(values.rounds) * variants.length; i++) {
  const variant = variants[i % variants.length];
  processDelivery = variant.processDelivery;
  const cpu = process.cpuUsage();
  await deliver(total);
  const used = process.cpuUsage(cpu);
  rounds.push({
    variant: variant.name,
    cpu_us_per_delivery: Math.round(((used.user + used.system) / total) * 10) / 10,
    user: Math.round(used.user / total),
    system: Math.round(used.system / total),
  });
}
writer.close();
rmSync(work, { recursive: true, force: true });
const summary = Object.fromEntries(
  variants.map((v) => {
    const xs = rounds.filter((r) => r.variant === v.name).map((r) => r.cpu_us_per_delivery).sort((a, b) => a - b);
    return [v.name, { min: xs[0], median: xs[Math.floor(xs.length / 2)] }];
  }),
);
const report = { node: process.version, execArgv: process.execArgv, deliveries: total, concurrency, fingerprint: values.sha256 ? 'sha256' : 'hmac', rounds, summary };
console.log(JSON.stringify(report, null, 2));
