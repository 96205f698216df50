import {
  acquireLease,
  candidateRankNow,
  expireLeases,
  getManagerRun,
  iso,
  managerCandidates,
  releaseLease,
  renewLease,
  saveManagerRun,
  type Candidate,
  type CandidateFilter,
  type ManagerRunRow,
} from '@agentpr/store';
import { prFollowupForTick } from '../citizenship/pr-followup-tick.js';
import type { PrSweepSummary } from '../citizenship/pr-followup-types.js';
import type { AppContext } from '../context.js';
import {
  autoContract,
  escalate,
  markPlanReady,
  retryRun,
  startDiscovery,
  startImplementation,
  type ActionDetail,
  type ActionOutcome,
  type ManagerActions,
} from './actions.js';
import type { Awaiting } from './awaiting.js';
import { decide, type Decision } from './decide.js';
import { gatherFacts, runFingerprint } from './gather-facts.js';

/** The shortest run lease a tick takes, and the default (`TickOptions.leaseTtlMs`). */
const MIN_LEASE_TTL_MS = 1000;
const DEFAULT_LEASE_TTL_MS = 60_000;
const DEFAULT_FOREIGN_GRACE_MS = 600_000;

/** Options of one manager tick (CLI flags and policy values). */
export interface TickOptions {
  runId?: string | undefined;
  limit: number;
  maxActionsPerRun: number;
  dryRun: boolean;
  hasPrompt: boolean;
  /** Effective skills mode for a repository (CLI flag > policy). */
  skillsMode(owner: string, repo: string): 'off' | 'agentpr';
  maxRetriesPerRun: number;
  /** Time limit of every action except the agent step. */
  actionTimeoutMs: number;
  /** Time limit of an agent step (resolved max_agent_seconds + 120 s). */
  agentTimeoutMs(owner: string, repo: string): number;
  syncIntervalMs: number;
  /** Backoff after the first failure; doubles per consecutive failure, capped at one hour. */
  backoffBaseMs: number;
  /** Runs worked in parallel within this process (each needs its own lease). */
  concurrency: number;
  contractTemplateFile?: string | undefined;
  disableAutoContract?: boolean;
  holder: string;
  /**
   * This host's id (`resolveHostId`): candidate runs whose workspace is on this host come first, then runs no host
   * holds, then other hosts' runs (fewer workspace rebuilds). A tick that worked on its own or unplaced runs leaves
   * other hosts' runs to them until its next tick; an idle tick takes them. Nothing is pinned to a host.
   */
  hostId?: string | undefined;
  /**
   * With `hostId`: another host's run unchanged for this long ranks with the runs no host holds, so a dead host's
   * runs never wait behind this host's own work for long (default 10 minutes).
   */
  foreignGraceMs?: number | undefined;
  /**
   * Length of the run lease; a heartbeat renews it every third of that while the run is worked, so a killed
   * worker's lease expires within this time and another worker picks the run up (default 60 s).
   */
  leaseTtlMs?: number;
  /**
   * Whether the manager writes the PR request of a PUSHED run without a PR (default true). `drive` turns it off: it
   * writes the request itself and prints the confirm token to its caller.
   */
  autoRequestPr?: boolean;
  /**
   * Whether the tick ends with one PR follow-up sweep (`sweepPrActivity`: maintainer responses, merges, closes and
   * the campaign's stale follow-up), bounded to a few PRs; default true. Never for a one-run tick (`runId`).
   */
  prFollowup?: boolean;
  /** Aborted on shutdown: no new run or action is started. */
  signal: AbortSignal;
  /**
   * Aborted when running actions must stop (after the shutdown grace period); an interrupted agent step is
   * recorded as RETRYABLE. Defaults to `signal` (stop at once).
   */
  actionSignal?: AbortSignal;
}

/** One recorded action of a run in a tick. */
export interface ActionRecord {
  state: string;
  action: string;
  reason: string;
  result?: 'no_execution' | 'planned' | 'loop_guard_break' | 'unchanged_inputs' | 'backoff' | 'leased_elsewhere' | 'shutdown';
  /** Whether an executed action succeeded. */
  ok?: boolean;
  /** The error code and one-line message of a failed action. */
  error_code?: string;
  error?: string;
  /** What the executed action did. */
  detail?: ActionDetail;
  /** On `wait_human`: the human action awaited and its exact command (issue 15). */
  awaiting?: Awaiting;
}

/** The per-run result of a tick. */
export interface RunTickResult {
  ok: boolean;
  run_id: string;
  owner: string;
  repo: string;
  state: string;
  actions_executed: ActionRecord[];
  actions: ActionRecord[];
  errors: string[];
}

/** The tick report plus `expired_leases`. */
export interface TickReport {
  ok: boolean;
  tick_started_at: string;
  tick_finished_at: string;
  run_count: number;
  progressed_count: number;
  waiting_count: number;
  failed_count: number;
  expired_leases: number;
  results: RunTickResult[];
  /**
   * Other hosts' runs this tick left to them because it had work of its own (with `TickOptions.hostId`); present
   * when there were any.
   */
  deferred_count?: number;
  /** What the tick's PR follow-up sweep did; present when it looked at a PR or failed. Its failures never fail the tick. */
  pr_followup?: PrSweepSummary;
}

/** How {@link candidateRuns} prefers this host's runs: its host id and the grace after which a foreign run counts as unplaced. */
export interface HostAffinity {
  hostId: string;
  foreignGraceMs?: number | undefined;
}

/**
 * Runs that may need work now, least recently updated first: workable states only, not in backoff, and
 * GitHub-waiting runs only when their sync is due (see `managerCandidates` in the store). With `affinity`, this
 * host's runs first, then unplaced runs, then other hosts' runs (one unchanged for the grace period with the
 * unplaced), each with its rank.
 */
export async function candidateRuns(ctx: AppContext, limit: number, syncIntervalMs: number, affinity?: HostAffinity): Promise<Candidate[]> {
  const now = ctx.clock().getTime();
  return managerCandidates(ctx.db, { now: iso(new Date(now)), syncCutoff: iso(new Date(now - syncIntervalMs)), limit, ...placement(now, affinity) });
}

/** The store's placement filter for `affinity` at `now` (empty without one). */
function placement(now: number, affinity: HostAffinity | undefined): Pick<CandidateFilter, 'hostId' | 'foreignStaleCutoff'> {
  if (!affinity) return {};
  return { hostId: affinity.hostId, foreignStaleCutoff: iso(new Date(now - (affinity.foreignGraceMs ?? DEFAULT_FOREIGN_GRACE_MS))) };
}

function withTimeout(ms: number, parent: AbortSignal, fn: (signal: AbortSignal) => Promise<ActionOutcome>): Promise<ActionOutcome> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ActionOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('action time limit'));
      resolve({ kind: 'failed', code: 'timeout', error: `action exceeded its time limit of ${Math.round(ms / 1000)} s` });
    }, ms);
  });
  return Promise.race([fn(controller.signal), timeout]).finally(() => {
    clearTimeout(timer);
    parent.removeEventListener('abort', onAbort);
  });
}

async function execute(
  ctx: AppContext,
  decision: Decision,
  run: { runId: string; owner: string; repo: string },
  actions: ManagerActions,
  options: TickOptions,
): Promise<ActionOutcome> {
  const { runId, owner, repo } = run;
  const limit = options.actionTimeoutMs;
  switch (decision.action) {
    case 'start_discovery':
      return startDiscovery(ctx, runId);
    case 'start_implementation':
      return startImplementation(ctx, runId);
    case 'run_prepare':
      return withTimeout(limit, options.actionSignal ?? options.signal, (s) => actions.runPrepare(ctx, runId, s));
    case 'run_agent_step':
      return withTimeout(options.agentTimeoutMs(owner, repo), options.actionSignal ?? options.signal, (s) => actions.runAgentStep(ctx, runId, s));
    case 'run_finish':
      return withTimeout(limit, options.actionSignal ?? options.signal, (s) => actions.runFinish(ctx, runId, s));
    case 'sync_github':
      return withTimeout(limit, options.actionSignal ?? options.signal, (s) => actions.syncGithub(ctx, runId, s));
    case 'request_pr':
      return withTimeout(limit, options.actionSignal ?? options.signal, (s) => actions.requestPr(ctx, runId, s));
    case 'retry':
      return retryRun(ctx, runId, decision.target!);
    case 'escalate':
      return escalate(ctx, runId, decision.reason);
    case 'mark_plan_ready': {
      if (decision.contractUri) return markPlanReady(ctx, runId, decision.contractUri);
      if (options.disableAutoContract) {
        const error = 'the run has no contract and the auto contract is disabled (--disable-auto-contract)';
        return { kind: 'failed', code: 'refused', error };
      }
      return markPlanReady(ctx, runId, await autoContract(ctx, runId, options.contractTemplateFile));
    }
    case 'contract_from_last_message': {
      const contract = await actions.contractFromLastMessage(ctx, runId);
      if (contract.kind === 'ready') return markPlanReady(ctx, runId, contract.path);
      if (contract.kind === 'skip') return retryRun(ctx, runId, 'SKIPPED');
      return escalate(ctx, runId, `contract needs review: ${contract.reason}`);
    }
    case 'noop':
    case 'wait_human':
      throw new Error(`${decision.action} is not executable`);
  }
}

function executedRecord(record: ActionRecord, outcome: ActionOutcome): ActionRecord {
  if (outcome.kind === 'done') return { ...record, ok: true, detail: outcome.detail };
  return { ...record, ok: false, error_code: outcome.code, error: outcome.error, ...(outcome.detail ? { detail: outcome.detail } : {}) };
}

function backoffMs(base: number, failures: number): number {
  return Math.min(3_600_000, base * 2 ** Math.max(0, failures - 1));
}

async function tickRun(outer: AppContext, runId: string, actions: ManagerActions, options: TickOptions): Promise<RunTickResult> {
  const ctx: AppContext = { ...outer, leaseHolder: options.holder };
  const result: RunTickResult = { ok: true, run_id: runId, owner: '', repo: '', state: '', actions_executed: [], actions: [], errors: [] };
  const leaseTtl = Math.max(MIN_LEASE_TTL_MS, options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
  const lease = options.dryRun ? { acquired: true as const } : await acquireLease(ctx.db, runId, options.holder, leaseTtl, ctx.clock);
  if (!lease.acquired) {
    result.actions.push({ state: '', action: 'noop', reason: `leased by ${lease.holder} until ${lease.expiresAt}`, result: 'leased_elsewhere' });
    return result;
  }
  const renew = () => void renewLease(ctx.db, runId, options.holder, leaseTtl, ctx.clock).catch(() => {});
  // Renewed every third of the lease: two renewals can fail before another worker may take the run.
  const heartbeat = options.dryRun ? undefined : setInterval(renew, Math.floor(leaseTtl / 3));
  try {
    const seen = new Set<string>();
    let memory: ManagerRunRow | undefined = await getManagerRun(ctx.db, runId);
    while (result.actions_executed.length < options.maxActionsPerRun) {
      if (options.signal.aborted) {
        result.actions.push({ state: result.state, action: 'noop', reason: 'shutting down', result: 'shutdown' });
        break;
      }
      const inputs = { skillsMode: 'off' as const, hasPrompt: options.hasPrompt, syncIntervalMs: options.syncIntervalMs, autoRequestPr: options.autoRequestPr ?? true };
      const facts = await gatherFacts(ctx, runId, inputs);
      facts.skillsMode = options.skillsMode(facts.owner, facts.repo);
      result.owner = facts.owner;
      result.repo = facts.repo;
      result.state = facts.state;
      if (facts.state === 'LOCAL_VALIDATING') facts.prePush = await actions.prePushCheck(ctx, runId);
      const decision = decide(facts, options.maxRetriesPerRun);
      const record: ActionRecord = { state: facts.state, action: decision.action, reason: decision.reason };
      if (decision.awaiting) record.awaiting = decision.awaiting;
      const key = `${facts.state}:${decision.action}`;
      if (seen.has(key)) {
        result.actions.push({ ...record, result: 'loop_guard_break' });
        break;
      }
      seen.add(key);
      if (decision.action === 'noop' || decision.action === 'wait_human') {
        result.actions.push({ ...record, result: 'no_execution' });
        break;
      }
      if (options.dryRun) {
        result.actions.push({ ...record, result: 'planned' });
        break;
      }
      const fingerprint = await runFingerprint(ctx, runId);
      if (memory && memory.consecutive_failures > 0 && memory.last_action === decision.action && memory.last_fingerprint === fingerprint) {
        result.actions.push({ ...record, result: 'unchanged_inputs' });
        break;
      }
      await renewLease(ctx.db, runId, options.holder, leaseTtl, ctx.clock);
      const outcome = await execute(ctx, decision, { runId, owner: facts.owner, repo: facts.repo }, actions, options);
      const ok = outcome.kind === 'done';
      const executed = executedRecord(record, outcome);
      result.actions.push(executed);
      result.actions_executed.push(executed);
      const failures = ok ? 0 : (memory?.consecutive_failures ?? 0) + 1;
      const now = ctx.clock();
      memory = {
        run_id: runId,
        last_action: decision.action,
        last_fingerprint: fingerprint,
        consecutive_failures: failures,
        next_attempt_at: ok ? null : iso(new Date(now.getTime() + backoffMs(options.backoffBaseMs, failures))),
        last_sync_at: decision.action === 'sync_github' ? iso(now) : (memory?.last_sync_at ?? null),
        updated_at: iso(now),
      };
      await saveManagerRun(ctx.db, memory);
      if (outcome.kind === 'failed') {
        result.errors.push(outcome.error);
        break;
      }
    }
  } catch (error) {
    result.errors.push(`unexpected error: ${(error as Error).message}`);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    if (!options.dryRun) await releaseLease(ctx.db, runId, options.holder).catch(() => {});
  }
  result.ok = result.errors.length === 0;
  return result;
}

/**
 * One manager pass: expire stale leases, pick the runs that may need work
 * (fairly, oldest-updated first; with `hostId`, this host's runs first and other hosts' only when idle), and for each take its lease, decide and execute up to
 * `maxActionsPerRun` actions in process, then release. An exception in one run never stops the tick.
 */
export async function managerTick(ctx: AppContext, actions: ManagerActions, options: TickOptions): Promise<TickReport> {
  const started = iso(ctx.clock());
  const expired = options.dryRun ? 0 : await expireLeases(ctx.db, ctx.clock);
  const affinity = options.hostId ? { hostId: options.hostId, foreignGraceMs: options.foreignGraceMs } : undefined;
  const candidates = options.runId ? [{ runId: options.runId, rank: 0 as const }] : await candidateRuns(ctx, options.limit, options.syncIntervalMs, affinity);
  const results: RunTickResult[] = new Array(candidates.length);
  let next = 0;
  let workedHere = false;
  let deferred = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, candidates.length)) }, async () => {
    while (next < candidates.length && !options.signal.aborted) {
      const i = next++;
      const { runId } = candidates[i]!;
      // Read again: another host may have prepared or taken the run since the list was read.
      const rank = affinity ? await candidateRankNow(ctx.db, runId, placement(ctx.clock().getTime(), affinity)) : candidates[i]!.rank;
      // Its own host will likely take it next tick, without a rebuild; an idle host takes it now.
      if (rank === 2 && workedHere) {
        deferred++;
        continue;
      }
      results[i] = await tickRun(ctx, runId, actions, options).catch((error: unknown) => ({
        ok: false,
        run_id: runId,
        owner: '',
        repo: '',
        state: '',
        actions_executed: [],
        actions: [],
        errors: [`unexpected error: ${(error as Error).message}`],
      }));
      if (rank < 2 && results[i]!.actions_executed.length > 0) workedHere = true;
    }
  });
  await Promise.all(workers);
  const done = results.filter(Boolean);
  const failed = done.filter((r) => !r.ok).length;
  const progressed = done.filter((r) => r.actions_executed.length > 0).length;
  const followup = options.runId || options.prFollowup === false || options.signal.aborted ? undefined : await prFollowupForTick(ctx, options);
  return {
    ok: failed === 0,
    tick_started_at: started,
    tick_finished_at: iso(ctx.clock()),
    run_count: done.length,
    progressed_count: progressed,
    waiting_count: done.length - progressed,
    failed_count: failed,
    expired_leases: expired,
    results: done,
    ...(deferred > 0 ? { deferred_count: deferred } : {}),
    ...(followup ? { pr_followup: followup } : {}),
  };
}
