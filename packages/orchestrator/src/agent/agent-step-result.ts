import type { Classification, DiffSummary, Grade } from '@agentpr/runtime-analysis';
import type { EngineChoice, EngineName, IsolationLevel, NetworkMode } from '@agentpr/policy';
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
  /** The coding-agent CLI that ran the attempt. */
  engine: EngineName;
  /** Why that engine: `flag`, `repo_stage`, `repo`, `stage` or `default`. */
  engineSource: EngineChoice['source'];
  /** The model agentpr asked the engine for, or null for the engine's default. */
  model: string | null;
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

/** A step's pass/fail view: passed, or not with a one-line reason. */
export type AgentStepOutcome = { ok: true } | { ok: false; error: string };

/** The one-line reason a converged step did not pass. */
function convergedError(r: ConvergedAgentStep): string {
  if (r.agentExit !== 0) return r.stderr.split('\n').filter((l) => l.trim()).at(-1) ?? `the agent exited ${r.agentExit}`;
  return r.classification.reason_code;
}

/**
 * A step's outcome for callers that only need pass/fail (the manager): `ok` when the step passed, else `error`,
 * one line. Apps render the full {@link RunAgentStepResult} themselves.
 *
 * @example
 * const outcome = agentStepOutcome(await runAgentStep(ctx, { runId, promptFile }));
 * if (!outcome.ok) log.warn(outcome.error);
 */
export function agentStepOutcome(result: RunAgentStepResult): AgentStepOutcome {
  if (result.kind === 'refused') return { ok: false, error: result.message };
  return agentStepPassed(result) ? { ok: true } : { ok: false, error: convergedError(result) };
}
