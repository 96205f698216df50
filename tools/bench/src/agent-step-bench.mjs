#!/usr/bin/env node
// Orchestrator overhead per agent step (issue: agent step).
//   node tools/bench/src/agent-step-bench.mjs [--runs 7]
// For each run: a fresh run prepared from a local upstream, then run-agent-step with the REAL codex against the
// model stub (which answers at once). Overhead = the use case's wall time minus the codex process's own wall
// time (`result.duration_ms` of the runtime report). Measured with and without the repository preflight, with
// isolation none and with the defaults (bubblewrap + the allowlisting egress proxy). Under bubblewrap the process
// time includes the sandbox's own start (bwrap, then the egress bridge in front of codex), so that cost is measured
// on its own too: the same launch of /usr/bin/true sandboxed with the bridge vs spawned directly.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..', '..', '..');
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));
const orch = await import(join(root, 'packages', 'orchestrator', 'dist', 'index.js'));
const { startModelStub } = await import(join(root, 'tools', 'model-stub', 'dist', 'index.js'));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const work = mkdtempSync(join(tmpdir(), 'agentpr-stepbench-'));
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x.invalid' };
const git = (cwd, ...a) => spawnSync('git', ['-c', 'init.defaultBranch=main', ...a], { cwd, env: gitEnv, encoding: 'utf8' });

const seed = join(work, 'seed');
cpSync(join(root, 'tools', 'model-stub', 'sample-project'), seed, { recursive: true });
git(seed, 'init', '-q');
git(seed, 'add', '-A');
git(seed, 'commit', '-q', '-m', 'init');
git(work, 'clone', '-q', '--bare', seed, join(work, 'upstream.git'));
git(work, 'clone', '-q', '--bare', seed, join(work, 'fork.git'));

const stub = await startModelStub({ scenario: join(root, 'tools', 'model-stub', 'scenarios', 'implement-and-tests-pass.json') });
const codexHome = join(work, 'codex-home');
mkdirSync(codexHome);
writeFileSync(join(codexHome, 'config.toml'), `model = "gpt-5.5"\nmodel_provider = "stub"\n[model_providers.stub]\nname = "stub"\nbase_url = ${JSON.stringify(stub.url)}\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n`);
const db = await store.openStore({ kind: 'sqlite', path: join(work, 'bench.db') });
const data = join(work, 'data');
const ctx = {
  db: db.db,
  dialect: 'sqlite',
  clock: () => new Date(),
  env: { PATH: process.env.PATH, HOME: work, CODEX_HOME: codexHome, OPENAI_API_KEY: 'x', AGENTPR_CODEX_BIN: join(root, 'node_modules', '.bin', 'codex'), ...gitEnv },
  log: orch.silentLogger,
  actor: 'operator',
  paths: { dataDir: data, reportsDir: join(data, 'reports'), workspaceRoot: join(data, 'ws'), campaignDir: join(root, 'campaigns', 'example'), skillsDir: join(root, 'skills'), policyFile: join(data, 'p.json'), runtimeEnvFile: join(data, 'r.json') },
};

async function once(skipPreflight, isolation = 'none') {
  const { run_id } = await orch.createRun(ctx, { owner: 'o', repo: 'sample', prompt_version: 'v1' });
  await orch.prepareRun(ctx, { runId: run_id, upstreamUrl: join(work, 'upstream.git'), forkUrl: join(work, 'fork.git'), forkOwner: 'me' });
  await orch.applyCommand(ctx, run_id, { command: 'mark-plan-ready', contractPath: 'c.md' });
  await orch.applyCommand(ctx, run_id, { command: 'start-implementation' });
  const t0 = performance.now();
  const { output } = await orch.runAgentStep(ctx, { runId: run_id, prompt: 'Do the task.', skipNetworkCheck: true, skipPreflight, isolation });
  const wall = performance.now() - t0;
  const report = JSON.parse(readFileSync(output.agent_report, 'utf8'));
  if (output.classification.grade !== 'PASS') throw new Error(`unexpected verdict ${JSON.stringify(output.classification)}`);
  return { wall, codex: report.result.duration_ms, overhead: wall - report.result.duration_ms };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (samples) => ({
  median_wall_ms: Math.round(median(samples.map((s) => s.wall))),
  median_codex_ms: Math.round(median(samples.map((s) => s.codex))),
  median_overhead_ms: Math.round(median(samples.map((s) => s.overhead))),
  max_overhead_ms: Math.round(Math.max(...samples.map((s) => s.overhead))),
});
await once(true); // warm the codex probe cache and the file system
const result = {};
for (const [name, skip, isolation] of [['none_without_preflight', true, 'none'], ['none_with_preflight', false, 'none'], ['bwrap_proxy_without_preflight', true, 'bwrap'], ['bwrap_proxy_with_preflight', false, 'bwrap']]) {
  const samples = [];
  for (let i = 0; i < Number(values.runs); i++) samples.push(await once(skip, isolation));
  result[name] = summary(samples);
}

// The sandbox's own start: bwrap with the default view, the egress proxy and bridge, around /usr/bin/true.
const runner = await import(join(root, 'packages', 'codex-runner', 'dist', 'index.js'));
const egress = await import(join(root, 'packages', 'egress-proxy', 'dist', 'index.js'));
const sockDir = mkdtempSync(join(tmpdir(), 'agentpr-bench-egress-'));
rmSync(sockDir, { recursive: true, force: true });
const proxy = await egress.startEgressProxy({ socketPath: join(sockDir, 'proxy.sock'), rules: ['127.0.0.1:9'] });
// The bridge agentpr uses: socat listeners when socat is installed, else the Node bridge.
const bridged = egress.bridgeCommand({ socketPath: join(sockDir, 'proxy.sock'), port: egress.DEFAULT_BRIDGE_PORT, command: '--' });
const wrapper = orch.socatBridge(join(sockDir, 'proxy.sock'), []) ?? [bridged.command, ...bridged.args.slice(0, bridged.args.indexOf('--') + 1)];
const bridgeKind = wrapper[0] === '/bin/sh' ? 'socat' : 'node';
const ws = join(work, 'sandbox-ws');
mkdirSync(join(ws, '.git'), { recursive: true });
const sandboxed = runner.buildIsolatedCommand({ level: 'bwrap', command: '/usr/bin/true', args: [], cwd: ws, writablePaths: [ws], readOnlyPaths: [join(root, 'packages', 'egress-proxy', 'dist')], network: 'allowlist', egress: { socketDir: sockDir, wrapper } });
const timeSpawn = (command, args) => {
  const t0 = performance.now();
  const r = spawnSync(command, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${command} exited ${r.status}`);
  return performance.now() - t0;
};
const direct = [];
const boxed = [];
for (let i = 0; i < Number(values.runs) * 3; i++) {
  direct.push(timeSpawn('/usr/bin/true', []));
  boxed.push(timeSpawn(sandboxed.command, sandboxed.args));
}
await proxy.close();
rmSync(sockDir, { recursive: true, force: true });
result.sandbox_start = {
  bridge: bridgeKind,
  median_direct_ms: Math.round(median(direct)),
  median_sandboxed_with_bridge_ms: Math.round(median(boxed)),
  median_added_ms: Math.round(median(boxed) - median(direct)),
};
result.isolation_overhead_over_agent_ms = result.bwrap_proxy_without_preflight.median_overhead_ms + result.sandbox_start.median_added_ms;
await stub.close();
await db.close();
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(result, null, 2));
