import { operatorTargets, PIPELINE_RANK, type RunState } from '@agentpr/state-machine';
import { awaitingApproval, awaitingGate, awaitingPrompt, awaitingRequest, awaitingResume, awaitingReview, type Awaiting, type PendingRequest } from './awaiting.js';

/** Manager action kinds. */
export type ManagerActionKind =
  | 'noop'
  | 'wait_human'
  | 'start_discovery'
  | 'run_prepare'
  | 'mark_plan_ready'
  | 'contract_from_last_message'
  | 'start_implementation'
  | 'run_agent_step'
  | 'run_finish'
  | 'request_pr'
  | 'retry'
  | 'sync_github'
  | 'escalate';

/** What the manager knows about a run when it decides (gathered from the store by `gatherFacts`). */
export interface RunFacts {
  runId: string;
  state: RunState;
  lastActiveState: RunState | null;
  /** Prepare attempts of the run; `latestOk` is null when there is none. */
  prepare: { attempts: number; latestOk: boolean | null; latestId: number | null };
  /** URI of the latest contract artefact. */
  contractUri: string | null;
  skillsMode: 'off' | 'agentpr';
  hasPrompt: boolean;
  /** The latest agent attempt in DISCOVERY after the latest successful prepare passed. */
  discoveryAgentPassed: boolean;
  /** Result of the pre-push DoD check (only for LOCAL_VALIDATING). */
  prePush?: { ok: boolean; failed: string[] } | undefined;
  /** Retries the manager issued since the last operator/bot command, and the step failures in a row. */
  budget: { managerRetries: number; stepFailuresInARow: Partial<Record<StepKey, number>> };
  /** Whether a GitHub sync is due (last sync older than the policy interval). */
  syncDue: boolean;
  /** The run's `last_error` (what an escalation said). */
  lastError: string | null;
  /** The run's PR, as the PUSHED decision needs it. */
  pr: PrFacts;
}

/** What the manager knows of a run's PR and PR request. */
export interface PrFacts {
  /** The PR linked to the run, unless the store knows it was closed. */
  openNumber: number | null;
  /** The newest request bound to the pushed head, or null when there is none. */
  request: (PendingRequest & { consumed: boolean }) | null;
  /** Whether the manager writes the PR request itself (off under `drive`, which writes its own). */
  autoRequest: boolean;
  /** A PR-request gate that holds the run now (a PR limit, the schedule window), and until when; absent or null when none does. */
  held?: HeldGate | null;
}

/** A gate's `held` verdict on a PR request that still holds: the manager asks again only after `until`. */
export interface HeldGate {
  gate: string;
  reasonCode: string | null;
  message: string;
  /** When to ask again (ISO 8601): the verdict's frees_at, or a re-check time when nobody can tell. */
  until: string;
}

/** Steps whose failures count against the retry budget. */
export type StepKey = 'prepare' | 'agent' | 'finish' | 'github_sync';

/** A decision: the action, why, the retry target where it applies, and for `wait_human` what the human is to do. */
export interface Decision {
  action: ManagerActionKind;
  reason: string;
  target?: RunState;
  contractUri?: string;
  /** Set on every `wait_human`: the awaited action and its exact command. */
  awaiting?: Awaiting;
}

const STEP_OF: Partial<Record<ManagerActionKind, StepKey>> = {
  run_prepare: 'prepare',
  run_agent_step: 'agent',
  run_finish: 'finish',
  sync_github: 'github_sync',
};

/** Where a retry from FAILED_RETRYABLE should go. */
export function retryTarget(facts: RunFacts): RunState {
  const allowed: RunState[] = ['DISCOVERY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'];
  if (facts.lastActiveState && allowed.includes(facts.lastActiveState)) return facts.lastActiveState;
  if (!facts.prepare.latestOk || !facts.contractUri) return 'DISCOVERY';
  return 'IMPLEMENTING';
}

function missingPrompt(facts: RunFacts): Decision {
  return { action: 'wait_human', reason: 'the manager prompt file is missing', awaiting: awaitingPrompt(facts.runId) };
}

/**
 * The retry target a human is offered for an escalated run: the stage it left when retry accepts it, else the latest
 * stage retry accepts (IMPLEMENTING when nothing is known).
 */
function humanRetryTarget(facts: RunFacts): RunState {
  const targets = operatorTargets({ state: facts.state, lastError: facts.lastError, lastActiveState: facts.lastActiveState }, 'retry');
  if (facts.lastActiveState && targets.includes(facts.lastActiveState)) return facts.lastActiveState;
  const ranked = targets.filter((t) => PIPELINE_RANK[t] !== undefined).sort((a, b) => PIPELINE_RANK[b]! - PIPELINE_RANK[a]!);
  return ranked[0] ?? 'IMPLEMENTING';
}

/**
 * PUSHED (issue 15): with an open PR the run waits on GitHub (sync links the pushed head and the run goes to
 * CI_WAIT); without one the manager writes the PR request once per pushed head, then waits for its approval. A gate
 * that held the last request (a PR limit, the schedule window) makes it wait until the limit frees, naming it, instead
 * of asking every tick.
 */
function pushed(facts: RunFacts): Decision {
  const { openNumber, request, autoRequest } = facts.pr;
  if (openNumber !== null) {
    return facts.syncDue
      ? { action: 'sync_github', reason: `PR #${openNumber} is open: sync links the pushed head and waits on CI` }
      : { action: 'noop', reason: `synced recently; waiting for GitHub to show the pushed head on PR #${openNumber}` };
  }
  if (request && !request.consumed) {
    const reason = request.expired ? 'the PR request of the pushed head expired' : 'the PR request of the pushed head waits for approval';
    return { action: 'wait_human', reason, awaiting: awaitingApproval(facts.runId, request) };
  }
  if (request) {
    const why = 'the PR request of the pushed head was approved, but no open PR is linked';
    return { action: 'wait_human', reason: why, awaiting: awaitingRequest(facts.runId, why) };
  }
  if (!autoRequest) return { action: 'wait_human', reason: 'pushed; the PR request is written by a human', awaiting: awaitingRequest(facts.runId, 'pushed') };
  const held = facts.pr.held;
  if (held) return { action: 'noop', reason: `held by the ${held.gate} gate (${held.reasonCode ?? 'held'}) until ${held.until}: ${held.message}` };
  return { action: 'request_pr', reason: 'pushed without a PR: prepare the PR request (rendered title and body, DoD snapshot)' };
}

function base(facts: RunFacts): Decision {
  switch (facts.state) {
    case 'DONE':
    case 'SKIPPED':
    case 'FAILED_TERMINAL':
      return { action: 'noop', reason: 'run is terminal' };
    case 'PAUSED':
      return { action: 'wait_human', reason: 'run is paused', awaiting: awaitingResume(facts.runId) };
    case 'PUSHED':
      return pushed(facts);
    case 'NEEDS_HUMAN_REVIEW':
      return {
        action: 'wait_human',
        reason: 'escalated to human review',
        awaiting: awaitingGate(facts.runId, facts.lastError, facts.lastActiveState) ?? awaitingReview(facts.runId, humanRetryTarget(facts), facts.lastError),
      };
    case 'QUEUED':
      return { action: 'start_discovery', reason: 'a queued run enters discovery' };
    case 'DISCOVERY':
      if (!facts.prepare.latestOk) return { action: 'run_prepare', reason: facts.prepare.attempts ? 'the latest prepare failed' : 'prepare has not run' };
      if (facts.contractUri) return { action: 'mark_plan_ready', reason: 'a contract exists', contractUri: facts.contractUri };
      if (facts.skillsMode === 'agentpr') {
        if (facts.discoveryAgentPassed) return { action: 'contract_from_last_message', reason: 'the contract stage passed; read its contract' };
        return facts.hasPrompt ? { action: 'run_agent_step', reason: 'the contract stage needs the worker' } : missingPrompt(facts);
      }
      return { action: 'mark_plan_ready', reason: 'bootstrap contract (skills mode off)' };
    case 'PLAN_READY':
      return { action: 'start_implementation', reason: 'plan is ready' };
    case 'IMPLEMENTING':
    case 'ITERATING':
      return facts.hasPrompt ? { action: 'run_agent_step', reason: 'implementation needs the worker' } : missingPrompt(facts);
    case 'LOCAL_VALIDATING':
      if (facts.prePush?.ok) return { action: 'run_finish', reason: 'commit and push the validated change' };
      return { action: 'escalate', reason: `pre-push DoD check failed: ${(facts.prePush?.failed ?? ['no digest']).slice(0, 4).join('; ')}` };
    case 'FAILED_RETRYABLE':
      return { action: 'retry', reason: 'retry the failed stage', target: retryTarget(facts) };
    case 'CI_WAIT':
    case 'REVIEW_WAIT':
      return facts.syncDue
        ? { action: 'sync_github', reason: 'CI/review waiting states sync with GitHub' }
        : { action: 'noop', reason: 'synced recently; waiting for GitHub' };
  }
}

/**
 * The next action for a run: never advances after a failed step, and escalates
 * instead of acting when the retry budget is spent: too many manager retries since the last human
 * command, or the step behind the action failed that many times in a row.
 */
export function decide(facts: RunFacts, maxRetriesPerRun: number): Decision {
  const decision = base(facts);
  if (decision.action === 'retry' && facts.budget.managerRetries >= maxRetriesPerRun) {
    return { action: 'escalate', reason: `retry budget exhausted (${facts.budget.managerRetries}/${maxRetriesPerRun} manager retries since the last human command)` };
  }
  const step = STEP_OF[decision.action];
  const failures = step ? (facts.budget.stepFailuresInARow[step] ?? 0) : 0;
  if (step && maxRetriesPerRun >= 0 && failures >= Math.max(1, maxRetriesPerRun) && failures > 0) {
    return { action: 'escalate', reason: `step ${step} failed ${failures} times in a row` };
  }
  return decision;
}
