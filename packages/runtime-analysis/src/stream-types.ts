import type { FailingTestName } from './failing-test-names.js';
import type { CommandCategory, SafetyRule } from './command-facts.js';
import type { StreamFormat } from './normalize-event.js';
import type { SafetyFinding } from './safety-findings.js';

/** Options of {@link createStreamAnalyzer}. */
export interface StreamAnalyzerOptions {
  /**
   * Known baseline-failure patterns (policy `known_test_failure_allowlist`). Each is a case-insensitive regex
   * (an invalid one is a substring) matched against a failing execution's OWN output only.
   */
  allowlist?: readonly string[];
  /**
   * Absolute workspace path; `file_change` paths outside it, `/tmp` and `tmpDirs` are `write_outside_repo`. Default:
   * the working directory the stream names (codex's legacy `workdir`, Claude's init `cwd`).
   */
  workspaceDir?: string | undefined;
  /** Further directories writes may go to (the runtime `TMPDIR`). */
  tmpDirs?: readonly string[];
  /**
   * Further absolute roots commands may write to, besides the workspace (which holds the runtime dir), `/tmp`
   * and `tmpDirs`. `/dev/null`, `/dev/stdout`, `/dev/stderr` and `/dev/fd/*` are always allowed targets.
   */
  allowedWriteRoots?: readonly string[];
  /**
   * The agent's home (the sandbox's throwaway home), so `~` and `$HOME` resolve; writes there are outside
   * unless it lies under an allowed root. Unknown (the default): every `~` path counts as outside.
   */
  homeDir?: string | undefined;
  /** Absolute paths that are secrets of their own: agentpr's data dir, database file, policy file. */
  secretPaths?: readonly string[];
  /** Longest line analysed, in characters; longer lines count as malformed. Default 8 Mi. */
  maxLineChars?: number;
}

/** Inputs known only when the agent has finished. */
export interface StreamFinishInput {
  /** The agent's stderr (bounded by the caller); used for the text fallback and the failure text. */
  stderr?: string;
}

/** A command event as kept in `command_events_sample`. */
export interface CommandEventSample {
  event_type: string;
  local_offset_ms: number | null;
  status: string;
  duration_ms: number | null;
  exit_code: number | null;
  item_id: string | null;
  command: string;
  /** 1-based line of the stream (addition). */
  line: number;
}

/** A command duration. */
export interface CommandDuration {
  command: string;
  duration_ms: number;
  status: string;
  exit_code: number | null;
  item_id: string | null;
}

/** `agent_event_summary` plus additions about the stream's format and damage. */
export interface AgentEventSummary {
  jsonl_line_count: number;
  parsed_event_count: number;
  parse_error_count: number;
  event_type_counts: Record<string, number>;
  command_event_count: number;
  command_events_sample: CommandEventSample[];
  command_text_sample: string[];
  top_commands_by_frequency: Array<{ value: string; count: number }>;
  top_commands_by_duration: CommandDuration[];
  skill_event_counts: Record<string, number>;
  /**
   * The engine's last cumulative token usage, in codex's convention: `input_tokens` (cached included),
   * `cached_input_tokens`, `output_tokens` (reasoning included), `reasoning_output_tokens`. Claude's result event is
   * mapped onto it (see `claudeUsage`; plus `cache_creation_input_tokens`, part of the input).
   */
  usage: Record<string, number>;
  /** Addition: the detected format (first decisive line). */
  format: StreamFormat;
  /** Addition: lines per detected format, for mixed streams. */
  format_counts: Partial<Record<StreamFormat, number>>;
  /** Addition: event and item types the format does not know (counted, never fatal). */
  unknown_event_type_counts: Record<string, number>;
  unknown_item_type_counts: Record<string, number>;
  /** Addition: the first 20 malformed lines (1-based) and why. */
  malformed_lines: Array<{ line: number; reason: string }>;
  /** Addition: executions started but never completed (interrupted or still running). */
  unfinished_execution_count: number;
  /** Addition: the model the agent's harness names (Claude Code's init event), at most 200 characters; null when none. */
  model: string | null;
  /**
   * Addition: the run's final result text (Claude Code's `result` event `result`), at most 4000 characters; null
   * when the stream has none. An engine without a last-message file uses it as the last message.
   */
  result_text: string | null;
  /** Addition: the cost the engine computed at its own list prices, in US dollars (Claude's `total_cost_usd`); null when none. */
  cost_usd: number | null;
}

/** Where a piece of evidence sits in the stream. */
export interface StreamLocation {
  /** 1-based line number in the stream. */
  line: number;
  item_id: string | null;
}

/** A test/lint/typecheck execution that proved something (first success per command). */
export interface TestRunEvidence extends StreamLocation {
  command: string;
  exit_code: number;
  /** The normalised validation segments that passed. */
  targets: string[];
  /** Set when the exit status was masked but the output showed a passing summary. */
  note?: string;
}

/** A failing test/lint/typecheck execution and what became of it. */
export interface TestFailureRecord extends StreamLocation {
  command: string;
  exit_code: number;
  /** The normalised failing segments. */
  targets: string[];
  /** Present when a later successful run covered every failing segment (`target`: the covering segment). */
  resolved_by?: StreamLocation & { command: string; target: string };
  /** Allowlist patterns found in this execution's own output. */
  allowlist_matches: string[];
  /** The end of the execution's output (at most 400 characters). */
  output_excerpt: string;
  /** The failing tests the output names (`parseFailingTests`), at most 50; absent when it names none. */
  failing_tests?: FailingTestName[];
  note?: string;
}

/** A suspected failure the stream does not show as a failed command (codex drops sandbox-denied commands from its event stream). */
export interface HiddenFailure {
  kind: 'denial_without_command' | 'claim_without_command' | 'failed_file_change' | 'permission_denied';
  line: number;
  item_id: string | null;
  note: string;
}

/** The status the agent reported in its final message (`Status: NEEDS REVIEW`, `"status": "FAIL"`). */
export interface AgentReportedStatus {
  status: 'PASS' | 'NEEDS REVIEW' | 'FAIL' | 'SKIP';
  line: number;
  excerpt: string;
}

/** A command that ran `git commit`/`git push` or the finish script, where it first ran. */
export interface GitCommandLine extends StreamLocation {
  command: string;
  /** The segment of the command that is the git operation. */
  segment: string;
  /** Set when the call never ran (see {@link RefusedAction}): how it was refused, e.g. `denied by claude at line 7`. */
  refused?: string;
}

/** A safety rule a command broke, where it first ran. */
export interface SafetyViolationLine extends StreamLocation {
  rule: SafetyRule;
  command: string;
  /** The segment of the command that broke the rule. */
  segment: string;
  /** Set when the call never ran (see {@link RefusedAction}): how it was refused. */
  refused?: string;
}

/**
 * A tool call that did not do what it asked: Claude Code refused it before it ran (a permission denial), or a file
 * change failed and wrote nothing. `line` is the call, `refused_line` where the stream shows the refusal.
 */
export interface RefusedAction extends StreamLocation {
  /** `denied`: refused before it ran; `failed`: a file change that reported an error and wrote nothing. */
  outcome: 'denied' | 'failed';
  /** `command` (a shell command) or `file_change` (a path). */
  kind: 'command' | 'file_change';
  /** The tool (`Bash`, `Write`, `Edit`, `file_change`). */
  tool: string;
  /** The command or the path. */
  target: string;
  refused_line: number;
  /** Why, as the engine said it (one line, at most 160 characters, no backticks); '' when it did not say. */
  reason: string;
}

/** A failure text source: a top-level error or a turn failure. */
export interface FailureMessage {
  line: number;
  source: 'error' | 'turn.failed';
  message: string;
}

/** Everything the analysis found in one event stream. JSON-serialisable. */
export interface StreamAnalysis {
  summary: AgentEventSummary;
  /** Distinct commands in order of first appearance (at most 2000 listed; see `command_count`). */
  commands: string[];
  command_count: number;
  /** True when nothing parsed and commands came from the text fallback. */
  text_fallback: boolean;
  command_categories: Record<CommandCategory, number>;
  /** Sorted distinct commands with a validation segment that succeeded. */
  test_commands: string[];
  /** The first successful execution of each test command. */
  test_runs: TestRunEvidence[];
  /** Unresolved, unwaived failing validation commands, de-duplicated, at most 40. */
  failed_test_commands: string[];
  failed_test_command_count: number;
  /** Unresolved failures whose own output matched an allowlist pattern. */
  waived_test_failures: string[];
  allowlisted_test_failure_matches: string[];
  /** Failing executions (unresolved first, then resolved), at most 60. */
  test_failures: TestFailureRecord[];
  /** Sorted distinct commands that ran `git commit`/`git push` or the finish script. */
  git_commands: string[];
  git_command_lines: GitCommandLine[];
  safety_violations: Array<{ rule: SafetyRule; command: string }>;
  safety_violation_lines: SafetyViolationLine[];
  /**
   * What commands tried outside the agent's bounds (issue 12): writes outside the allowed roots, env overrides
   * moving homes or caches outside, credential reads, git configuration changes. First execution of each
   * distinct command, at most 200.
   */
  safety_findings: SafetyFinding[];
  hidden_failures: HiddenFailure[];
  /** Tool calls that never happened: denied by the agent's harness, or file changes that failed (at most 200). */
  refused_actions: RefusedAction[];
  agent_status: AgentReportedStatus | null;
  /** The last agent message, at most 4000 characters. */
  last_agent_message: string | null;
  /** Failure text sources: top-level errors and turn failures, at most 20. */
  failure_messages: FailureMessage[];
  /** Non-fatal warning items (`item.type = "error"`), at most 10. */
  warnings: string[];
  turns: { started: number; completed: number; failed: number; last: 'completed' | 'failed' | null };
  /** The exit code the stream implies, for analysing a stream without its process. */
  inferred_exit_code: { exit_code: number | null; source: string };
  /**
   * Paths written by `file_change` items (at most 200): a change that was denied, or a single-file change that
   * failed, wrote nothing and is in `refused_actions` instead; a change the stream never completes counts as written.
   */
  file_changes: string[];
  workspace_dir: string | null;
}

/** What {@link StreamAnalyzer.progress} reports while the agent runs. */
export interface StreamProgress {
  currentCommand: string | null;
  commands: number;
  tokens: number;
}

/** An incremental analyser: feed it lines (or raw chunks) while the agent runs, then finish. */
export interface StreamAnalyzer {
  /** The live state while the stream is read: the command running now, commands completed, tokens used so far. */
  progress(): StreamProgress;
  /** Analyses one line (without its `\n`); `offsetMs` is its arrival time since launch. */
  pushLine(line: string, offsetMs?: number | null): void;
  /** Feeds raw text; lines are split on `\n` only. */
  write(chunk: string): void;
  /** Returns the analysis. Flushes a last line without `\n`. The analyser must not be fed afterwards. */
  finish(input?: StreamFinishInput): StreamAnalysis;
}
