#!/usr/bin/env node
// CLI start-up and import benchmark (issue: foundation).
//   node tools/bench/src/cli-bench.mjs [--sizes 10000,1000000] [--runs 21]
// Builds SQLite stores of each size with the built store, then times `agentpr list-runs --limit 20` and
// `agentpr show-run` against `node -e 0` in the same run (median of N), and measures batched import
// throughput (`agentpr import-runs`, and createRuns in process). Prints a JSON report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'dist', 'agentpr.js');
const { openStore, createRuns } = await import(join(root, 'packages', 'store', 'dist', 'index.js'));
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,1000000' }, runs: { type: 'string', default: '21' } } });
const sizes = values.sizes.split(',').map(Number);
const reps = Number(values.runs);
const work = mkdtempSync(join(tmpdir(), 'agentpr-bench-'));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, AGENTPR_HOME: work } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
/** Interleaves the commands so machine noise hits all of them alike. */
function measure(commands) {
  const samples = commands.map(() => []);
  for (let i = 0; i < reps; i++) commands.forEach((argv, j) => samples[j].push(time(argv)));
  return samples.map(median);
}
function makeRuns(n, offset = 0) {
  return Array.from({ length: n }, (_, i) => {
    const id = `run_${(offset + i).toString(16).padStart(12, '0')}`;
    return { runId: id, owner: `owner${i % 997}`, repo: `repo${i % 101}`, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/ws/${id}` };
  });
}

const report = { node: process.version, reps, sizes: {}, import: {} };
for (const size of sizes) {
  const path = join(work, `runs-${size}.db`);
  const store = await openStore({ kind: 'sqlite', path });
  const t0 = Date.now();
  for (let done = 0; done < size; done += 50_000) await createRuns(store.db, makeRuns(Math.min(50_000, size - done), done));
  const genSeconds = (Date.now() - t0) / 1000;
  await store.close();
  const [bare, list, show] = measure([
    ['-e', '0'],
    [bin, '--db', path, 'list-runs', '--limit', '20', '--json'],
    [bin, '--db', path, 'show-run', '--run-id', `run_${Math.floor(size / 2).toString(16).padStart(12, '0')}`, '--json'],
  ]);
  report.sizes[size] = {
    generate_runs_per_s: Math.round(size / genSeconds),
    node_e0_ms: +bare.toFixed(1),
    list_runs_ms: +list.toFixed(1),
    show_run_ms: +show.toFixed(1),
    list_runs_ratio: +(list / bare).toFixed(2),
    show_run_ratio: +(show / bare).toFixed(2),
  };
  console.error(`size ${size}: ${JSON.stringify(report.sizes[size])}`);
}
if (sizes.length > 1) {
  const a = report.sizes[sizes[0]];
  const b = report.sizes[sizes.at(-1)];
  report.growth = { list_runs: +(b.list_runs_ratio / a.list_runs_ratio).toFixed(3), show_run: +(b.show_run_ratio / a.show_run_ratio).toFixed(3) };
}
// Batched import through the CLI (one process, one transaction) and in process.
const n = 50_000;
const file = join(work, 'import.jsonl');
writeFileSync(file, makeRuns(n, 1e9).map((r) => JSON.stringify({ run_id: r.runId, owner: r.owner, repo: r.repo, prompt_version: 'v1' })).join('\n'));
const importMs = time([bin, '--db', join(work, 'import.db'), 'import-runs', '--file', file, '--json']);
report.import.cli_import_runs_per_s = Math.round(n / (importMs / 1000));
const store = await openStore({ kind: 'sqlite', path: join(work, 'import2.db') });
const t1 = Date.now();
await createRuns(store.db, makeRuns(n, 2e9));
report.import.in_process_create_runs_per_s = Math.round(n / ((Date.now() - t1) / 1000));
await store.close();
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(report, null, 2));
