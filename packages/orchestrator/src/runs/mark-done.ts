import { TARGET_RULES, type RunEvent, type RunState } from '@agentpr/state-machine';
import { mergeEvidence, requireRun, type Db, type MergeEvidence } from '@agentpr/store';
import { AgentprError } from '../errors.js';

/** Why the store knows of no merged PR for a run (one clause), or null when it records a merge. */
export function missingMerge(evidence: MergeEvidence): string | null {
  if (evidence.mergedPr !== null) return null;
  if (!evidence.pushed) return 'it was never pushed';
  if (evidence.prNumber === null) return 'no PR is linked to it';
  return `PR #${evidence.prNumber} is not merged as far as agentpr knows`;
}

const MARK_DONE_FROM: readonly RunState[] = (() => {
  const rule = TARGET_RULES['command.mark.done'];
  return rule && rule.from !== 'table' ? rule.from : [];
})();

/**
 * The event `mark-done` applies (issue 15): a run the store knows no merged PR of — never pushed, no PR linked,
 * or its PR not merged — is refused with one line naming `--force`; with `force` the event says it was forced
 * and why. A run in a state mark-done does not apply to gets the state machine's refusal instead, as before.
 */
export async function markDoneEvent(db: Db, runId: string, force: boolean, actor: RunEvent['actor']): Promise<Extract<RunEvent, { type: 'command.mark.done' }>> {
  const { state } = await requireRun(db, runId);
  if (!MARK_DONE_FROM.includes(state.current_state)) return { type: 'command.mark.done', actor };
  const evidence = await mergeEvidence(db, runId);
  const why = missingMerge(evidence);
  if (why === null) return { type: 'command.mark.done', actor };
  if (!force) {
    const check = evidence.prNumber !== null ? ` (agentpr sync-github --run-id ${runId} asks GitHub)` : '';
    throw new AgentprError('refused', `run ${runId} has no merged PR: ${why}${check}. Pass --force to mark it DONE anyway.`, {
      details: { state: state.current_state, pr_number: evidence.prNumber, pushed: evidence.pushed },
    });
  }
  return { type: 'command.mark.done', forced: true, why, actor };
}
