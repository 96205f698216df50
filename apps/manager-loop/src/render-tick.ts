import type { TickReport } from '@agentpr/orchestrator';

/** One line per run of a tick report, for terminals (the CLI's rendering). */
export function renderTick(report: Pick<TickReport, 'results'>): string {
  if (report.results.length === 0) return 'tick: no run needs work';
  return report.results
    .map((r) => {
      const steps = r.actions.map((a) => `${a.action}${a.result ? `(${a.result})` : a.ok === false ? '(failed)' : ''}`).join(' → ');
      return `${r.run_id} [${r.state}] ${steps}${r.errors.length ? `  error: ${r.errors[0]}` : ''}`;
    })
    .join('\n');
}
