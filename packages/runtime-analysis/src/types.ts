import type { FailingTest } from './baseline-tests.js';
/** A verdict grade. */
export type Grade = 'PASS' | 'RETRYABLE' | 'HUMAN_REVIEW';

/** What the manager should do next with an attempt. */
export type NextAction = 'advance' | 'retry' | 'escalate';

/**
 * Classification reason codes, including ones for what a plain exit-code check misses (`protected_file_changed`,
 * `hidden_command_failure`, `agent_reported_*`, `empty_event_stream`, `unparseable_event_stream`).
 */
export type ReasonCode =
  | 'protected_file_changed'
  | 'preflight_transient_failure'
  | 'preflight_hard_failure'
  | 'safety_violation'
  | 'agent_push_disallowed'
  | 'test_command_failed'
  | 'empty_event_stream'
  | 'unparseable_event_stream'
  | 'hidden_command_failure'
  | 'agent_reported_needs_review'
  | 'agent_reported_failure'
  | 'agent_reported_skip'
  | 'missing_test_evidence'
  | 'insufficient_test_evidence'
  | 'diff_budget_exceeded'
  | 'runtime_success'
  | 'runtime_success_allowlisted_test_failures'
  | 'runtime_success_pre_existing_test_failures'
  | 'runtime_hard_failure'
  | 'runtime_transient_failure'
  | 'runtime_unknown_failure'
  | 'runtime_interrupted'
  | 'retryable_limit_exceeded';

/** One thing that decided a verdict: usually a command at a line of the stream. */
export interface EvidenceItem {
  /** 1-based line of the event stream, or null when the evidence is not in the stream (stderr, diff, preflight). */
  line: number | null;
  item_id: string | null;
  command: string | null;
  exit_code: number | null;
  /** What this item shows, in one sentence. */
  note: string;
  /** The failing tests this command's output names, and whether each already failed before the agent (the baseline). */
  failing_tests?: Array<{ name: string; before_agent: boolean }>;
}

/** A verdict with its reason, next action and evidence. */
export interface Classification {
  grade: Grade;
  reason_code: ReasonCode;
  next_action: NextAction;
  /** The commands and facts that decided the verdict, with line numbers. */
  evidence: EvidenceItem[];
  /** The structured evidence of a verdict (e.g. `{failed_test_commands, failed_test_command_count}`). */
  details: Record<string, unknown>;
  /** The failing tests the attempt's unresolved test failures name, each marked failing before the agent or not; absent when none. */
  failing_tests?: FailingTest[];
}

/** The diff summary shape: one definition, in the workspace package that computes it; passed in as data. */
export type { DiffSummary } from '@agentpr/workspace';

/** What the classifier needs from a repo preflight report. */
export interface PreflightOutcome {
  ok: boolean;
  failures: string[];
  skipped?: boolean;
}

/** The policy thresholds an attempt ran with. */
export interface AttemptThresholds {
  max_changed_files: number;
  max_added_lines: number;
  max_retryable_attempts: number;
  min_test_commands: number;
}

/**
 * A protected repository file an attempt changed (`.git/config`, `.git/hooks/*`, `.git/info/*`, `.gitmodules`,
 * a `.gitattributes` filter setting, a CI workflow), as the workspace's after-step check reports it.
 */
export interface ProtectedChange {
  /** Repository-relative path (`.git/hooks/pre-commit`, `.github/workflows/ci.yml`). */
  path: string;
  /** What kind of protected file it is (`git_hook`, `git_config`, `ci_workflow`, …). */
  kind: string;
  /** What happened to it (`added`, `modified`, `deleted`, `filter attribute added`, …). */
  change: string;
}

/** An access the sandbox refused during the attempt (egress proxy refusal, file-system denial). */
export interface SandboxDenial {
  kind: 'network' | 'file';
  /** The host:port or path that was refused. */
  target: string;
  /** Why (`host not in the egress allowlist`, `read-only file system`). */
  reason: string;
  /** When, as an ISO time, if known. */
  at?: string;
}
