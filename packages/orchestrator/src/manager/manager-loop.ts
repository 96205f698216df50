import { existsSync } from 'node:fs';
import { effectivePolicy, loadPolicy, type ManagerPolicy } from '@agentpr/policy';
import { getRun, leaseHolder, linkedOpenPr, resolveHostId } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { policyError } from '../policy-error.js';
import { requestOpenPr, type RequestOpenPrResult } from '../pr-gate/request-open-pr.js';
import type { ManagerActions } from './actions.js';
import { awaitingLine } from './awaiting.js';
import { managerTick, type TickOptions, type TickReport } from './manager-tick.js';

/** Manager flags shared by manager-tick, run-manager-loop and drive. */
export interface ManagerFlags {
  runId?: string | undefined;
  limit?: number | undefined;
  maxActionsPerRun?: number | undefined;
  dryRun?: boolean;
  promptFile?: string | undefined;
  skillsMode?: string | undefined;
  contractTemplateFile?: string | undefined;
  disableAutoContract?: boolean;
  concurrency?: number | undefined;
  /** Backoff after the first failure, in seconds (default 30). */
  backoffSec?: number | undefined;
  /** How often a run waiting on GitHub is synced, in seconds (default 120). */
  syncIntervalSec?: number | undefined;
  /** Run lease length in seconds, renewed by a heartbeat while a run is worked (default 60). */
  leaseTtlSec?: number | undefined;
  /** Whether each tick ends with the PR follow-up sweep (maintainer responses, closes, the stale follow-up); default true. */
  prFollowup?: boolean | undefined;
}

/** Resolves the tick options from the flags and the manager policy (CLI flag > repo override > policy > default). */
export async function tickOptions(ctx: AppContext, flags: ManagerFlags, signal: AbortSignal): Promise<TickOptions> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const policy: ManagerPolicy = loaded.policy;
  if (flags.skillsMode !== undefined && flags.skillsMode !== 'off' && flags.skillsMode !== 'agentpr') {
    throw new AgentprError('usage', `--skills-mode must be off or agentpr, got ${JSON.stringify(flags.skillsMode)}`);
  }
  const manager = policy.manager;
  return {
    runId: flags.runId,
    limit: flags.limit ?? 20,
    maxActionsPerRun: flags.maxActionsPerRun ?? 4,
    dryRun: flags.dryRun ?? false,
    hasPrompt: !!flags.promptFile && existsSync(flags.promptFile),
    skillsMode: (owner, repo) => (flags.skillsMode as 'off' | 'agentpr' | undefined) ?? effectivePolicy(policy, owner, repo).skills_mode,
    maxRetriesPerRun: manager.max_retries_per_run ?? 3,
    actionTimeoutMs: (manager.action_timeout_sec ?? 1800) * 1000,
    agentTimeoutMs: (owner, repo) => {
      const seconds = effectivePolicy(policy, owner, repo).max_agent_seconds;
      return (seconds > 0 ? seconds : 24 * 3600) * 1000 + 120_000;
    },
    syncIntervalMs: (flags.syncIntervalSec ?? 120) * 1000,
    backoffBaseMs: (flags.backoffSec ?? 30) * 1000,
    concurrency: Math.max(1, flags.concurrency ?? 1),
    contractTemplateFile: flags.contractTemplateFile,
    disableAutoContract: flags.disableAutoContract ?? false,
    // The operator's AGENTPR_HOST_ID as the app saw it, never this process's own environment.
    holder: leaseHolder('manager', ctx.env),
    hostId: resolveHostId(ctx.env),
    leaseTtlMs: (flags.leaseTtlSec ?? 60) * 1000,
    prFollowup: flags.prFollowup ?? true,
    signal,
  };
}

/** Options of {@link runManagerLoop}. */
export interface LoopOptions {
  intervalSec: number;
  maxLoops?: number | undefined;
  signal: AbortSignal;
  onTick(report: TickReport): void;
}

/** Waits `ms` or until `signal` aborts; the abort listener goes either way (a loop sleeps once per tick). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * run-manager-loop: tick, report, sleep, until stopped or `maxLoops`. An exception inside a tick
 * is reported as a failed tick and never stops the loop. Returns whether every tick was ok.
 */
export async function runManagerLoop(
  ctx: AppContext,
  actions: ManagerActions,
  options: TickOptions,
  loop: LoopOptions,
): Promise<{ ok: boolean; ticks: number }> {
  let ticks = 0;
  let ok = true;
  while (!loop.signal.aborted && (loop.maxLoops === undefined || ticks < loop.maxLoops)) {
    let report: TickReport;
    try {
      report = await managerTick(ctx, actions, options);
    } catch (error) {
      const now = ctx.clock().toISOString();
      report = { ok: false, tick_started_at: now, tick_finished_at: now, run_count: 0, progressed_count: 0, waiting_count: 0, failed_count: 1, expired_leases: 0, results: [{ ok: false, run_id: '', owner: '', repo: '', state: '', actions: [], actions_executed: [], errors: [`tick failed: ${(error as Error).message}`] }] };
    }
    ticks++;
    ok &&= report.ok;
    loop.onTick(report);
    if (loop.maxLoops !== undefined && ticks >= loop.maxLoops) break;
    await sleep(Math.max(1, loop.intervalSec) * 1000, loop.signal);
  }
  return { ok, ticks };
}

/** The outcome of {@link drive}. */
export interface DriveResult {
  ok: boolean;
  run_id: string;
  state: string;
  ticks: number;
  /** Why driving stopped: the human gate the run waits at, a failure, or the tick limit. */
  stopped_because: string;
  pr_request?: RequestOpenPrResult;
  reports: TickReport[];
}

/**
 * drive: runs manager ticks for one run in the foreground until it waits for a human; when it reaches
 * PUSHED without an open PR it writes the PR-open request (its ticks leave that to it), its text rendered from the campaign template unless `prTitle` /
 * `prBodyFile` give it (the human still approves it with the confirm token).
 */
export async function drive(
  ctx: AppContext,
  actions: ManagerActions,
  options: TickOptions,
  input: { runId: string; maxTicks?: number; prTitle?: string | undefined; prBodyFile?: string | undefined; onTick?: (r: TickReport) => void },
): Promise<DriveResult> {
  if (!(await getRun(ctx.db, input.runId))) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
  const reports: TickReport[] = [];
  const maxTicks = input.maxTicks ?? 25;
  let stopped = 'tick limit reached';
  for (let i = 0; i < maxTicks && !options.signal.aborted; i++) {
    // drive writes the PR request itself below, to hand its confirm token to the caller.
    const report = await managerTick(ctx, actions, { ...options, runId: input.runId, backoffBaseMs: 0, autoRequestPr: false });
    reports.push(report);
    input.onTick?.(report);
    const result = report.results[0];
    const last = result?.actions.at(-1);
    if (!result || result.actions_executed.length === 0) {
      stopped = last ? `${last.action}: ${last.reason}${last.awaiting ? `; ${awaitingLine(last.awaiting)}` : ''}` : 'nothing to do';
      break;
    }
    if (!result.ok) {
      const state = (await getRun(ctx.db, input.runId))!.state.current_state;
      if (state === 'NEEDS_HUMAN_REVIEW' || state === 'PAUSED') {
        stopped = `${state}: ${result.errors[0] ?? 'needs a human'}`;
        break;
      }
    }
  }
  const run = (await getRun(ctx.db, input.runId))!;
  let prRequest: RequestOpenPrResult | undefined;
  if (run.state.current_state === 'PUSHED' && !options.dryRun && (await linkedOpenPr(ctx.db, input.runId)) === null) {
    // Title and body not given are rendered from the campaign template with the run's content (issue 15).
    prRequest = await requestOpenPr(ctx, { runId: input.runId, title: input.prTitle, bodyFile: input.prBodyFile });
    // A gate that stopped the request (a limit, a duplicate, the repository's policy) is why driving stopped.
    stopped = prRequest.kind === 'gated' ? `${prRequest.state}: ${prRequest.message}` : 'PUSHED: the PR request waits for a human to approve it with the confirm token';
  }
  const state = prRequest?.kind === 'gated' ? prRequest.state : run.state.current_state;
  return { ok: state !== 'NEEDS_HUMAN_REVIEW', run_id: input.runId, state, ticks: reports.length, stopped_because: stopped, ...(prRequest ? { pr_request: prRequest } : {}), reports };
}
