import type { Classification, DiffSummary, Grade } from '@agentpr/runtime-analysis';
import type { IsolationLevel, NetworkMode } from '@agentpr/policy';
import type { RunState } from '@agentpr/state-machine';
import type { ProtectedChange } from '@agentpr/workspace';
import type { RunPreflightResult } from '../workspace/run-preflight.js';

/** Where a PASS / RETRYABLE / HUMAN_REVIEW verdict moves the run. */
export type ConvergenceTarget = 'LOCAL_VALIDATING' | 'NEEDS_HUMAN_REVIEW' | 'FAILED_RETRYABLE' | 'UNCHANGED';

/** The three files every judged attempt leaves in the reports directory. */
export interface AgentStepReports {
  /** `<run>_agent_runtime_<stamp>.json`. */
  report: string;
  /** `<run>_run_digest_<stamp>.json`. */
  digest: string;
  /** `<run>_manager_insight_<stamp>.md`. */
  insight: string;
}

/** The agent ran (or could not start) and was judged; the run converged on the verdict's target. */
export interface ConvergedAgentStep {
  kind: 'converged';
  verdict: Grade;
  classification: Classification;
  /** The agent process's own exit status (124 timed out, 130 interrupted, 127 not started). */
  agentExit: number;
  /** The state the verdict asked for (UNCHANGED: no transition). */
  target: ConvergenceTarget;
  /** The run's state after the step. */
  state: RunState;
  /** The agent's stderr, trimmed to its last 2000 characters. */
  stderr: string;
  /** The last 20 lines of the agent's stdout. */
  stdoutTail: string;
  /** The confinement the agent ran under (`unconfined` network under isolation none) and how many accesses it denied. */
  sandbox: { isolation: IsolationLevel; network: NetworkMode | 'unconfined'; denied: number };
  warnings: string[];
  reports: AgentStepReports;
  /** The retained event stream, or null when it was not kept. */
  eventStream: string | null;
  lastMessage: string | null;
}

interface RefusalBase {
  kind: 'refused';
  /** One line: what was refused and why. */
  message: string;
  /** The run's state after the refusal was recorded. */
  state: RunState;
}

/** The step refused to run the agent (or to judge it); the refusal is recorded on the run. */
export type RefusedAgentStep =
  | (RefusalBase & { reason: 'workspace_missing' | 'workspace_unsafe' })
  | (RefusalBase & { reason: 'protected_file_changed'; protectedChanges: ProtectedChange[] })
  | (RefusalBase & { reason: 'dirty_workspace_before_agent'; diff: DiffSummary })
  | (RefusalBase & { reason: 'skills_missing'; missingRequired: string[]; skillsRoot: string; nextCommand: string })
  | (RefusalBase & { reason: 'preflight_failed'; preflight: RunPreflightResult['report']; classification: Classification; reports: AgentStepReports });

/**
 * What one run-agent-step did. Expected failures before anything is recorded (bad flags, a run in the wrong
 * state, a busy workspace, an ungranted agent push) throw an `AgentprError` instead.
 */
export type RunAgentStepResult = ConvergedAgentStep | RefusedAgentStep;

/** Whether a converged step passed: the agent exited 0 and the verdict is PASS. */
export function agentStepPassed(result: ConvergedAgentStep): boolean {
  return result.agentExit === 0 && result.verdict === 'PASS';
}

/** The JSON object the CLI prints for a converged step (SPEC §4.11). */
function convergedSummary(r: ConvergedAgentStep): Record<string, unknown> {
  const c = r.classification;
  return {
    ok: agentStepPassed(r),
    engine: 'codex',
    exit_code: r.agentExit,
    state: r.state,
    ...(r.agentExit !== 0 ? { stderr: r.stderr } : { stdout_tail: r.stdoutTail }),
    classification: { grade: c.grade, reason_code: c.reason_code, next_action: c.next_action, evidence: c.evidence },
    sandbox: r.sandbox,
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
    agent_report: r.reports.report,
    agent_event_stream: r.eventStream,
    agent_last_message: r.lastMessage,
    run_digest: r.reports.digest,
    manager_insight: r.reports.insight,
  };
}

/** The JSON object the CLI prints for a refusal. */
function refusedSummary(r: RefusedAgentStep): Record<string, unknown> {
  const base = { ok: false, error: r.message, state: r.state };
  switch (r.reason) {
    case 'workspace_missing':
    case 'workspace_unsafe':
      return base;
    case 'protected_file_changed':
      return { ...base, protected_changes: r.protectedChanges };
    case 'dirty_workspace_before_agent':
      return { ...base, diff: r.diff };
    case 'skills_missing':
      return { ok: false, error: r.message, missing_required: r.missingRequired, skills_root: r.skillsRoot, state: r.state, next_command: r.nextCommand };
    case 'preflight_failed':
      return {
        ...base,
        preflight: r.preflight,
        classification: r.classification,
        agent_report: r.reports.report,
        run_digest: r.reports.digest,
        manager_insight: r.reports.insight,
      };
  }
}

/** The one-line reason a converged step did not pass. */
function convergedError(r: ConvergedAgentStep): string {
  if (r.agentExit !== 0) return r.stderr.split('\n').filter((l) => l.trim()).at(-1) ?? `the agent exited ${r.agentExit}`;
  return r.classification.reason_code;
}

/**
 * A step's outcome for callers that only need pass/fail: `ok` (the step passed), `error` (one line, when it did
 * not) and `summary` (the JSON object `agentpr run-agent-step` prints, for reports).
 *
 * @example
 * const { ok, error } = agentStepOutcome(await runAgentStep(ctx, { runId, promptFile }));
 */
export function agentStepOutcome(result: RunAgentStepResult): { ok: boolean; error?: string; summary: Record<string, unknown> } {
  if (result.kind === 'refused') return { ok: false, error: result.message, summary: refusedSummary(result) };
  const ok = agentStepPassed(result);
  return { ok, ...(ok ? {} : { error: convergedError(result) }), summary: convergedSummary(result) };
}
