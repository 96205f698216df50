import type { StreamAnalysis } from './stream-analyzer.js';
import type { DiffSummary } from './types.js';

/** The `signals` block of the agent runtime report, plus the analysis additions. */
export interface ReportSignals {
  commands_sample: string[];
  command_sample_count: number;
  command_categories: StreamAnalysis['command_categories'];
  test_commands: string[];
  failed_test_commands: string[];
  waived_test_failures: string[];
  allowlisted_test_failure_matches: string[];
  git_commands: string[];
  hidden_failures: StreamAnalysis['hidden_failures'];
  agent_status: StreamAnalysis['agent_status'];
  diff: DiffSummary | null;
  agent_event_summary: StreamAnalysis['summary'];
  event_stream_retained: boolean;
  event_stream_retention_reason: string;
}

/** The report's `safety` block: the policy violations plus the stream's safety findings (issue 12). */
export interface ReportSafety {
  violations: StreamAnalysis['safety_violations'];
  violation_count: number;
  /** Writes outside, env overrides, credential reads, git config changes, with their lines (at most 40). */
  findings: StreamAnalysis['safety_findings'];
  finding_count: number;
}

/** Builds the report's `signals` and `safety` blocks from an analysis. */
export function buildReportSignals(
  analysis: StreamAnalysis,
  extra: { diff: DiffSummary | null; retained: boolean; retentionReason: string },
): { signals: ReportSignals; safety: ReportSafety } {
  return {
    signals: {
      commands_sample: analysis.commands.slice(0, 40),
      command_sample_count: analysis.command_count,
      command_categories: analysis.command_categories,
      test_commands: analysis.test_commands,
      failed_test_commands: analysis.failed_test_commands,
      waived_test_failures: analysis.waived_test_failures,
      allowlisted_test_failure_matches: analysis.allowlisted_test_failure_matches,
      git_commands: analysis.git_commands,
      hidden_failures: analysis.hidden_failures,
      agent_status: analysis.agent_status,
      diff: extra.diff,
      agent_event_summary: analysis.summary,
      event_stream_retained: extra.retained,
      event_stream_retention_reason: extra.retentionReason,
    },
    safety: {
      violations: analysis.safety_violations,
      violation_count: analysis.safety_violations.length,
      findings: analysis.safety_findings.slice(0, 40),
      finding_count: analysis.safety_findings.length,
    },
  };
}
