import { transitionPairs } from './resolve-event.js';
import { TERMINAL_STATES } from './states.js';

/**
 * The transition table as a Mermaid `stateDiagram-v2`. The merged-PR edge (any non-terminal state → DONE)
 * is drawn as a note rather than fourteen edges.
 */
export function renderMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> QUEUED'];
  for (const [from, to] of transitionPairs()) lines.push(`  ${from} --> ${to}`);
  for (const state of TERMINAL_STATES) lines.push(`  ${state} --> [*]`);
  lines.push('  note right of DONE: a merged PR moves any non-terminal run to DONE');
  return lines.join('\n');
}
