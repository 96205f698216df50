import type { RunState } from '@agentpr/state-machine';

/** Manager action kinds (SPEC §1.8). */
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
}

/** Steps whose failures count against the retry budget. */
export type StepKey = 'prepare' | 'agent' | 'finish' | 'github_sync';

/** A decision: the action, why, and the retry target where it applies. */
export interface Decision {
  action: ManagerActionKind;
  reason: string;
  target?: RunState;
  contractUri?: string;
}

const STEP_OF: Partial<Record<ManagerActionKind, StepKey>> = {
  run_prepare: 'prepare',
  run_agent_step: 'agent',
  run_finish: 'finish',
  sync_github: 'github_sync',
};

/** Where a retry from FAILED_RETRYABLE should go (SPEC §9.1). */
export function retryTarget(facts: RunFacts): RunState {
  const allowed: RunState[] = ['DISCOVERY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'];
  if (facts.lastActiveState && allowed.includes(facts.lastActiveState)) return facts.lastActiveState;
  if (!facts.prepare.latestOk || !facts.contractUri) return 'DISCOVERY';
  return 'IMPLEMENTING';
}

function base(facts: RunFacts): Decision {
  switch (facts.state) {
    case 'DONE':
    case 'SKIPPED':
    case 'FAILED_TERMINAL':
      return { action: 'noop', reason: 'run is terminal' };
    case 'PAUSED':
      return { action: 'wait_human', reason: 'run is paused' };
    case 'PUSHED':
      return { action: 'wait_human', reason: 'awaiting the PR gate decision; the manager never requests a PR' };
    case 'NEEDS_HUMAN_REVIEW':
      return { action: 'wait_human', reason: 'escalated to human review' };
    case 'QUEUED':
      return { action: 'start_discovery', reason: 'a queued run enters discovery' };
    case 'DISCOVERY':
      if (!facts.prepare.latestOk) return { action: 'run_prepare', reason: facts.prepare.attempts ? 'the latest prepare failed' : 'prepare has not run' };
      if (facts.contractUri) return { action: 'mark_plan_ready', reason: 'a contract exists', contractUri: facts.contractUri };
      if (facts.skillsMode === 'agentpr') {
        if (facts.discoveryAgentPassed) return { action: 'contract_from_last_message', reason: 'the contract stage passed; read its contract' };
        return facts.hasPrompt
          ? { action: 'run_agent_step', reason: 'the contract stage needs the worker' }
          : { action: 'wait_human', reason: 'the manager prompt file is missing' };
      }
      return { action: 'mark_plan_ready', reason: 'bootstrap contract (skills mode off)' };
    case 'PLAN_READY':
      return { action: 'start_implementation', reason: 'plan is ready' };
    case 'IMPLEMENTING':
    case 'ITERATING':
      return facts.hasPrompt
        ? { action: 'run_agent_step', reason: 'implementation needs the worker' }
        : { action: 'wait_human', reason: 'the manager prompt file is missing' };
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
 * The next action for a run (SPEC §9.1 with its fixes): never advances after a failed step, and escalates
 * instead of acting when the retry budget is spent (W47): too many manager retries since the last human
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
