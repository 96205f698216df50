import type { RunState } from '@agentpr/state-machine';

/** The colour family of a badge; the text always names the state too, so colour is never the only signal. */
export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'human' | 'idle';

/** The tone of each run state: green done, blue moving, purple waiting for a person, amber parked, red failed. */
export function stateTone(state: RunState): Tone {
  switch (state) {
    case 'DONE':
      return 'ok';
    case 'DISCOVERY':
    case 'PLAN_READY':
    case 'IMPLEMENTING':
    case 'LOCAL_VALIDATING':
    case 'PUSHED':
    case 'CI_WAIT':
    case 'REVIEW_WAIT':
    case 'ITERATING':
      return 'info';
    case 'NEEDS_HUMAN_REVIEW':
      return 'human';
    case 'PAUSED':
    case 'FAILED_RETRYABLE':
      return 'warn';
    case 'FAILED_TERMINAL':
      return 'bad';
    case 'QUEUED':
    case 'SKIPPED':
      return 'idle';
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** Props of {@link StateBadge}. */
export interface StateBadgeProps {
  /** A run state; a string that is not one (old data) shows as a neutral badge. */
  state: RunState | string;
}

const KNOWN: ReadonlySet<string> = new Set<RunState>([
  'QUEUED', 'DISCOVERY', 'PLAN_READY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'PUSHED', 'CI_WAIT', 'REVIEW_WAIT', 'ITERATING',
  'PAUSED', 'DONE', 'SKIPPED', 'NEEDS_HUMAN_REVIEW', 'FAILED_RETRYABLE', 'FAILED_TERMINAL',
]);

/** A run state as a badge: its name as text, coloured by {@link stateTone}. */
export function StateBadge({ state }: StateBadgeProps) {
  const tone: Tone = KNOWN.has(state) ? stateTone(state as RunState) : 'idle';
  return <span class={`badge tone-${tone}`}>{state.slice(0, 40)}</span>;
}
