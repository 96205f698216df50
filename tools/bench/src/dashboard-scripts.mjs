// The runs of the dashboard benchmark that are written through the real store API: one template run per path a
// run takes through the state machine (each ends in the state its name says; the bench clones them 100k times), and
// the "big" run (~100 events, ~30 attempts, agent attempts with runtime reports). Events are applied with
// applyEvent as the use cases apply them, on a clock that advances a few minutes per step.
import { join, resolve } from 'node:path';
import { recordAgentAttempt, recordSteps } from './dashboard-reports.mjs';

const root = resolve(import.meta.dirname, '..', '..', '..');
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));

/** Placeholders in template rows that each clone replaces. */
export const TOKENS = { owner: 'tmplowner', repo: 'tmplrepo', campaign: 'tmplcampaign', pr: 987654 };
/** Where template runs start (their clones are shifted to their own creation time). */
export const TEMPLATE_T0 = Date.parse('2026-01-01T00:00:00.000Z');
/** The stdout tail a template's agent attempt keeps (cloned 100k times; the big run keeps the store's 64 KiB). */
const TEMPLATE_LOG_BYTES = 4 * 1024;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A run being written: its NewRun, a clock that only moves forward, and what its events did. */
class Script {
  constructor(db, reportsDir, run, start, logBytes) {
    this.db = db;
    this.logBytes = logBytes;
    this.reportsDir = reportsDir;
    this.run = run;
    this.t = start;
    this.applied = new Map(); // event_id → state after, for the to_state check
    this.heads = 0;
    this.head = null;
    this.attempts = 0;
  }

  clock(advanceMinutes = 5) {
    this.t += advanceMinutes * MINUTE;
    const at = new Date(this.t);
    return () => at;
  }

  async create() {
    await store.createRun(this.db, this.run, this.clock(0));
  }

  async ev(event, options = {}) {
    const r = await store.applyEvent(this.db, this.run.runId, { event, ...options }, this.clock(options.minutes ?? 5));
    if (r.event_id !== undefined && r.applied !== false && !r.duplicate) this.applied.set(r.event_id, r.state);
    return r;
  }

  steps(list) {
    return recordSteps(this.db, this.run.runId, this.clock(3), list);
  }

  /** An agent attempt whose real verdict is `want`, moving the run (by the events that follow) to `stateAfter`. */
  agent(stage, stateAfter, want) {
    const k = this.attempts++;
    return recordAgentAttempt(this.db, this.reportsDir, this.run, { stage, stateAfter, want, k, clock: this.clock(20), logBytes: this.logBytes });
  }

  async gates(phase = 'pr_request') {
    for (const gate of ['ai_policy', 'etiquette', 'duplicates']) {
      const detail = gate === 'ai_policy' ? { stance: 'allowed', quotes: [{ path: 'CONTRIBUTING.md', quote: 'AI-assisted contributions are welcome if disclosed.' }] } : {};
      await store.insertGateCheck(this.db, { runId: this.run.runId, gate, phase, outcome: 'pass', reasonCode: null, message: `${gate}: pass`, detail, override: false, actor: 'manager' }, this.clock(1));
    }
  }

  async push() {
    this.head = String(++this.heads % 10).repeat(40);
    await this.ev({ type: 'command.local.validation.passed', actor: 'worker' }, { minutes: 1 });
    await this.steps([['finish', 11_000]]);
    await this.ev({ type: 'worker.push.completed', branch: `agentpr/${this.run.runId}`, head_sha: this.head, actor: 'worker' });
  }

  async prRequest() {
    const created = this.clock(2)();
    await store.insertPrRequest(this.db, {
      run_id: this.run.runId,
      request_file: join(this.reportsDir, `${this.run.runId}_pr_open_request.json`),
      title: `chore: integrate ${this.run.repo} with the campaign's package`,
      body: 'What changed, how it was tested, and the AI disclosure.',
      base: 'main',
      head: `agentpr/${this.run.runId}`,
      head_owner: 'agentpr-bot',
      head_sha: this.head,
      draft: 0,
      confirm_token_sha256: 'e'.repeat(64),
      created_at: created.toISOString(),
      expires_at: new Date(created.getTime() + 4 * HOUR).toISOString(),
      consumed_at: null,
    });
  }

  async linkPr(actor = 'manager') {
    await this.ev({ type: 'command.pr.linked', pr_number: TOKENS.pr, actor });
  }

  async prOpened() {
    await this.steps([['pr_create', 2_500]]);
    await this.linkPr('operator');
    const openedAt = new Date(this.t).toISOString();
    const r = this.run;
    await store.recordPrOpened(this.db, { runId: r.runId, prNumber: TOKENS.pr, owner: r.owner, repo: r.repo, campaign: r.campaign, prUrl: `https://github.com/${r.owner}/${r.repo}/pull/${TOKENS.pr}`, openedAt }, this.clock(0));
  }

  check(conclusion, extra = {}) {
    const event = { type: 'github.check.completed', conclusion, pr_number: TOKENS.pr, head_sha: extra.head ?? this.head, actor: 'webhook', ...(extra.failing ? { failing_checks: extra.failing } : {}) };
    return this.ev(event, { idempotencyKey: `gh:check:${this.run.runId}:${this.t}`, minutes: extra.minutes ?? 25 });
  }
}

/** Up to PLAN_READY: prepare, discovery, the contract. */
async function toPlan(s) {
  await s.steps([['prepare', 31_000], ['preflight', 5_000]]);
  await s.ev({ type: 'command.start.discovery', actor: 'manager' });
  await s.ev({ type: 'worker.discovery.completed', contract_path: `/var/lib/agentpr/contracts/${s.run.runId}.md`, actor: 'worker' }, { minutes: 15 });
}

async function toImplementing(s) {
  await toPlan(s);
  await s.ev({ type: 'command.start.implementation', actor: 'manager' });
}

async function toPushed(s) {
  await toImplementing(s);
  await s.agent('IMPLEMENTING', 'LOCAL_VALIDATING', 'PASS');
  await s.push();
}

async function toCiWait(s) {
  await toPushed(s);
  await s.gates();
  await s.prOpened();
}

async function toReviewWait(s) {
  await toCiWait(s);
  await s.check('success');
}

/** Each template: its weight in the mix (percent of runs) and how it is written; it ends in the state of its name. */
export const TEMPLATES = [
  { name: 'QUEUED', weight: 14, write: async () => {} },
  { name: 'DISCOVERY', weight: 3, write: async (s) => { await s.steps([['prepare', 31_000]]); await s.ev({ type: 'command.start.discovery', actor: 'manager' }); } },
  { name: 'PLAN_READY', weight: 3, write: toPlan },
  { name: 'IMPLEMENTING', weight: 4, write: async (s) => { await toImplementing(s); await s.agent('IMPLEMENTING', 'IMPLEMENTING', 'RETRYABLE'); } },
  { name: 'LOCAL_VALIDATING', weight: 2, write: async (s) => { await toImplementing(s); await s.agent('IMPLEMENTING', 'LOCAL_VALIDATING', 'PASS'); await s.ev({ type: 'command.local.validation.passed', actor: 'worker' }); } },
  { name: 'PUSHED', weight: 3, write: async (s) => { await toPushed(s); await s.gates(); await s.prRequest(); } },
  { name: 'CI_WAIT', weight: 6, write: toCiWait },
  { name: 'REVIEW_WAIT', weight: 8, write: toReviewWait },
  {
    name: 'ITERATING',
    weight: 3,
    write: async (s) => {
      await toCiWait(s);
      await s.check('failure', { failing: ['lint', 'test (ubuntu-latest, node 20)'] });
      await s.agent('ITERATING', 'ITERATING', 'RETRYABLE');
    },
  },
  { name: 'PAUSED', weight: 2, write: async (s) => { await toImplementing(s); await s.agent('IMPLEMENTING', 'IMPLEMENTING', 'RETRYABLE'); await s.ev({ type: 'command.pause', actor: 'operator' }); } },
  {
    name: 'DONE',
    weight: 30,
    write: async (s) => {
      await toReviewWait(s);
      await s.ev({ type: 'github.review.submitted', state: 'approved', pr_number: TOKENS.pr, actor: 'webhook' }, { minutes: 300 });
      const key = { runId: s.run.runId, prNumber: TOKENS.pr };
      const at = new Date(s.t).toISOString();
      await store.notePrChecked(s.db, key, { firstResponseAt: at, lastMaintainerActivityAt: at, checkedAt: at }, s.clock(1));
      await store.markPrMerged(s.db, key, new Date(s.t).toISOString(), s.clock(0));
      await s.ev({ type: 'github.pull_request.closed', pr_number: TOKENS.pr, merged: true, actor: 'webhook' });
    },
  },
  {
    name: 'SKIPPED',
    weight: 5,
    write: async (s) => {
      const detail = { stance: 'forbidden', quotes: [{ path: 'CONTRIBUTING.md', quote: 'We do not accept AI-generated pull requests.' }] };
      await store.insertGateCheck(s.db, { runId: s.run.runId, gate: 'ai_policy', phase: 'prepare', outcome: 'skip_run', reasonCode: 'ai_policy_forbidden', message: 'the repository forbids AI contributions', detail, override: false, actor: 'manager' }, s.clock(1));
      await s.ev({ type: 'command.run.skip', reason_code: 'ai_policy_forbidden', message: 'the repository forbids AI contributions', actor: 'manager' });
    },
  },
  {
    name: 'NEEDS_HUMAN_REVIEW',
    weight: 8,
    write: async (s) => {
      await toImplementing(s);
      await s.agent('IMPLEMENTING', 'NEEDS_HUMAN_REVIEW', 'HUMAN_REVIEW');
      await s.ev({ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error: 'agent:missing_test_evidence:HUMAN_REVIEW', actor: 'worker' }, { minutes: 1 });
    },
  },
  {
    name: 'FAILED_RETRYABLE',
    weight: 5,
    write: async (s) => {
      await toImplementing(s);
      await s.agent('IMPLEMENTING', 'FAILED_RETRYABLE', 'RETRYABLE');
      await s.ev({ type: 'worker.step.failed', step: 'agent', reason_code: 'codex_agent_failed', error_message: 'codex exited 1: stream disconnected', actor: 'worker' }, { minutes: 1 });
    },
  },
  {
    name: 'FAILED_TERMINAL',
    weight: 2,
    write: async (s) => {
      await toImplementing(s);
      await s.ev({ type: 'timer.timeout', step: 'agent', actor: 'worker' }, { minutes: 60 });
      await s.ev({ type: 'command.retry', target_state: 'FAILED_TERMINAL', error: 'gave up after the retry budget', actor: 'operator' });
    },
  },
  {
    name: 'CLOSED_UNMERGED',
    state: 'NEEDS_HUMAN_REVIEW',
    weight: 2,
    write: async (s) => {
      await toReviewWait(s);
      await s.ev({ type: 'github.pull_request.closed', pr_number: TOKENS.pr, merged: false, actor: 'webhook' }, { minutes: 600 });
    },
  },
];

/** The template run id of a template (a valid run id; replaced in every clone). */
export const templateRunId = (name) => `tmplrun-${name.toLowerCase().replace(/_/g, '-')}`;

function newRun(runId, owner, repo, campaign) {
  return { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: { max_changed_files: 8 }, workspaceDir: `/var/lib/agentpr/workspaces/${owner}/${repo}/${runId}`, campaign };
}

/**
 * Writes every template run and checks it ended in its state. Returns, per template, its run id, its start time and
 * the `event_id → state` of its applied events (to check that the store wrote `to_state`).
 */
export async function writeTemplates(db, reportsDir) {
  const out = [];
  for (const t of TEMPLATES) {
    const runId = templateRunId(t.name);
    const s = new Script(db, reportsDir, newRun(runId, TOKENS.owner, TOKENS.repo, TOKENS.campaign), TEMPLATE_T0, TEMPLATE_LOG_BYTES);
    await s.create();
    await t.write(s);
    const got = await store.getRun(db, runId);
    const want = t.state ?? t.name;
    if (got.state.current_state !== want) throw new Error(`template ${t.name} ended in ${got.state.current_state}, not ${want}`);
    out.push({ ...t, runId, start: TEMPLATE_T0, applied: s.applied });
  }
  return out;
}

/** The big run: ~100 events, ~30 attempts (about half agent attempts with their reports), a PR, gates and a lease. */
export async function writeBigRun(db, reportsDir, { runId, owner, repo, campaign, start }) {
  const s = new Script(db, reportsDir, newRun(runId, owner, repo, campaign), start, 64 * 1024);
  await s.create();
  await toImplementing(s);
  for (let i = 0; i < 6; i++) {
    await s.agent('IMPLEMENTING', 'FAILED_RETRYABLE', i % 3 === 2 ? 'HUMAN_REVIEW' : 'RETRYABLE');
    await s.ev({ type: 'worker.step.failed', step: 'agent', reason_code: 'test_command_failed', error_message: `attempt ${i + 1}: 2 of 88 tests failed`, actor: 'worker' }, { minutes: 1 });
    await s.ev({ type: 'command.retry', target_state: 'IMPLEMENTING', actor: 'operator' }, { minutes: 30 });
  }
  await s.agent('IMPLEMENTING', 'LOCAL_VALIDATING', 'PASS');
  await s.push();
  await s.gates();
  await s.prOpened();
  for (let round = 0; round < 10; round++) {
    const old = s.head;
    await s.check('failure', { failing: ['lint', `test (node ${18 + (round % 3) * 2})`] });
    await s.agent('ITERATING', 'LOCAL_VALIDATING', round % 2 ? 'PASS' : 'RETRYABLE');
    await s.push();
    await s.linkPr('webhook');
    await s.check('failure', { head: old, failing: ['e2e'], minutes: 2 }); // a late check of the old head: stored, not applied
    await s.ev({ type: 'command.pause', actor: 'operator' }, { minutes: 10 });
    await s.ev({ type: 'command.resume', actor: 'operator' }, { minutes: 30 });
  }
  await s.check('success');
  for (let i = 0; i < 6; i++) await s.ev({ type: 'github.review.submitted', state: 'commented', pr_number: TOKENS.pr, actor: 'webhook' }, { minutes: 90 });
  await store.acquireLease(db, runId, 'manager-loop:bench-host:4242', 365 * 24 * HOUR, s.clock(1));
  return { runId, applied: s.applied };
}
