import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { GitHubClient } from '@agentpr/github';
import { addArtifact, applyEvent, createRun, openStore, type OpenDatabase } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';
import type { RunEvent } from '@agentpr/state-machine';
import { dataDirPaths, type AppContext, type Logger } from '../context.js';
import { createAppPorts } from '../adapters/app-ports.js';
import { applyCheckRollup } from '../github-sync/apply-check-rollup.js';
import { handleWebhookDelivery, type WebhookDeliveryResult } from '../github-sync/handle-webhook-delivery.js';
import type { GitHubPort } from '../ports.js';
import { requestOpenPr, type RequestedPr, type RequestOpenPrInput } from '../pr-gate/request-open-pr.js';

/** A clock tests move by hand. */
export interface TestClock {
  (): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(start = '2026-11-23T10:00:00.000Z'): TestClock {
  let now = Date.parse(start);
  const clock = (() => new Date(now)) as TestClock;
  clock.set = (iso) => {
    now = Date.parse(iso);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** A logger that keeps lines for assertions. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_AUTHOR_NAME: 'agentpr test',
  GIT_AUTHOR_EMAIL: 'test@agentpr.invalid',
  GIT_COMMITTER_NAME: 'agentpr test',
  GIT_COMMITTER_EMAIL: 'test@agentpr.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: GIT_ENV, extendEnv: false, stdin: 'ignore', timeout: 30_000 });
  return String(r.stdout).trim();
}

/** An open store and an AppContext over temp directories. */
export interface TestApp {
  store: OpenDatabase;
  ctx: AppContext;
  clock: TestClock;
  log: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

/** A GitHub port over a fixed client; `undefined` is a port without a token. */
export function githubPort(client: GitHubClient | undefined): GitHubPort {
  return { client: async () => client };
}

/**
 * An AppContext over a fresh data dir with the real ports, except GitHub: `github` (a client against the stub), or
 * by default no token at all, so nothing reads the operator's `gh` login.
 */
export async function testApp(
  location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string },
  actor: AppContext['actor'] = 'operator',
  options: { github?: GitHubClient } = {},
): Promise<TestApp> {
  const store = await openStore(location);
  const dataDir = tempDir('agentpr-data-');
  const clock = testClock();
  const log = memoryLogger();
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock,
    paths: dataDirPaths(dataDir, { campaignDir: join(dataDir, 'campaign'), skillsDir: join(dataDir, 'skills') }),
    env: GIT_ENV,
    ...createAppPorts(GIT_ENV, { clock, overrides: { github: githubPort(options.github) } }),
    log,
    actor,
  };
  return { store, ctx, clock, log, close: () => store.close() };
}

/** A run in PUSHED whose branch is pushed to a local bare "fork", with a passing digest that describes the push. */
export interface PushedRun {
  runId: string;
  owner: string;
  repo: string;
  workspace: string;
  remote: string;
  branch: string;
  headSha: string;
  forkOwner: string;
}

export async function applyAll(ctx: AppContext, runId: string, events: RunEvent[]): Promise<void> {
  for (const event of events) await applyEvent(ctx.db, runId, { event }, ctx.clock);
}

/** Writes a run digest (the fields the DoD gate reads) and records it as the latest `run_digest` artefact. */
export async function addDigest(ctx: AppContext, runId: string, treeSha: string, patch: Record<string, unknown> = {}): Promise<string> {
  mkdirSync(ctx.paths.reportsDir, { recursive: true });
  const file = join(ctx.paths.reportsDir, `${runId}_run_digest_${Math.random().toString(16).slice(2)}.json`);
  const digest = {
    classification: { grade: 'PASS', reason_code: 'runtime_success', next_action: 'advance' },
    skills: { mode: 'off', required_now: [], missing_required: [] },
    validation: { test_command_count: 2, failed_test_command_count: 0 },
    changes: { changed_files_count: 1, added_lines: 3 },
    workspace: { head_sha: 'x', tree_sha: treeSha, baseline_sha: 'y' },
    policy_used: { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' },
    preflight: { ok: true, skipped: false, failures: [] },
    safety: { violation_count: 0, violations: [] },
    ...patch,
  };
  writeFileSync(file, JSON.stringify(digest));
  await addArtifact(ctx.db, { runId, type: 'run_digest', uri: file, metadata: { grade: 'PASS' } }, ctx.clock);
  return file;
}

/** Commits a change in the workspace and pushes it to the fork; returns the new head SHA. */
export async function commitAndPush(run: Pick<PushedRun, 'workspace' | 'branch'>, content: string): Promise<string> {
  writeFileSync(join(run.workspace, 'change.txt'), content);
  await git(run.workspace, 'add', 'change.txt');
  await git(run.workspace, 'commit', '-q', '-m', `change ${content.slice(0, 20)}`);
  await git(run.workspace, 'push', '-q', 'origin', run.branch);
  return git(run.workspace, 'rev-parse', 'HEAD');
}

export async function pushedRun(ctx: AppContext, options: { runId?: string; owner?: string; repo?: string } = {}): Promise<PushedRun> {
  const runId = options.runId ?? `run_${Math.random().toString(16).slice(2, 14)}`;
  const owner = options.owner ?? 'Acme';
  const repo = options.repo ?? 'Widgets';
  const remote = join(tempDir('agentpr-fork-'), 'fork.git');
  await execa('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: GIT_ENV, extendEnv: false, stdin: 'ignore' });
  const workspace = join(ctx.paths.workspaceRoot, owner, repo, runId);
  mkdirSync(workspace, { recursive: true });
  const branch = 'agentpr/add-widgets';
  await git(workspace, 'init', '-q', '-b', 'main');
  writeFileSync(join(workspace, 'README.md'), '# widgets\n');
  await git(workspace, 'add', 'README.md');
  await git(workspace, 'commit', '-q', '-m', 'base');
  await git(workspace, 'remote', 'add', 'origin', remote);
  await git(workspace, 'checkout', '-q', '-b', branch);
  const run = { runId, owner, repo, workspace, remote, branch, forkOwner: 'forker', headSha: '' };
  run.headSha = await commitAndPush(run, 'first change\n');
  await createRun(ctx.db, { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: workspace }, ctx.clock);
  await addArtifact(ctx.db, { runId, type: 'workspace_prepared', uri: workspace, metadata: { base_branch: 'main', base_sha: 'b', feature_branch: branch, fork_owner: 'forker' } }, ctx.clock);
  await applyAll(ctx, runId, [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: join(workspace, 'contract.md') },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch, head_sha: run.headSha },
  ]);
  await addDigest(ctx, runId, await git(workspace, 'rev-parse', 'HEAD^{tree}'));
  return run;
}

/** Simulates the agent fixing a failed CI: back to IMPLEMENTING, validate, commit, push, record the push. */
export async function pushFix(ctx: AppContext, run: PushedRun, content: string): Promise<string> {
  await applyAll(ctx, run.runId, [{ type: 'command.start.implementation' }, { type: 'command.local.validation.passed' }]);
  const sha = await commitAndPush(run, content);
  await applyAll(ctx, run.runId, [{ type: 'worker.push.completed', branch: run.branch, head_sha: sha }]);
  run.headSha = sha;
  return sha;
}

/** A run (no workspace) whose PR is linked and whose pushed head is `sha`: state CI_WAIT. */
export async function runInCiWait(
  ctx: AppContext,
  options: { runId: string; owner: string; repo: string; prNumber: number; sha: string; branch?: string },
): Promise<void> {
  await createRun(ctx.db, { runId: options.runId, owner: options.owner, repo: options.repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${options.runId}` }, ctx.clock);
  await applyAll(ctx, options.runId, [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: options.branch ?? 'changes', head_sha: options.sha },
    { type: 'command.pr.linked', pr_number: options.prNumber },
  ]);
}

/**
 * Delivers a verified webhook payload the way the webhook app does, without its HTTP server: the delivery use case
 * under a fresh delivery id, then the check roll-ups it asks for (with `github`).
 */
export async function deliverWebhook(ctx: AppContext, github: GitHubClient, eventName: string, payload: unknown): Promise<WebhookDeliveryResult> {
  const body = JSON.stringify(payload);
  const result = await handleWebhookDelivery(ctx, { deliveryId: randomUUID(), eventName, payloadSha256: createHash('sha256').update(body).digest('hex'), payload: JSON.parse(body) });
  if (result.kind === 'applied' || result.kind === 'ignored' || result.kind === 'refused') {
    for (const task of result.rollups) await applyCheckRollup(ctx, github, task);
  }
  return result;
}

/** requestOpenPr for tests that expect the request written: a gate that stops it fails the test with the gate's line. */
export async function requestWritten(ctx: AppContext, input: RequestOpenPrInput): Promise<RequestedPr> {
  const result = await requestOpenPr(ctx, input);
  if (result.kind !== 'requested') throw new Error(`expected a written PR request, but ${result.message}`);
  return result;
}
