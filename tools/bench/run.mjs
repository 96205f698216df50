#!/usr/bin/env node
// Runs one of agentpr's benchmarks by name: `node tools/bench/run.mjs <name> [its flags]`, or lists them.
// Each is a program of its own in src/ (see README.md for what it measures and its targets); the exit code is the
// benchmark's (1: a target missed, 2: it could not run). Register a new benchmark with one line below.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = {
  cli: ['cli-bench.mjs', 'CLI start-up (list-runs, show-run) against node -e 0, and batched import'],
  manager: ['manager-bench.mjs', 'one manager tick over 2k..100k runs'],
  analysis: ['analysis-bench.mjs', 'the runtime stream analyser against a bare readline + JSON.parse loop'],
  webhook: ['webhook-bench.mjs', 'the webhook server against @octokit/webhooks and bare node:http'],
  'webhook-delivery': ['webhook-delivery-bench.mjs', 'the delivery side alone, CPU per delivery'],
  'agent-step': ['agent-step-bench.mjs', 'run-agent-step overhead over the codex process'],
  dashboard: ['dashboard-bench.mjs', 'the dashboard runs and run pages over 100k runs, at the server'],
  'dashboard-explain': ['dashboard-explain.mjs', 'a dashboard page in process: time, and CPU and query plan per SQL statement'],
  'multi-host': ['multi-host-bench.mjs', 'runs/hour for 1, 2 and 4 simulated hosts on one PostgreSQL, scripted agent, with rebuilds'],
};

const [name, ...args] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  const list = Object.entries(BENCHES).map(([n, [, what]]) => `  ${n.padEnd(17)} ${what}`);
  console.error(`usage: node tools/bench/run.mjs <name> [flags]\n\n${list.join('\n')}`);
  process.exit(name ? 2 : 0);
}
const child = spawn(process.execPath, [join(import.meta.dirname, 'src', BENCHES[name][0]), ...args], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
