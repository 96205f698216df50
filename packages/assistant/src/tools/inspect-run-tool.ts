import * as v from 'valibot';
import { inspectRun, type InspectRunResult } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import { defineTool } from './define-tool.js';
import { reportCall } from './report-call.js';
import { runIdArg } from './tool-args.js';
import { clip, requireRun } from './tool-data.js';

type Doc = Record<string, unknown> | null;

const str = (value: unknown, max = 300): string | null => (typeof value === 'string' ? clip(value, max) : null);
const texts = (value: unknown, n: number, max = 200): Array<string | null> => (Array.isArray(value) ? value.slice(0, n).map((x) => str(x, max)) : []);

/** The latest runtime report's verdict: grade, reason, next action, test evidence and the agent's last words (cut). */
function verdict(report: Doc) {
  if (!report) return null;
  return {
    grade: str(report.grade, 40),
    reason_code: str(report.reason_code, 80),
    next_action: str(report.next_action, 80),
    at: str(report.created_at, 40),
    attempt_no: report.attempt_no ?? null,
    test_command_count: report.test_command_count,
    failed_test_commands: texts(report.failed_test_commands, 5),
    agent_last_message: str(report.last_message_preview),
    evidence: Array.isArray(report.evidence) ? report.evidence.slice(0, 8) : [],
  };
}

function digest(doc: Doc) {
  if (!doc) return null;
  return {
    grade: str(doc.grade, 40),
    reason_code: str(doc.reason_code, 80),
    state_before: str(doc.state_before, 40),
    state_after: str(doc.state_after, 40),
    recommended_action: str(doc.recommended_action),
    top_step: str(doc.top_step, 40),
    at: str(doc.generated_at, 40),
  };
}

function timing(t: InspectRunResult['timing']) {
  return {
    run_wall_clock: formatDuration(t.run_wall_clock_ms),
    total_step_time: formatDuration(t.total_step_duration_ms),
    step_attempts: t.step_attempt_count,
    slowest_steps: t.step_totals.slice(0, 5).map((s) => ({
      step: s.step,
      attempts: s.attempts,
      total: formatDuration(s.total_duration_ms),
      share_pct: s.share_of_total_pct,
    })),
  };
}

/** The judged attempts, newest first: the reason codes the run collected. */
function verdicts(attempts: InspectRunResult['timing']['attempts']) {
  return attempts
    .filter((a) => typeof a.grade === 'string')
    .slice(-8)
    .reverse()
    .map((a) => ({ step: a.step, attempt_no: a.attempt_no, grade: a.grade, reason_code: a.reason_code, at: a.created_at }));
}

/** `inspect_run`: one run's diagnosis from `inspectRun` (`agentpr inspect-run`), cut to what a person reads. */
export const inspectRunTool = defineTool({
  name: 'inspect_run',
  description:
    "Diagnose one run: its state, the commands it accepts next, the latest verdict on the agent's work (grade, reason code, failed tests, " +
    "the agent's last message), the run digest, the manager's insight, GitHub's latest CI verdict, the reason codes of its attempts and where the time went.",
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ run_id: runIdArg }),
  async run(ctx, input) {
    await requireRun(ctx, input.run_id);
    const r = await reportCall(() => inspectRun(ctx, { runId: input.run_id, attemptLimit: 120, eventLimit: 8, commandLimit: 5 }));
    const ci = r.latest_ci;
    return {
      data: {
        run_id: input.run_id,
        repo: `${String(r.run.owner)}/${String(r.run.repo)}`,
        state: r.state,
        pr_number: r.run.pr_number ?? null,
        allowed_targets: r.allowed_targets,
        next_commands: r.recommended_actions.slice(0, 5),
        latest_verdict: verdict(r.latest_agent_runtime),
        attempt_verdicts: verdicts(r.timing.attempts),
        digest: digest(r.latest_run_digest),
        manager_insight: r.latest_manager_insight ? clip(r.latest_manager_insight.preview) : null,
        latest_ci: ci
          ? { conclusion: ci.conclusion, red: ci.red, pr_number: ci.pr_number, failing_checks: ci.failing_checks?.slice(0, 10) ?? null, at: ci.at }
          : null,
        timing: timing(r.timing),
        recent_events: r.events.items.map((e) => ({ type: e.event_type, at: e.created_at })),
        warnings: r.warnings.slice(0, 5).map((w) => clip(w)),
      },
      summary: `${input.run_id} is ${r.state}${r.latest_agent_runtime ? `; latest verdict ${String(r.latest_agent_runtime.grade)} ${String(r.latest_agent_runtime.reason_code)}` : ''}`,
    };
  },
});
