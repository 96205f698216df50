import { awaitingLine, type TickReport } from '@agentpr/orchestrator';

/**
 * A tick report for terminals: one line per run (its state and the actions taken), and under a run that waits for a
 * human, what it waits for and the exact command (issue 15). The JSON report carries the same as `awaiting`.
 */
export function renderTick(report: Pick<TickReport, 'results'>): string {
  if (report.results.length === 0) return 'tick: no run needs work';
  return report.results
    .map((r) => {
      const steps = r.actions.map((a) => `${a.action}${a.result ? `(${a.result})` : a.ok === false ? '(failed)' : ''}`).join(' → ');
      const line = `${r.run_id} [${r.state}] ${steps}${r.errors.length ? `  error: ${r.errors[0]}` : ''}`;
      const awaiting = r.actions.at(-1)?.awaiting;
      return awaiting ? `${line}\n  waiting for a human: ${awaitingLine(awaiting)}` : line;
    })
    .join('\n');
}
