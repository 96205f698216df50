import { buildReportSignals, type ReportSafety, type ReportSignals } from './report-signals.js';
import type { WorkspaceIdentity } from './run-digest.js';
import type { StreamAnalysis } from './stream-analyzer.js';
import type { Classification, DiffSummary } from './types.js';

/** What the agent process did, as the runtime report records it. */
export interface AgentRunFacts {
  /** The agent process's exit status (124 timed out, 130 interrupted, 127 not started). */
  agentExit: number;
  durationMs: number;
  timedOut: boolean;
  interrupted: boolean;
}

/** Whether the attempt's event stream was kept, and why (the retention rule's decision). */
export interface StreamRetention {
  retained: boolean;
  reason: string;
}

/** Inputs of {@link buildRuntimeReport}. */
export interface RuntimeReportInput {
  runId: string;
  /** The engine that ran the attempt (`codex`, `claude`); default `codex` (reports written before there were two). */
  engine?: string;
  /** The agent process, or null when it never ran (the preflight failed). */
  agent: AgentRunFacts | null;
  /** The runtime and policy the attempt ran with, as the caller describes them (the report's `runtime` block). */
  runtime: Record<string, unknown>;
  workspace: WorkspaceIdentity | null;
  /** What confined the agent and what it was denied; null when it never ran. */
  sandbox: Record<string, unknown> | null;
  /** The repository preflight's report, or null when skipped. */
  preflight: unknown;
  analysis: StreamAnalysis | null;
  diff: DiffSummary | null;
  eventStream: StreamRetention;
  classification: Classification;
  now: Date;
}

/** The agent runtime report, the `<run>_agent_runtime_<stamp>.json` file: its keys are a file format. */
export interface RuntimeReport {
  run_id: string;
  created_at: string;
  engine: string;
  result: { exit_code: number | null; duration_ms: number; timed_out: boolean; interrupted: boolean };
  runtime: Record<string, unknown>;
  workspace: WorkspaceIdentity;
  sandbox: Record<string, unknown> | null;
  preflight: unknown;
  signals: ReportSignals | null;
  /** Without an analysis (the agent never ran) only the empty violation list. */
  safety: ReportSafety | Pick<ReportSafety, 'violations' | 'violation_count'>;
  classification: Classification;
}

/** The metadata stored with the runtime report's artefact, so listings need not open the file (a plain record). */
export type RuntimeReportMetadata = {
  exit_code: number | null;
  violations: number;
  grade: string;
  reason_code: string;
  next_action: string;
  parsed_event_count: number;
  command_event_count: number;
  event_stream_retained: boolean;
  event_stream_retention_reason: string;
};

/**
 * Builds the agent runtime report: the process result, the runtime and policy used, the workspace, the
 * sandbox, the signals and safety blocks of the analysis, and the verdict. Pure: the time is passed in.
 *
 * @example
 * const report = buildRuntimeReport({ runId, agent: { agentExit: 0, durationMs, timedOut: false, interrupted: false },
 *   runtime, workspace, sandbox, preflight: null, analysis, diff, eventStream, classification, now });
 */
export function buildRuntimeReport(input: RuntimeReportInput): RuntimeReport {
  const { agent, analysis, eventStream } = input;
  const signals = analysis ? buildReportSignals(analysis, { diff: input.diff, retained: eventStream.retained, retentionReason: eventStream.reason }) : null;
  return {
    run_id: input.runId,
    created_at: input.now.toISOString(),
    engine: input.engine ?? 'codex',
    result: {
      exit_code: agent ? agent.agentExit : null,
      duration_ms: agent?.durationMs ?? 0,
      timed_out: agent?.timedOut ?? false,
      interrupted: agent?.interrupted ?? false,
    },
    runtime: input.runtime,
    workspace: {
      head_sha: input.workspace?.head_sha ?? null,
      tree_sha: input.workspace?.tree_sha ?? null,
      baseline_sha: input.workspace?.baseline_sha ?? null,
    },
    sandbox: input.sandbox,
    preflight: input.preflight,
    signals: signals?.signals ?? null,
    safety: signals?.safety ?? { violations: [], violation_count: 0 },
    classification: input.classification,
  };
}

/** The artefact metadata of a runtime report built by {@link buildRuntimeReport} from the same `eventStream`. */
export function runtimeReportMetadata(report: RuntimeReport, eventStream: StreamRetention): RuntimeReportMetadata {
  const c = report.classification;
  const events = report.signals?.agent_event_summary;
  return {
    exit_code: report.result.exit_code,
    violations: report.safety.violation_count,
    grade: c.grade,
    reason_code: c.reason_code,
    next_action: c.next_action,
    parsed_event_count: events?.parsed_event_count ?? 0,
    command_event_count: events?.command_event_count ?? 0,
    event_stream_retained: eventStream.retained,
    event_stream_retention_reason: eventStream.reason,
  };
}
