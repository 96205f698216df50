import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createAppPorts, createSecretRedactor, dataDirPaths, silentLogger, type AppContext } from '@agentpr/orchestrator';
import type { RunEvent } from '@agentpr/state-machine';
import {
  acquireLease,
  setWorkspaceHost,
  applyEvent,
  createRun,
  createRuns,
  insertGateCheck,
  insertPrRequest,
  markPrMerged,
  notePrChecked,
  openReadOnlyStore,
  openStore,
  recordAttempt,
  recordPrOpened,
  type Clock,
  type Db,
  type NewRun,
} from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';
import { dashboardDeps } from '../run-dashboard.js';
import { createDashboardApp } from '../server.js';
import { seedAgentAttempt, type SeedAgentAttempt } from './seed-reports.js';
import { seedWebhook } from './seed-webhook.js';

// The dashboard's shared test seed: a real SQLite store filled through the store API with the events the real
// system applies, in valid order, on a fixed clock. Every page test and the browser tests read it.

/** The seed's "now": every seeded time is before it, and the dashboards the tests open read this clock. */
export const SEED_NOW = new Date('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;

/** `hoursAgo` hours before {@link SEED_NOW}, as a clock. */
export function seedClock(hoursAgo: number): Clock {
  return () => new Date(SEED_NOW.getTime() - hoursAgo * HOUR);
}

/** The two ordinary campaigns. */
export const SEED_CAMPAIGNS = { deps: 'deps-bump', docs: 'docs-polish' } as const;

/** A secret the seed writes into agent text; the dashboards opened here know it (GITHUB_TOKEN), so it must never render. */
export const SEED_SECRET = 'ghp_SeedSecretToken0123456789abcdefABCDEF';

/** The hostile strings, each rendered literally (escaped) and never executed. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '"><img src=x onerror=alert(1)>',
  js: 'javascript:alert(1)',
  /** RIGHT-TO-LEFT OVERRIDE and FIRST STRONG ISOLATE around text. */
  bidi: '\u202Egnp.exe\u2068x\u2069',
} as const;

/** The hostile run's campaign name (no `/`, so it is one path segment once encoded). */
export const HOSTILE_CAMPAIGN = `evil ${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} ${HOSTILE.bidi}`;
/** The hostile runs' PR title. */
export const HOSTILE_PR_TITLE = `fix: ${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} ${HOSTILE.bidi}`;
/** The model name of the hostile run's agent attempt (a model name can come from the agent's own stream). */
export const HOSTILE_MODEL = `claude-${HOSTILE.script}\u202e\u001b ${SEED_SECRET}`;
/** The text of a hostile evidence line. */
export const HOSTILE_EVIDENCE = `test failed: ${HOSTILE.script} ${HOSTILE.img}`;

/** The named runs of the seed. */
export const SEED_RUN_IDS = {
  /** QUEUED, campaign deps-bump. */
  queued: 'run_dash_queued',
  /** ITERATING after a red CI round (failing checks), a RETRYABLE attempt with evidence; leased by the manager. */
  iterating: 'run_dash_iterating',
  /** LOCAL_VALIDATING after a PASS attempt. */
  localValidating: 'run_dash_validating',
  /** PUSHED with a pending PR-open request (the approvals page), all gates passed. */
  awaitingApproval: 'run_dash_pushed',
  /** CI_WAIT on PR #42 after a red round; a late failing check of the old head is stored, not applied. */
  ciWait: 'run_dash_ciwait',
  /** NEEDS_HUMAN_REVIEW after a HUMAN_REVIEW verdict. */
  needsHuman: 'run_dash_review',
  /** DONE: PR #7 merged (pr_activity), checks green, review approved. */
  merged: 'run_dash_merged',
  /** SKIPPED: the repository forbids AI contributions (ai_policy gate). */
  skipped: 'run_dash_skipped',
  /** NEEDS_HUMAN_REVIEW with hostile campaign, last error, agent message, evidence and PR-request title. */
  hostile: 'run_dash_hostile',
  /** PUSHED with a pending PR-open request whose title is hostile, same hostile campaign. */
  hostilePending: 'run_dash_hostile_pending',
} as const;

/** Options of {@link seedDashboardStore}. */
export interface SeedOptions {
  /**
   * The seed's "now" (default {@link SEED_NOW}): every seeded time is hours before it. The screenshots seed at the
   * real time, so a dashboard on the wall clock shows recent runs.
   */
  now?: Date;
  /** Seed the two hostile runs (default true; the README's screenshots leave them out). */
  hostile?: boolean;
  /** Extra QUEUED runs without a campaign (`run_bulk_00001`, …), for pagination. Default 0. */
  bulkRuns?: number;
}

/** A seeded store. */
export interface SeededStore {
  /** The SQLite file (`<dir>/agentpr.db`); `<dir>` is the data dir (`<dir>/reports` holds the report files). */
  dbPath: string;
  dataDir: string;
  runIds: typeof SEED_RUN_IDS;
  /** The webhook audit log the seed wrote (the webhook's default place under the data dir). */
  auditLogFile: string;
  /** The seed's writable connection, open until {@link SeededStore.close}: a test applies live changes through it. */
  db: Db;
  /** Closes the writable connection the seed used. */
  close(): Promise<void>;
}

const TO_PUSHED = (head: string): RunEvent[] => [
  { type: 'command.start.discovery', actor: 'manager' },
  { type: 'worker.discovery.completed', contract_path: '/contracts/c.md', actor: 'worker' },
  { type: 'command.start.implementation', actor: 'manager' },
  { type: 'command.local.validation.passed', actor: 'worker' },
  { type: 'worker.push.completed', branch: 'agentpr/fix', head_sha: head, actor: 'worker' },
];

/** Applies events one hour apart, the first `startH` hours before now. */
async function events(s: Seeder, runId: string, list: RunEvent[], startH: number, stepH = 0.5): Promise<number> {
  let h = startH;
  for (const event of list) {
    await applyEvent(s.db, runId, { event }, s.clock(h));
    h -= stepH;
  }
  return h;
}

async function steps(s: Seeder, runId: string, hoursAgo: number, list: Array<[step: string, ms: number, ok?: boolean]>): Promise<void> {
  for (const [step, ms, ok] of list) {
    await recordAttempt(s.db, { runId, step, succeeded: ok ?? true, stdout: `${step} done\n`, stderr: ok === false ? `${step} failed\n` : '', durationMs: ms }, s.clock(hoursAgo));
  }
}

function newRun(runId: string, owner: string, repo: string, campaign: string | null): NewRun {
  return { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: { max_changed_files: 8 }, workspaceDir: `/var/lib/agentpr/workspaces/${runId}`, campaign };
}

type AttemptSpec = Omit<SeedAgentAttempt, 'runId' | 'owner' | 'repo'>;

const PASSING: Omit<AttemptSpec, 'stage' | 'stateAfter'> = {
  grade: 'PASS',
  reasonCode: 'runtime_success',
  nextAction: 'advance',
  durationMs: 240_000,
  evidence: [{ line: 31, command: 'npm test', exit_code: 0, note: 'npm test passed (212 tests)' }],
  lastMessage: 'Updated the dependency and its lockfile; npm test passes.',
  testCommands: ['npm test'],
  failedTestCommands: [],
  diff: { files: ['package.json', 'package-lock.json'], added: 14, deleted: 9 },
  tokens: { input: 120_000, cached: 80_000, output: 6_000, reasoning: 2_000 },
};

const FAILING_TESTS: Omit<AttemptSpec, 'stage' | 'stateAfter'> = {
  grade: 'RETRYABLE',
  reasonCode: 'test_command_failed',
  nextAction: 'retry',
  durationMs: 420_000,
  evidence: [
    { line: 69, command: 'npm test -- --run parser', exit_code: 1, note: 'npm test -- --run parser failed: 2 of 88 tests failed (parser.spec.ts)' },
    { line: 12, command: 'npm run lint', exit_code: 0, note: 'npm run lint passed' },
  ],
  lastMessage: 'Two parser tests still fail; the fixture needs the new token kind.',
  testCommands: ['npm run lint', 'npm test -- --run parser'],
  failedTestCommands: ['npm test -- --run parser'],
  diff: { files: ['src/parser.ts', 'src/lexer.ts', 'test/parser.spec.ts'], added: 61, deleted: 12 },
  tokens: { input: 300_000, cached: 150_000, output: 12_000, reasoning: 5_000 },
};

/** Writes the seed through one connection, every time `hoursAgo` hours before its `now`. */
class Seeder {
  constructor(
    readonly db: Db,
    readonly reportsDir: string,
    readonly now: Date,
  ) {}

  /** `hoursAgo` hours before the seed's now, as a clock. */
  clock(hoursAgo: number): Clock {
    return () => new Date(this.now.getTime() - hoursAgo * HOUR);
  }

  /** `hoursAgo` hours before the seed's now, as an ISO time. */
  iso(hoursAgo: number): string {
    return this.clock(hoursAgo)().toISOString();
  }

  attempt(run: NewRun, spec: AttemptSpec, hoursAgo: number) {
    return seedAgentAttempt(this.db, this.reportsDir, { runId: run.runId, owner: run.owner, repo: run.repo, ...spec }, this.clock(hoursAgo));
  }

  async create(run: NewRun, hoursAgo: number): Promise<NewRun> {
    await createRun(this.db, run, this.clock(hoursAgo));
    return run;
  }

  async gates(runId: string, hoursAgo: number, outcome = 'pass'): Promise<void> {
    for (const gate of ['ai_policy', 'etiquette', 'duplicates']) {
      const detail = gate === 'ai_policy' ? { stance: 'welcome', quotes: [{ path: 'CONTRIBUTING.md', quote: 'AI-assisted contributions are welcome.' }] } : {};
      await insertGateCheck(this.db, { runId, gate, phase: 'pr_request', outcome, reasonCode: null, message: `${gate}: ${outcome}`, detail, override: false, actor: 'manager' }, this.clock(hoursAgo));
    }
  }

  async prRequest(runId: string, title: string, head: string, createdH: number): Promise<void> {
    const file = join(this.reportsDir, `${runId}_pr_open_request_${createdH}.json`);
    const created = this.clock(createdH)();
    await insertPrRequest(this.db, {
      run_id: runId, request_file: file, title, body: `${title}\n\nAI-assisted change.`, base: 'main', head: 'agentpr/fix', head_owner: 'agentpr-bot', head_sha: head,
      draft: 0, confirm_token_sha256: 'e'.repeat(64), created_at: created.toISOString(), expires_at: new Date(created.getTime() + 4 * HOUR).toISOString(), consumed_at: null,
    });
  }
}

async function seedQueued(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.queued, 'acme', 'widgets', SEED_CAMPAIGNS.deps), 3);
  await steps(s, run.runId, 2.5, [['preflight', 4_000]]);
}

async function seedIterating(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.iterating, 'acme', 'gadgets', SEED_CAMPAIGNS.deps), 30);
  const head = '1'.repeat(40);
  await steps(s, run.runId, 29.5, [['prepare', 35_000], ['preflight', 6_000]]);
  await events(s, run.runId, TO_PUSHED(head).slice(0, 3), 29);
  await s.attempt(run, { ...PASSING, stage: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING' }, 27.5);
  await events(s, run.runId, TO_PUSHED(head).slice(3), 27);
  await steps(s, run.runId, 26.5, [['finish', 12_000], ['pr_create', 2_500]]);
  await applyEvent(s.db, run.runId, { event: { type: 'command.pr.linked', pr_number: 31, actor: 'manager' } }, s.clock(26));
  await recordPrOpened(s.db, { runId: run.runId, prNumber: 31, owner: run.owner, repo: run.repo, campaign: run.campaign ?? null, prUrl: 'https://github.com/acme/gadgets/pull/31', openedAt: s.clock(26)().toISOString() }, s.clock(26));
  const red: RunEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 31, head_sha: head, failing_checks: ['lint', 'test (ubuntu-latest, node 20)'], actor: 'webhook' };
  await applyEvent(s.db, run.runId, { event: red, idempotencyKey: 'gh:check:seed-iterating' }, s.clock(24));
  await s.attempt(run, { ...FAILING_TESTS, stage: 'ITERATING', stateAfter: 'ITERATING', engine: { name: 'claude', model: 'claude-sonnet-4-5' } }, 2);
  await acquireLease(s.db, run.runId, 'manager-loop:dash-host:4242', 10 * 24 * HOUR, s.clock(1));
  await setWorkspaceHost(s.db, run.runId, 'dash-host', s.clock(1));
}

async function seedValidating(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.localValidating, 'acme', 'sprockets', SEED_CAMPAIGNS.docs), 8);
  await steps(s, run.runId, 7.8, [['prepare', 22_000], ['preflight', 5_000]]);
  await events(s, run.runId, TO_PUSHED('2'.repeat(40)).slice(0, 3), 7.5);
  await s.attempt(run, { ...PASSING, stage: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING', lastMessage: 'Fixed the typos in docs/usage.md.' }, 6);
  await applyEvent(s.db, run.runId, { event: { type: 'command.local.validation.passed', actor: 'worker' } }, s.clock(5.9));
}

async function seedAwaitingApproval(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.awaitingApproval, 'acme', 'widgets-docs', SEED_CAMPAIGNS.docs), 12);
  const head = '3'.repeat(40);
  await steps(s, run.runId, 11.8, [['prepare', 18_000], ['preflight', 4_000]]);
  await events(s, run.runId, TO_PUSHED(head).slice(0, 3), 11.5);
  await s.attempt(run, { ...PASSING, stage: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING', lastMessage: 'Rewrote the README quick start.' }, 10);
  await events(s, run.runId, TO_PUSHED(head).slice(3), 9.5);
  await steps(s, run.runId, 9, [['finish', 9_000]]);
  await s.gates(run.runId, 0.5);
  await s.prRequest(run.runId, 'docs: clarify the README quick start', head, 0.4);
}

async function seedCiWait(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.ciWait, 'acme', 'api-client', SEED_CAMPAIGNS.deps), 50);
  const [first, second] = ['4'.repeat(40), '5'.repeat(40)];
  await steps(s, run.runId, 49.5, [['prepare', 41_000], ['preflight', 7_000]]);
  await events(s, run.runId, TO_PUSHED(first).slice(0, 3), 49);
  await s.attempt(run, { ...PASSING, stage: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING' }, 47);
  await events(s, run.runId, TO_PUSHED(first).slice(3), 46.5);
  await applyEvent(s.db, run.runId, { event: { type: 'command.pr.linked', pr_number: 42, actor: 'manager' } }, s.clock(46));
  await recordPrOpened(s.db, { runId: run.runId, prNumber: 42, owner: run.owner, repo: run.repo, campaign: run.campaign ?? null, prUrl: 'https://github.com/acme/api-client/pull/42', openedAt: s.clock(46)().toISOString() }, s.clock(46));
  const red: RunEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 42, head_sha: first, failing_checks: ['build', 'e2e (chromium)'], actor: 'webhook' };
  await applyEvent(s.db, run.runId, { event: red, idempotencyKey: 'gh:check:seed-ciwait-1' }, s.clock(40));
  await s.attempt(run, { ...PASSING, stage: 'ITERATING', stateAfter: 'LOCAL_VALIDATING', lastMessage: 'Fixed the e2e selector that CI reported.' }, 20);
  await applyEvent(s.db, run.runId, { event: { type: 'command.local.validation.passed', actor: 'worker' } }, s.clock(19.9));
  await applyEvent(s.db, run.runId, { event: { type: 'worker.push.completed', branch: 'agentpr/fix', head_sha: second, actor: 'worker' } }, s.clock(19.5));
  await applyEvent(s.db, run.runId, { event: { type: 'command.pr.linked', pr_number: 42, actor: 'webhook' } }, s.clock(19));
  // A late red check of the first head: stored (stale_head_sha), the run stays in CI_WAIT.
  const late: RunEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 42, head_sha: first, failing_checks: ['e2e (chromium)'], actor: 'webhook' };
  await applyEvent(s.db, run.runId, { event: late, idempotencyKey: 'gh:check:seed-ciwait-late' }, s.clock(18));
  const responses = { firstResponseAt: s.iso(30), lastMaintainerActivityAt: s.iso(30), checkedAt: s.iso(18) };
  await notePrChecked(s.db, { runId: run.runId, prNumber: 42 }, responses, s.clock(18));
}

async function seedNeedsHuman(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.needsHuman, 'acme', 'parser', SEED_CAMPAIGNS.docs), 20);
  await steps(s, run.runId, 19.5, [['prepare', 25_000], ['preflight', 5_000]]);
  await events(s, run.runId, TO_PUSHED('6'.repeat(40)).slice(0, 3), 19);
  const spec: AttemptSpec = {
    ...FAILING_TESTS, grade: 'HUMAN_REVIEW', reasonCode: 'agent_reported_needs_review', nextAction: 'escalate', stage: 'IMPLEMENTING', stateAfter: 'NEEDS_HUMAN_REVIEW',
    evidence: [{ line: 88, command: null, exit_code: null, note: 'the agent asked for a human: the public API would change' }],
    lastMessage: 'This needs a maintainer decision: fixing it changes the public API.',
  };
  await s.attempt(run, spec, 17);
  await applyEvent(s.db, run.runId, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error: 'agent:agent_reported_needs_review:HUMAN_REVIEW', actor: 'worker' } }, s.clock(16.9));
}

async function seedMerged(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.merged, 'acme', 'widgets', SEED_CAMPAIGNS.deps), 120);
  const head = '7'.repeat(40);
  await steps(s, run.runId, 119.5, [['prepare', 30_000], ['preflight', 5_500]]);
  await events(s, run.runId, TO_PUSHED(head).slice(0, 3), 119);
  await s.attempt(run, { ...PASSING, stage: 'IMPLEMENTING', stateAfter: 'LOCAL_VALIDATING' }, 117);
  await events(s, run.runId, TO_PUSHED(head).slice(3), 116.5);
  await steps(s, run.runId, 116, [['finish', 10_000], ['pr_create', 3_000]]);
  await s.gates(run.runId, 116);
  await applyEvent(s.db, run.runId, { event: { type: 'command.pr.linked', pr_number: 7, actor: 'operator' } }, s.clock(115));
  const key = { runId: run.runId, prNumber: 7 };
  await recordPrOpened(s.db, { ...key, owner: run.owner, repo: run.repo, campaign: run.campaign ?? null, prUrl: 'https://github.com/acme/widgets/pull/7', openedAt: s.clock(115)().toISOString() }, s.clock(115));
  await applyEvent(s.db, run.runId, { event: { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: head, actor: 'webhook' } }, s.clock(114));
  await applyEvent(s.db, run.runId, { event: { type: 'github.review.submitted', state: 'approved', pr_number: 7, actor: 'webhook' } }, s.clock(100));
  await notePrChecked(s.db, key, { firstResponseAt: s.iso(100), lastMaintainerActivityAt: s.iso(96), checkedAt: s.iso(96) }, s.clock(96));
  await markPrMerged(s.db, key, s.clock(96)().toISOString(), s.clock(96));
  await applyEvent(s.db, run.runId, { event: { type: 'github.pull_request.closed', pr_number: 7, merged: true, actor: 'webhook' } }, s.clock(96));
}

async function seedSkipped(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.skipped, 'acme', 'legacy', SEED_CAMPAIGNS.docs), 70);
  await steps(s, run.runId, 69.9, [['preflight', 3_000]]);
  const detail = { stance: 'forbidden', quotes: [{ path: 'CONTRIBUTING.md', quote: 'We do not accept AI-generated pull requests.' }] };
  await insertGateCheck(s.db, { runId: run.runId, gate: 'ai_policy', phase: 'run_start', outcome: 'skip_run', reasonCode: 'ai_policy_forbidden', message: 'acme/legacy forbids AI contributions; campaign docs-polish skips it', detail, override: false, actor: 'manager' }, s.clock(69.8));
  await applyEvent(s.db, run.runId, { event: { type: 'command.run.skip', reason_code: 'ai_policy_forbidden', message: 'acme/legacy forbids AI contributions', actor: 'manager' } }, s.clock(69.8));
}

/** Hostile text everywhere a run carries text, plus the seed's secret, which must be redacted. */
async function seedHostile(s: Seeder): Promise<void> {
  const run = await s.create(newRun(SEED_RUN_IDS.hostile, 'evil-org', 'evil-repo', HOSTILE_CAMPAIGN), 10);
  const head = '8'.repeat(40);
  await events(s, run.runId, TO_PUSHED(head).slice(0, 3), 9.5);
  const spec: AttemptSpec = {
    ...FAILING_TESTS, stage: 'IMPLEMENTING', stateAfter: 'IMPLEMENTING',
    evidence: [
      { line: 3, command: `npm test ${HOSTILE.img}`, exit_code: 1, note: HOSTILE_EVIDENCE },
      { line: 4, command: HOSTILE.js, exit_code: 0, note: `token ${SEED_SECRET} ${HOSTILE.bidi}` },
    ],
    lastMessage: `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} ${HOSTILE.bidi} token=${SEED_SECRET}`,
    stderr: `${HOSTILE.script}\n`,
    engine: { name: 'claude', model: HOSTILE_MODEL },
  };
  await s.attempt(run, spec, 8);
  await events(s, run.runId, TO_PUSHED(head).slice(3), 7.5);
  await s.prRequest(run.runId, HOSTILE_PR_TITLE, head, 7);
  const failed: RunEvent = { type: 'worker.step.failed', step: 'pr_create', reason_code: 'github_error', error_message: `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} ${HOSTILE.bidi}`, actor: 'manager' };
  await applyEvent(s.db, run.runId, { event: failed }, s.clock(6));

  const pending = await s.create(newRun(SEED_RUN_IDS.hostilePending, 'evil-org', 'evil-repo-2', HOSTILE_CAMPAIGN), 9);
  await events(s, pending.runId, TO_PUSHED('9'.repeat(40)), 8.5);
  await s.gates(pending.runId, 1);
  await s.prRequest(pending.runId, HOSTILE_PR_TITLE, '9'.repeat(40), 0.6);
}

/**
 * Creates a real SQLite store in `dir` (`<dir>/agentpr.db`, migrated by `openStore`) and fills it through the store
 * API with the events the real system applies, on a fixed clock ({@link SEED_NOW}): runs in QUEUED, ITERATING,
 * LOCAL_VALIDATING, PUSHED (pending approval), CI_WAIT, NEEDS_HUMAN_REVIEW, DONE (merged) and SKIPPED over two
 * campaigns, agent attempts of both engines (codex, and claude on the iterating and hostile runs) with verdicts and
 * their report files under `<dir>/reports`, gate checks, a lease, PR
 * activity, webhook deliveries with the webhook's audit log, and two hostile runs ({@link HOSTILE}).
 *
 * @example
 * const seed = await seedDashboardStore(tempDir);
 * const dash = await openDashboardForTest(seed.dbPath);
 * await dash.app.request(`/runs/${seed.runIds.iterating}`);
 */
export async function seedDashboardStore(dir: string, options: SeedOptions = {}): Promise<SeededStore> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dbPath = join(dir, 'agentpr.db');
  const store = await openStore({ kind: 'sqlite', path: dbPath });
  const s = new Seeder(store.db, join(dir, 'reports'), options.now ?? SEED_NOW);
  const auditLogFile = join(dir, 'reports', 'github_webhook_audit.jsonl');
  try {
    const seeds = [seedMerged, seedSkipped, seedCiWait, seedIterating, seedNeedsHuman, seedAwaitingApproval, seedHostile, seedValidating, seedQueued];
    for (const seed of seeds) if (seed !== seedHostile || options.hostile !== false) await seed(s);
    await seedWebhook(s.db, (h) => s.clock(h), auditLogFile);
    const bulk = options.bulkRuns ?? 0;
    if (bulk > 0) {
      const runs = Array.from({ length: bulk }, (_, i) => newRun(`run_bulk_${String(i + 1).padStart(5, '0')}`, 'bulk-org', `repo-${i % 50}`, null));
      await createRuns(s.db, runs, s.clock(200));
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return { dbPath, dataDir: dir, runIds: SEED_RUN_IDS, auditLogFile, db: store.db, close: () => store.close() };
}

/** Options of {@link openDashboardForTest}. */
export interface OpenDashboardOptions {
  /** `AGENTPR_DASHBOARD_TOKEN`; default none (loopback). */
  token?: string;
  /** Default 50 ms, so live tests are quick. */
  livePollMs?: number;
  /** The dashboard's clock; default {@link SEED_NOW}. */
  clock?: Clock;
  /** The app's environment; default `{ GITHUB_TOKEN: SEED_SECRET }` (the redactor then knows the secret). */
  env?: Record<string, string | undefined>;
  /** The data dir; default the database's directory. */
  dataDir?: string;
}

/** A dashboard over a read-only store: its dependencies, the hono app for `app.request(...)`, and how to close it. */
export interface TestDashboard {
  deps: DashboardDeps;
  app: ReturnType<typeof createDashboardApp>;
  close(): Promise<void>;
}

/**
 * The read-only `AppContext` an app builds (`createAppPorts` over a store from `openReadOnlyStore`), with no GitHub
 * client (the dashboard reads only the store), and the dashboard's dependencies over it.
 */
export async function openTestDeps(dbPath: string, opts: OpenDashboardOptions = {}): Promise<{ deps: DashboardDeps; close(): Promise<void> }> {
  const store = await openReadOnlyStore({ kind: 'sqlite', path: dbPath });
  const env = opts.env ?? { GITHUB_TOKEN: SEED_SECRET };
  const clock = opts.clock ?? (() => new Date(SEED_NOW));
  const redactor = createSecretRedactor(env);
  const paths = dataDirPaths(opts.dataDir ?? dirname(dbPath));
  const app: AppContext = {
    ...createAppPorts(env, { clock, redactor, log: silentLogger, overrides: { github: { client: () => Promise.resolve(undefined) } } }),
    db: store.db,
    dialect: store.dialect,
    clock,
    paths,
    env,
    log: silentLogger,
    redactor,
    actor: 'operator',
  };
  return { deps: dashboardDeps(app), close: () => store.close() };
}

/**
 * Opens the dashboard over a seeded store the way the service does (read-only store, `dashboardDeps`), as a hono
 * app every page test can call with `app.request('/runs/…')`.
 */
export async function openDashboardForTest(dbPath: string, opts: OpenDashboardOptions = {}): Promise<TestDashboard> {
  const { deps, close } = await openTestDeps(dbPath, opts);
  const app = createDashboardApp(deps, { token: opts.token, livePollMs: opts.livePollMs ?? 50 });
  return { deps, app, close };
}
