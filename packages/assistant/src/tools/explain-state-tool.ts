import * as v from 'valibot';
import { recommendedActions } from '@agentpr/reports';
import { canTransition, isTerminal, TARGET_RULES, TRANSITIONS, type EventType, type RunState, type TargetRule } from '@agentpr/state-machine';
import { defineTool } from './define-tool.js';
import { STATE_NOTES } from './state-notes.js';
import { stateArg } from './tool-args.js';

/** Whether a command event with this rule moves a run out of `state`. */
function leaves(rule: TargetRule, state: RunState): boolean {
  if (rule.to === state || isTerminal(state)) return false;
  if (rule.from === 'table') return canTransition(state, rule.to) && !(rule.never ?? []).includes(state);
  return rule.from.includes(state);
}

/** The events with a fixed target (operator commands and worker reports) that move a run out of `state`, from the state machine's rules. */
function eventsOut(state: RunState): string[] {
  return (Object.entries(TARGET_RULES) as Array<[EventType, TargetRule]>).filter(([, rule]) => leaves(rule, state)).map(([type, rule]) => `${type} → ${rule.to}`);
}

/** The assistant's own write tools that apply in `state` (each still needs a human's confirmation). */
function assistantActions(state: RunState): string[] {
  if (isTerminal(state)) return [];
  const out: string[] = [];
  if (canTransition(state, 'PAUSED')) out.push('pause_run');
  if (state === 'PAUSED') out.push('resume_run');
  if (state === 'FAILED_RETRYABLE' || state === 'NEEDS_HUMAN_REVIEW') out.push('retry_run');
  if (state !== 'PAUSED' && state !== 'NEEDS_HUMAN_REVIEW') out.push('drive_run');
  return out;
}

/** `explain_state`: what a state means, what moves a run out of it, and the commands that apply. */
export const explainStateTool = defineTool({
  name: 'explain_state',
  description: 'Explain a run state: what it means, what moves a run out of it and to which states, and the operator commands that apply in it.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ state: v.pipe(stateArg, v.description('The state, upper-case, e.g. NEEDS_HUMAN_REVIEW.')) }),
  async run(_ctx, input) {
    const state = input.state;
    const note = STATE_NOTES[state];
    const next = [...TRANSITIONS[state]];
    return {
      data: {
        state,
        terminal: isTerminal(state),
        meaning: note.meaning,
        moves_on_when: note.moves_on_when,
        next_states: next,
        events_out: eventsOut(state),
        operator_commands: recommendedActions(state, '<run_id>', null),
        assistant_actions: assistantActions(state),
      },
      summary: `${state}: ${isTerminal(state) ? 'terminal' : `leads to ${next.length} states`}`,
    };
  },
});
