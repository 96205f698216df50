import { transitionPairs } from './resolve-event.js';
import { HOLD_STATES, TERMINAL_STATES } from './states.js';

/**
 * The transition table as a Mermaid `stateDiagram-v2`. The merged-PR edge (any non-terminal state → DONE)
 * is drawn as a note rather than fourteen edges; each hold state gets a note that only a human command leaves it.
 */
export function renderMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> QUEUED'];
  for (const [from, to] of transitionPairs()) lines.push(`  ${from} --> ${to}`);
  for (const state of TERMINAL_STATES) lines.push(`  ${state} --> [*]`);
  lines.push('  note right of DONE: a merged PR moves any non-terminal run to DONE');
  for (const state of HOLD_STATES) lines.push(`  note left of ${state}: checks, reviews and unmerged closes are held, only a human command or a merge moves the run`);
  return lines.join('\n');
}
