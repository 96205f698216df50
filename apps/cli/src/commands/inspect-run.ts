import type { AppContext } from '@agentpr/orchestrator';
import { nextCommands, placementLines } from '@agentpr/orchestrator/views';
import type { InspectRunResult } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { flag, int, requireStr } from '../values.js';
import { count, usageLines } from './show-run.js';

/** The newest agent attempts inspect-run's text lists. */
const AGENT_ATTEMPT_ROWS = 10;

/** The state's next commands, refined at PUSHED by the run's PR and PR request (issue 15). */
async function refinedNextCommands(app: AppContext, runId: string, view: InspectRunResult): Promise<string[]> {
  if (view.state !== 'PUSHED') return view.recommended_actions;
  const { linkedOpenPr, prRequestForHead, pushedHead } = await import('@agentpr/store');
  const head = await pushedHead(app.db, runId);
  const request = head ? await prRequestForHead(app.db, runId, head) : undefined;
  const pending = request && request.consumed_at === null && Date.parse(request.expires_at) > app.clock().getTime() ? request.request_file : null;
  return nextCommands({ runId, state: view.state, openPr: await linkedOpenPr(app.db, runId), pendingRequestFile: pending }, view.recommended_actions);
}

/** The CI line of inspect-run's text: `CI: failure on abc1234 — failing: lint, test`, or the green verdict. */
export function ciLine(ci: NonNullable<InspectRunResult['latest_ci']>): string {
  const head = ci.head_sha ? ` on ${ci.head_sha.slice(0, 7)}` : '';
  if (!ci.red) return `CI: ${ci.conclusion}${head}`;
  return `CI: ${ci.conclusion}${head} — failing: ${ci.failing_checks ? ci.failing_checks.join(', ') : '(check names not recorded)'}`;
}

/**
 * The table of the run's newest agent attempts (oldest of them first): step and number, engine and model, verdict,
 * time and tokens. Empty when the run has no agent attempt.
 */
export function agentAttemptsTable(attempts: InspectRunResult['timing']['attempts'], max = AGENT_ATTEMPT_ROWS): string {
  const agent = attempts.filter((a) => a.step === 'agent' || typeof a.engine_label === 'string').slice(-max);
  if (agent.length === 0) return '';
  const tokens = (a: Record<string, unknown>) => (typeof a.input_tokens === 'number' && typeof a.output_tokens === 'number' ? count(a.input_tokens + a.output_tokens) : '-');
  return table(
    ['AGENT ATTEMPT', 'ENGINE', 'VERDICT', 'TIME', 'TOKENS'],
    agent.map((a) => [
      `${clip(String(a.step), 40)} ${String(a.attempt_no)}`,
      clip(typeof a.engine_label === 'string' ? a.engine_label : 'unknown engine', 120),
      a.grade ? clip(`${String(a.grade)} ${String(a.reason_code ?? '')}`, 80).trimEnd() : `exit ${String(a.exit_code)}`,
      formatDuration(typeof a.duration_ms === 'number' ? a.duration_ms : null),
      tokens(a),
    ]),
  );
}

/** `agentpr inspect-run`: one run's state, next commands, timing, tokens and cost, gate verdicts, events and latest reports. */
export const command: CommandSpec = {
  name: 'inspect-run',
  summary: 'Inspect a run: state, accepted next commands, step timing, tokens and cost, gate verdicts, events and its latest runtime verdict.',
  example: 'agentpr inspect-run --run-id run_45f3cbdcdc56 --include-log-tails',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    'attempt-limit': { type: 'string', value: 'N', description: 'attempts examined (default 120)' },
    'event-limit': { type: 'string', value: 'N', description: 'events listed (default 60)' },
    'command-limit': { type: 'string', value: 'N', description: 'commands listed from the latest runtime report (default 20)' },
    'include-log-tails': { type: 'boolean', description: 'add the last 20 lines of stdout/stderr to each attempt' },
  },
  async run(ctx, values) {
    const { inspectRun, gateVerdictLines } = await import('@agentpr/reports');
    const app = await ctx.app();
    const runId = requireStr(values, 'run-id');
    const view = await inspectRun(app, {
      runId,
      attemptLimit: int(values, 'attempt-limit', { min: 1, default: 120 })!,
      eventLimit: int(values, 'event-limit', { min: 1, default: 60 })!,
      commandLimit: int(values, 'command-limit', { min: 1, default: 20 })!,
      includeLogTails: flag(values, 'include-log-tails'),
    });
    const { runPlacement } = await import('@agentpr/orchestrator');
    const { requireRun } = await import('@agentpr/store');
    const placement = await runPlacement(app, await requireRun(app.db, runId));
    const v = { ...view, recommended_actions: await refinedNextCommands(app, runId, view), placement };
    const rt = v.latest_agent_runtime;
    const agentAttempts = agentAttemptsTable(v.timing.attempts);
    const text = [
      `${v.run.run_id}  ${v.run.owner}/${v.run.repo}  ${v.state}${v.run.pr_number ? `  PR #${v.run.pr_number}` : ''}${v.run.linked_issue ? `  issue #${v.run.linked_issue}` : ''}`,
      ...placementLines(placement),
      '',
      'next:',
      ...(v.recommended_actions.length ? v.recommended_actions.map((a) => `  ${a}`) : ['  (none: the run is finished)']),
      ...(v.warnings.length ? ['', ...v.warnings.map((w) => `warning: ${w}`)] : []),
      '',
      v.timing.step_totals.length
        ? table(
          ['STEP', 'ATTEMPTS', 'TOTAL', 'AVG', 'P90', 'SHARE %', 'LAST EXIT'],
          v.timing.step_totals.map((t) => [
            t.step,
            String(t.attempts),
            formatDuration(t.total_duration_ms),
            formatDuration(t.avg_duration_ms),
            formatDuration(t.p90_duration_ms),
            String(t.share_of_total_pct),
            String(t.last_exit_code ?? '-'),
          ]),
        )
        : 'no step attempts yet',
      `time: ${formatDuration(v.timing.run_wall_clock_ms)} from creation to the last change, ${formatDuration(v.timing.total_step_duration_ms)} in steps`,
      ...usageLines(v.usage, v.usage_by_engine),
      ...(agentAttempts ? ['', agentAttempts] : []),
      '',
      ...(v.gates.length ? ['gates (latest verdict each):', ...gateVerdictLines(v.gates), ''] : []),
      rt ? `latest agent attempt: ${rt.grade} ${rt.reason_code} (exit ${rt.exit_code ?? '-'}, ${rt.test_command_count} test commands, ${rt.failed_test_command_count} failing) — ${rt.report_path}` : 'no agent runtime report yet',
      ...(v.latest_ci ? [ciLine(v.latest_ci)] : []),
      ...(v.latest_run_digest ? [`latest digest: ${v.latest_run_digest.grade} ${v.latest_run_digest.reason_code} → ${v.latest_run_digest.recommended_action} — ${v.latest_run_digest.path}`] : []),
      '',
      `events (${v.events.count}, oldest first):`,
      ...v.events.items.slice(-10).map((e) => `  ${e.created_at}  ${e.event_type}  ${clip(JSON.stringify(e.payload), 80)}`),
    ].join('\n');
    return { output: v, text };
  },
};
