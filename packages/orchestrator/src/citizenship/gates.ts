import { effectiveCampaignRules, loadPolicy } from '@agentpr/policy';
import { canTransition, type RunState } from '@agentpr/state-machine';
import { addAuditRecord, applyEvent, insertGateCheck, requireRun } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { policyError } from '../policy-error.js';
import { checkAiPolicy } from './ai-policy-gate.js';
import { checkDuplicates } from './duplicates-gate.js';
import { checkEtiquette } from './etiquette-gate.js';
import { githubReach } from './github-reach.js';
import type { GateName, GateOutcome, GatePhase, GateRequest, GateTarget, GateVerdict } from './gate-types.js';

/** Which gates run at which phase, in order (the cheapest and most decisive first). */
export const GATES_BY_PHASE: Readonly<Record<GatePhase, readonly GateName[]>> = {
  prepare: ['ai_policy', 'etiquette', 'duplicates'],
  pr_request: ['ai_policy', 'etiquette', 'duplicates'],
  pr_approve: ['etiquette'],
};

const CHECKS: Readonly<Record<GateName, (ctx: AppContext, target: GateTarget, request: GateRequest) => Promise<GateVerdict>>> = {
  ai_policy: checkAiPolicy,
  duplicates: checkDuplicates,
  etiquette: checkEtiquette,
};

/** What the gates decided for one run at one phase. */
export interface GatesReport {
  phase: GatePhase;
  /** Every verdict recorded, in the order the gates ran (they stop at the first that does not let the run go on). */
  verdicts: GateVerdict[];
  /** `pass` or `overridden` when the run may go on; else the outcome of the verdict that stopped it. */
  outcome: GateOutcome;
  /** The verdict that stopped the run (held, blocked or skip_run), or null. */
  stoppedBy: GateVerdict | null;
  /** The disclosure the PR body must carry, when a gate asked for one. */
  disclosure: string | null;
  /** The upstream issue the PR body must reference: the one a gate asked for, else the run's linked issue (link-issue), else null. */
  issueNumber: number | null;
  /** The run's state after the gates (SKIPPED after skip_run, NEEDS_HUMAN_REVIEW after blocked where it can move there). */
  state: RunState;
}

const GOES_ON: ReadonlySet<GateOutcome> = new Set<GateOutcome>(['pass', 'overridden']);

/**
 * Asks the gates of `request.phase` about a run, records each verdict in `run_gate_checks` (overrides also as an
 * audit record), and applies what the stopping verdict means: `skip_run` ends the run as SKIPPED
 * (`command.run.skip`), `blocked` moves it to NEEDS_HUMAN_REVIEW with the reason as `last_error` (where the table
 * allows), `held` leaves it as it is. The caller goes on only when `outcome` is `pass` or `overridden`.
 *
 * @example
 * const gates = await checkRunGates(ctx, { runId, phase: 'pr_request', allowDuplicate: false });
 * if (gates.stoppedBy) return refuse(gates.stoppedBy.message);
 */
export async function checkRunGates(ctx: AppContext, request: GateRequest): Promise<GatesReport> {
  const { run, state } = await requireRun(ctx.db, request.runId);
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const rules = effectiveCampaignRules(loaded.policy, { campaign: run.campaign, owner: run.owner, repo: run.repo });
  const notOnGitHub = await githubReach(ctx, run, request.upstreamUrl, loaded.policy.offline);
  const target: GateTarget = { run, rules, github: await ctx.github.client(), now: ctx.clock(), notOnGitHub };
  const verdicts: GateVerdict[] = [];
  let stoppedBy: GateVerdict | null = null;
  for (const gate of GATES_BY_PHASE[request.phase]) {
    const verdict = await CHECKS[gate](ctx, target, request);
    verdicts.push(verdict);
    const override = verdict.outcome === 'overridden';
    await insertGateCheck(
      ctx.db,
      {
        runId: run.run_id,
        gate: verdict.gate,
        phase: request.phase,
        outcome: verdict.outcome,
        reasonCode: verdict.reasonCode,
        message: verdict.message,
        detail: { ...verdict.detail, ...(verdict.freesAt ? { frees_at: verdict.freesAt } : {}) },
        override,
        actor: ctx.actor,
      },
      ctx.clock,
    );
    if (override) {
      await addAuditRecord(ctx.db, { kind: `gate_override:${verdict.gate}`, runId: run.run_id, actor: ctx.actor, detail: { phase: request.phase, reason_code: verdict.reasonCode, message: verdict.message, ...verdict.detail } }, ctx.clock);
    }
    if (!GOES_ON.has(verdict.outcome)) {
      stoppedBy = verdict;
      break;
    }
  }
  let current: RunState = state.current_state;
  if (stoppedBy?.outcome === 'skip_run') {
    const applied = await applyEvent(ctx.db, run.run_id, { event: { type: 'command.run.skip', reason_code: stoppedBy.reasonCode ?? stoppedBy.gate, message: stoppedBy.message, actor: ctx.actor } }, ctx.clock);
    current = applied.state;
  } else if (stoppedBy?.outcome === 'blocked' && canTransition(current, 'NEEDS_HUMAN_REVIEW')) {
    // Where the table has no move to NEEDS_HUMAN_REVIEW (QUEUED), the verdict alone stops the caller.
    const error = `gate:${stoppedBy.gate}:${stoppedBy.reasonCode ?? 'blocked'}:${stoppedBy.message}`;
    const applied = await applyEvent(ctx.db, run.run_id, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error, actor: 'worker' } }, ctx.clock);
    current = applied.state;
  }
  const prBodies = verdicts.map((v) => v.prBody).filter((b) => b !== undefined);
  return {
    phase: request.phase,
    verdicts,
    outcome: stoppedBy?.outcome ?? (verdicts.some((v) => v.outcome === 'overridden') ? 'overridden' : 'pass'),
    stoppedBy,
    disclosure: prBodies.map((b) => b.disclosure ?? null).find((d) => d) ?? null,
    issueNumber: prBodies.map((b) => b.issueNumber ?? null).find((n) => n !== null) ?? run.linked_issue ?? null,
    state: current,
  };
}
