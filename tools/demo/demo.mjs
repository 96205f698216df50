#!/usr/bin/env node
// `npm run demo [-- --engine codex|claude]`: the offline end-to-end demo. With no credentials and no network it
//   1. makes a local "upstream" repository from the bundled sample project and a bare "fork",
//   2. starts the scripted model stub on 127.0.0.1 and points the engine at it: for codex (the default) the model stub
//      and a throwaway CODEX_HOME; for claude (`--engine claude`) the anthropic stub through ANTHROPIC_BASE_URL,
//   3. drives one run with the built `agentpr` CLI and the REAL engine binary (codex, or Claude Code's claude):
//      create-run → run-prepare → mark-plan-ready → start-implementation → run-agent-step
//      → (PASS converges to LOCAL_VALIDATING) → run-finish (push to the local fork) → request-open-pr,
//   printing each step, the verdict, the PR title and body rendered from the campaign template with the run's
//   own content, and where the artefacts are. Data lives in $AGENTPR_HOME
//   (default ./.agentpr-home); every run of the demo starts from a fresh database.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDemoArgs, startDemoEngine } from './demo-engine.mjs';

const args = parseDemoArgs(process.argv.slice(2));
if (args.error) {
  console.error(args.error);
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..', '..');
const bin = join(root, 'apps', 'cli', 'dist', 'agentpr.js');
const home = resolve(process.env.AGENTPR_HOME || join(root, '.agentpr-home'));
const demo = join(home, 'demo');
rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'agentpr demo', GIT_AUTHOR_EMAIL: 'demo@agentpr.invalid', GIT_COMMITTER_NAME: 'agentpr demo', GIT_COMMITTER_EMAIL: 'demo@agentpr.invalid' };
function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: gitEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

// 1. Local upstream and fork.
const seed = join(demo, 'seed');
cpSync(join(root, 'tools', 'model-stub', 'sample-project'), seed, { recursive: true });
git(seed, 'init', '-q');
git(seed, 'add', '-A');
git(seed, 'commit', '-q', '-m', 'chore: sample project');
const upstream = join(demo, 'upstream', 'octo-org', 'widgets.git');
const fork = join(demo, 'fork', 'demo-bot', 'widgets.git');
mkdirSync(join(demo, 'upstream', 'octo-org'), { recursive: true });
mkdirSync(join(demo, 'fork', 'demo-bot'), { recursive: true });
git(demo, 'clone', '-q', '--bare', seed, upstream);
git(demo, 'clone', '-q', '--bare', seed, fork);

// 2. The model stub, and the variables that point the engine at it.
let engine;
try {
  engine = await startDemoEngine(args.engine, root, demo);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
// AGENTPR_OFFLINE=1: the upstream and fork are local repositories and nothing talks to GitHub, so the startup gate
// of each command checks the local remotes, git, the engine and the sandbox instead of github.com and GitHub auth.
const env = { ...gitEnv, AGENTPR_HOME: home, ...engine.env, AGENTPR_OFFLINE: '1' };
const db = join(home, 'demo.db');
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
const base = ['--db', db, '--workspace-root', join(demo, 'workspaces'), '--json'];

// The stub answers the agent from this process, so the CLI must run asynchronously (spawnSync would block it).
function run(argv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// `unconfined`: a step that runs the agent with --isolation none, which the startup gate cannot see (it would refuse
// for want of bubblewrap), so only those skip it.
async function agentpr(args, { unconfined = false } = {}) {
  console.log(`\n${bold(`$ agentpr ${args.join(' ')}`)}`);
  const r = await run([bin, ...base, ...(unconfined ? ['--skip-doctor'] : []), ...args]);
  let out;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    out = { raw: r.stdout };
  }
  if (r.status !== 0) {
    console.error(r.stderr.trim());
    console.error(JSON.stringify(out, null, 2));
    engine.close().finally(() => process.exit(r.status ?? 1));
    throw new Error('demo step failed');
  }
  return out;
}
const show = (label, value) => console.log(`    ${label}: ${value}`);
/** The PR text approval would open, as the request stores it. */
function showPrText(request) {
  show('PR title', `${request.preview.title} (from the ${request.pr_text.title_from})`);
  console.log(`    PR body (rendered from ${request.pr_text.body_from.replace('_', ' ')}${request.pr_text.repo_template ? ` inside ${request.pr_text.repo_template}` : ''}):`);
  for (const line of request.preview.body.trimEnd().split('\n')) console.log(`      │ ${line}`);
}

// Agent steps run in a bubblewrap sandbox by default. Where bubblewrap cannot sandbox (no bwrap, no user
// namespaces), the demo says so and falls back to an explicit --isolation none: its agent is our own scripted stub
// working on a bundled sample, never a stranger's repository.
const bwrapProbe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '/bin/true'], { stdio: 'ignore' });
const isolation = bwrapProbe.status === 0 ? [] : ['--isolation', 'none'];

console.log(bold('agentpr offline demo'));
console.log(`The agent engine: ${engine.name}${engine.name === 'codex' ? ' (the default; `npm run demo -- --engine claude` runs Claude Code)' : ' (--engine claude)'}.`);
console.log(engine.about);
console.log(`Data: ${home}`);
console.log('Offline mode (AGENTPR_OFFLINE=1): every startup gate checks the local set-up, not github.com.');
if (isolation.length === 0) console.log('The agent runs CONFINED: bubblewrap sandbox, network only through the egress proxy (the defaults).');
else console.log(bold('WARNING: bubblewrap cannot sandbox on this machine, so this demo runs the agent with --isolation none (unconfined). Install bubblewrap (apt-get install bubblewrap) to see the default.'));
try {
  const runId = `demo_${Date.now().toString(36)}`;
  show('run', (await agentpr(['create-run', '--owner', 'octo-org', '--repo', 'widgets', '--prompt-version', 'demo-v1', '--run-id', runId])).run_id);
  // run-prepare talks to GitHub in real use; in offline mode its gate checks that the local remotes are git repositories.
  const prepared = await agentpr(['run-prepare', '--run-id', runId, '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'demo-bot']);
  show('workspace', prepared.workspace_dir ?? '(see show-run)');
  show('branch', prepared.feature_branch ?? '');
  show('state', prepared.state);
  show('state', (await agentpr(['mark-plan-ready', '--run-id', runId, '--contract-path', join(root, 'campaigns', 'example', 'workflow.md')])).state);
  show('state', (await agentpr(['start-implementation', '--run-id', runId])).state);
  const step = await agentpr(['run-agent-step', '--run-id', runId, '--prompt-file', join(root, 'campaigns', 'example', 'prompt_template.md'), ...engine.stepFlags, '--skip-network-check', ...isolation], { unconfined: isolation.length > 0 });
  show('engine', `${step.engine ?? engine.name}${step.engine_source ? ` (chosen by: ${step.engine_source})` : ''}${step.model ? ` · ${step.model}` : ''}`);
  show('verdict', `${step.classification.grade} ${step.classification.reason_code} (${step.engine ?? engine.name} exit ${step.exit_code})`);
  for (const e of step.classification.evidence.slice(0, 4)) show('evidence', typeof e === 'string' ? e : `line ${e.line ?? '?'}: ${e.command ?? ''} ${e.exit_code !== undefined ? `exit ${e.exit_code}` : ''} ${e.note ?? ''}`.trim());
  show('state', `${step.state} (a PASS converges to LOCAL_VALIDATING, which is what mark-local-validated records)`);
  show('runtime report', step.agent_report);
  show('run digest', step.run_digest);
  show('manager insight', step.manager_insight);
  const finished = await agentpr(['run-finish', '--run-id', runId, '--changes', 'Add titleCase with a test.', '--commit-title', 'feat: add titleCase helper']);
  show('pushed', `${finished.branch} @ ${finished.head_sha} → ${fork}`);
  show('state', finished.state);
  // No --title/--body: both are rendered from the example campaign's pr_description_template.md (the CLI's default
  // campaign) with what the run did: the agent's final message, the pushed files, the test evidence of the verdict.
  const request = await agentpr(['request-open-pr', '--run-id', runId]);
  showPrText(request);
  show('PR request', request.request_file);
  show('confirm token (shown once)', request.confirm_token);
  show('expires', request.expires_at);
  console.log(`\n${bold('Done.')} The run waits at the PR gate: a human approves with`);
  console.log(`    ${request.next_command}`);
  console.log('(approving creates the PR on GitHub, so it needs GITHUB_TOKEN; the demo stops here).');
  console.log(`\nInspect it: node ${bin} --db ${db} inspect-run --run-id ${runId}`);

  // The same life with one command: `agentpr drive` runs manager ticks until the run waits for a human.
  console.log(`\n${bold('Now the one-command path:')} a second run, driven by the manager rules from QUEUED to the PR request.`);
  const second = `${runId}_drive`;
  await agentpr(['create-run', '--owner', 'octo-org', '--repo', 'widgets', '--prompt-version', 'demo-v1', '--run-id', second]);
  const driven = await agentpr(['drive', '--run-id', second, '--prompt-file', join(root, 'campaigns', 'example', 'prompt_template.md'), '--upstream-url', upstream, '--fork-url', fork, '--fork-owner', 'demo-bot', ...engine.stepFlags, '--skip-network-check', '--commit-title', 'feat: add titleCase helper', ...isolation], { unconfined: isolation.length > 0 });
  for (const actions of driven.ticks_detail) for (const a of actions) show('tick', `${a.state} → ${a.action}${a.result ? ` (${a.result})` : a.ok === false ? ' (failed)' : ''}`);
  show('state', `${driven.state} — ${driven.stopped_because}`);
  if (driven.pr_request) {
    showPrText(driven.pr_request);
    show('PR request', `${driven.pr_request.request_file} (token ${driven.pr_request.confirm_token})`);
  }
  console.log('');
  for (const line of engine.realModel) console.log(line);
  console.log('README.md, "From the demo to your first real campaign", walks through it; `npm run dev-stack` keeps the');
  console.log('GitHub stand-in and the model stub running for trying the loop (approval included) by hand.');
  console.log(`\n${bold('See both runs in the dashboard')} (read-only; Ctrl-C stops it):`);
  console.log(`    node ${bin} --data-dir ${home} --db ${db} dashboard`);
  console.log('    then open http://127.0.0.1:8790/');
} finally {
  await engine.close();
}
