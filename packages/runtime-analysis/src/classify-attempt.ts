import { attributeTestFailures, type BaselineTests, type TestFailureAttribution } from './baseline-tests.js';
import { describeCommand } from './describe-command.js';
import { normalizeTestName } from './failing-test-names.js';
import { firstMatch, HARD_FAILURE_PATTERNS, RETRYABLE_FAILURE_PATTERNS } from './failure-patterns.js';
import type { StreamAnalysis } from './stream-analyzer.js';
import type { Classification, DiffSummary, EvidenceItem, Grade, NextAction, PreflightOutcome, ProtectedChange, ReasonCode, SandboxDenial } from './types.js';

/** Run states in which an attempt must show test evidence (implementation and iteration must run tests). */
export const TEST_EVIDENCE_STATES: readonly string[] = ['IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'];

/** Everything the classifier looks at. */
export interface ClassifyInput {
  /** The run state before the step (the attempt's stage). */
  stage: string;
  /** The agent process's exit status; null when the agent was not started. */
  agentExit: number | null;
  timedOut?: boolean;
  /**
   * The attempt was stopped by the operator or the manager (abort, Ctrl-C): an interrupted attempt says nothing
   * about the task, so a verdict that is not HUMAN_REVIEW becomes RETRYABLE `runtime_interrupted`.
   */
  interrupted?: boolean;
  /** The agent's own stderr (bounded). Part of the failure text. */
  stderr?: string;
  /** The stream analysis; null when the agent was not started. */
  analysis: StreamAnalysis | null;
  /**
   * The engine that ran (`codex`, `claude`), named in the evidence ("claude was stopped by the agent timeout").
   * Default: the engine the stream's format shows, else "the agent".
   */
  engine?: string | undefined;
  /** The preflight outcome, or null/undefined when skipped or not part of this attempt. */
  preflight?: PreflightOutcome | null;
  /** The budget diff; null when unknown (then the budget rule is skipped). */
  diff?: DiffSummary | null;
  allowAgentPush?: boolean;
  maxChangedFiles: number;
  maxAddedLines: number;
  maxRetryableAttempts: number;
  minTestCommands: number;
  /** 1 + the number of immediately preceding RETRYABLE attempts of the same stage. Default 1. */
  retryableStreak?: number;
  /** The number of agent attempts of the run including this one (reports only). Default 1. */
  attemptNo?: number;
  /**
   * Protected files the attempt changed (the workspace's after-step check): any → HUMAN_REVIEW
   * `protected_file_changed`, whatever else happened.
   */
  protectedChanges?: readonly ProtectedChange[];
  /**
   * Accesses the sandbox refused. Always listed in `details.sandbox_denials` and the evidence; a file denial
   * is a safety violation (the agent reached for something outside its view), network denials alone change
   * nothing.
   */
  sandboxDenials?: readonly SandboxDenial[];
  /**
   * The failing tests of the untouched base commit (run-prepare's baseline). An unresolved failure whose tests all
   * failed there already does not fail the attempt, unless the agent made it worse (see `attributeTestFailures`).
   */
  baseline?: BaselineTests | null;
  /**
   * The repository root the agent's commands ran in (the workspace, as given and its real path), so that test files
   * its output names by absolute path compare with the baseline's (relative) ones.
   */
  workspaceDirs?: readonly string[];
}

function verdict(grade: Grade, reason_code: ReasonCode, next_action: NextAction, evidence: EvidenceItem[], details: Record<string, unknown>): Classification {
  return { grade, reason_code, next_action, evidence, details };
}

function item(line: number | null, command: string | null, exit_code: number | null, note: string, item_id: string | null = null): EvidenceItem {
  return { line, item_id, command, exit_code, note };
}

/** The engine to name in evidence: the input's, else the one the stream's format shows, else "the agent". */
function engineOf(input: ClassifyInput): string {
  const named = (input.engine ?? '').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40);
  if (named) return named;
  const format = input.analysis?.summary.format;
  if (format === 'claude_stream_json') return 'claude';
  return format === 'codex_json' || format === 'codex_experimental_json' || format === 'codex_legacy' ? 'codex' : 'the agent';
}

/** The clause for a call that never ran (`refused`: how it was refused), or '' for one that ran. */
function triedOnly(refused: string | undefined): string {
  return refused ? `; tried, refused: ${refused}, it never ran` : '';
}

function where(line: number | null): string {
  return line && line > 0 ? `line ${line}: ` : '';
}

/** A value from outside (a path, a host, a reason) made safe to show in one line of Markdown. */
function shown(value: unknown, max = 200): string {
  const s = String(value ?? '').replace(/[\u0000-\u001f\u007f`]/g, (c) => (c === '`' ? "'" : '?'));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function protectedChangeVerdict(changes: readonly ProtectedChange[], a: StreamAnalysis | null): Classification {
  const listed = changes.slice(0, 20).map((c) => ({ path: shown(c.path), kind: shown(c.kind, 60), change: shown(c.change, 80) }));
  const evidence = listed.slice(0, 12).map((c) => item(null, null, null, `protected file ${c.path} (${c.kind}) ${c.change} during the attempt → protected_file_changed`));
  if (changes.length > 12) evidence.push(item(null, null, null, `… and ${changes.length - 12} more protected file change(s)`));
  // what the agent's commands tried, so the reviewer sees how the change came about
  evidence.push(...findingEvidence(a, 6));
  return verdict('HUMAN_REVIEW', 'protected_file_changed', 'escalate', evidence, {
    protected_changes: listed,
    protected_change_count: changes.length,
    ...(a && a.safety_findings.length ? { safety_findings: a.safety_findings.slice(0, 12) } : {}),
  });
}

function findingEvidence(a: StreamAnalysis | null, limit: number): EvidenceItem[] {
  return (a?.safety_findings ?? []).slice(0, limit).map((f) => item(f.line || null, f.command, null, `${where(f.line)}${f.note}`, f.item_id));
}

function safetyVerdict(a: StreamAnalysis | null, fileDenials: readonly SandboxDenial[]): Classification {
  const evidence: EvidenceItem[] = [];
  for (const v of a?.safety_violation_lines.slice(0, 12) ?? []) {
    evidence.push(item(v.line || null, v.rule === 'write_outside_repo' ? null : v.command, null, v.rule === 'write_outside_repo' ? `file_change writes ${v.segment}, outside the workspace${a?.workspace_dir ? ` ${a.workspace_dir}` : ''} and /tmp → write_outside_repo` : `${where(v.line)}\`${describeCommand(v.command)}\` runs \`${describeCommand(v.segment, 80)}\`${triedOnly(v.refused)} → ${v.rule}`, v.item_id));
  }
  evidence.push(...findingEvidence(a, Math.max(12 - evidence.length, 4)));
  const kinds = [...new Set(a?.safety_findings.map((f) => f.kind) ?? [])];
  return verdict('HUMAN_REVIEW', 'safety_violation', 'escalate', evidence, {
    violations: a?.safety_violations.slice(0, 8) ?? [],
    ...(a && a.safety_findings.length
      ? { safety_findings: a.safety_findings.slice(0, 12), safety_finding_count: a.safety_findings.length, safety_finding_kinds: kinds }
      : {}),
    ...(fileDenials.length ? { file_denial_count: fileDenials.length } : {}),
  });
}

function denialNote(d: SandboxDenial): string {
  return `sandbox denied ${d.kind === 'network' ? 'network access to' : 'file access to'} ${shown(d.target)} (${shown(d.reason, 120)})${d.at ? ` at ${shown(d.at, 40)}` : ''}${d.kind === 'network' ? '' : ' → safety_violation'}`;
}

/** Adds the sandbox's refusals to any verdict: `details.sandbox_denials` and one evidence note each (up to 8). */
function withDenials(c: Classification, denials: readonly SandboxDenial[]): Classification {
  if (denials.length === 0) return c;
  const listed = denials.slice(0, 20).map((d) => ({ kind: d.kind === 'network' ? 'network' : 'file', target: shown(d.target), reason: shown(d.reason, 120), ...(d.at ? { at: shown(d.at, 40) } : {}) }));
  const evidence = [...c.evidence, ...denials.slice(0, 8).map((d) => item(null, null, null, denialNote(d)))];
  if (denials.length > 8) evidence.push(item(null, null, null, `… and ${denials.length - 8} more sandbox denial(s)`));
  return { ...c, evidence, details: { ...c.details, sandbox_denials: listed, sandbox_denial_count: denials.length } };
}

/** The diff budget: at most the policy's changed files and added lines. */
export function budgetExceeded(diff: DiffSummary, maxChangedFiles: number, maxAddedLines: number): boolean {
  return (maxChangedFiles > 0 && diff.changed_files_count > maxChangedFiles) || (maxAddedLines > 0 && diff.added_lines > maxAddedLines);
}

/** A failing test of the output as the comparison judged it (a whole file's path made relative). */
function judgedTest(x: { name: string }, t: TestFailureAttribution): { name: string; before_agent: boolean } {
  const j = t.by_output_name.get(normalizeTestName(x.name));
  return { name: j?.name ?? x.name, before_agent: j?.before_agent ?? false };
}

function namedTests(f: StreamAnalysis['test_failures'][number], t: TestFailureAttribution): Pick<EvidenceItem, 'failing_tests'> {
  if (!f.failing_tests?.length) return {};
  return { failing_tests: f.failing_tests.slice(0, 12).map((x) => judgedTest(x, t)) };
}

function testNames(f: StreamAnalysis['test_failures'][number], t: TestFailureAttribution): string {
  const listed = (f.failing_tests ?? []).slice(0, 3).map((x) => `"${describeCommand(judgedTest(x, t).name, 80)}"`);
  if (listed.length === 0) return '';
  const more = (f.failing_tests?.length ?? 0) - listed.length;
  return `; failing: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function testFailureEvidence(a: StreamAnalysis, t: TestFailureAttribution): EvidenceItem[] {
  const out: EvidenceItem[] = [];
  const preExisting = new Set(t.pre_existing_commands);
  for (const f of a.test_failures) {
    const shown = f.targets.length ? f.targets.map((x) => describeCommand(x, 100)).join(' … ') : describeCommand(f.command);
    const tests = namedTests(f, t);
    const names = testNames(f, t);
    if (f.resolved_by) {
      out.push({ ...item(f.line, f.command, f.exit_code, `${where(f.line)}\`${shown}\` exit ${f.exit_code}; line ${f.resolved_by.line}: \`${describeCommand(f.resolved_by.target, 100)}\` exit 0 for the same target → fixed`, f.item_id), ...tests });
    } else if (f.allowlist_matches.length > 0) {
      out.push({ ...item(f.line, f.command, f.exit_code, `${where(f.line)}\`${shown}\` exit ${f.exit_code}, never re-run successfully; its own output matches allowlist pattern ${f.allowlist_matches.map((m) => `/${m}/`).join(', ')} → waived as a known baseline failure`, f.item_id), ...tests });
    } else if (preExisting.has(f.command)) {
      out.push({ ...item(f.line, f.command, f.exit_code, `${where(f.line)}\`${shown}\` exit ${f.exit_code}${names}; every one of them already failed on the base commit before the agent → failing before the agent`, f.item_id), ...tests });
    } else {
      out.push({ ...item(f.line, f.command, f.exit_code, `${where(f.line)}\`${shown}\` exit ${f.exit_code}${f.note ? ` (${f.note})` : ''}${names}, never re-run successfully for the same target → failed`, f.item_id), ...tests });
    }
  }
  for (const p of t.failing_tests.filter((x) => x.per_file && x.before_agent).slice(0, 5)) {
    out.push(item(null, null, null, `${shown(p.name)} was reported as a whole file, not per test; the baseline's failing test(s) there (${shown((p.baseline_tests ?? []).map((n) => `"${n}"`).join(', '), 160)}) → counted as the same failure, the agent did not change that file`));
  }
  for (const u of t.undetermined.slice(0, 5)) out.push(item(null, null, null, `${shown(u.reason, 240)} → cannot tell whether the agent broke it; not excused`));
  if (t.worse) {
    const added = t.worse.new_failing_tests.slice(0, 5).map((n) => `"${describeCommand(n, 80)}"`).join(', ');
    out.push(item(null, null, null, `${t.worse.failing_count} test(s) fail, ${t.worse.baseline_count} failed before the agent${added ? `; new: ${added}` : ''} → broken by the agent`));
  }
  return out;
}

function testRunEvidence(a: StreamAnalysis, limit = 12): EvidenceItem[] {
  return a.test_runs.slice(0, limit).map((r) => item(r.line || null, r.command, r.exit_code, `${where(r.line)}\`${r.targets.length ? r.targets.map((t) => describeCommand(t, 100)).join(' … ') : describeCommand(r.command)}\` exit 0 → test evidence${r.note ? ` (${r.note})` : ''}`, r.item_id));
}

/** Up to `limit` completed non-test commands, to show what ran instead of tests. */
function otherCommandEvidence(a: StreamAnalysis, limit = 5): EvidenceItem[] {
  const testSet = new Set(a.test_commands);
  const out: EvidenceItem[] = [];
  const seen = new Set<string>();
  for (const e of a.summary.command_events_sample) {
    if (out.length >= limit) break;
    if (e.exit_code === null || seen.has(e.command) || testSet.has(e.command)) continue;
    seen.add(e.command);
    out.push(item(e.line, e.command, e.exit_code, `${where(e.line)}\`${describeCommand(e.command)}\` exit ${e.exit_code} — not a recognised test, lint or typecheck run`, e.item_id));
  }
  return out;
}

function failureText(input: ClassifyInput): string {
  const parts: string[] = [];
  if (input.stderr) parts.push(input.stderr);
  for (const m of input.analysis?.failure_messages ?? []) parts.push(m.message);
  return parts.join('\n');
}

function applyCap(c: Classification, input: ClassifyInput): Classification {
  const streak = input.retryableStreak ?? 1;
  if (c.grade !== 'RETRYABLE' || input.maxRetryableAttempts <= 0 || streak <= input.maxRetryableAttempts) return c;
  return {
    grade: 'HUMAN_REVIEW',
    reason_code: 'retryable_limit_exceeded',
    next_action: 'escalate',
    evidence: [
      ...c.evidence,
      item(null, null, input.agentExit, `retryable streak ${streak} exceeds max_retryable_attempts ${input.maxRetryableAttempts} (${c.reason_code} ${streak} times in a row in ${input.stage}) → escalate`),
    ],
    details: {
      ...c.details,
      attempt_no: input.attemptNo ?? 1,
      retryable_streak: streak,
      max_retryable_attempts: input.maxRetryableAttempts,
      original_reason_code: c.reason_code,
    },
  };
}

function exitZero(input: ClassifyInput, a: StreamAnalysis | null, t: TestFailureAttribution): Classification {
  // 4: failed validation commands (unresolved, unwaived, not all failing before the agent)
  const preExisting = new Set(t.pre_existing_commands);
  const failedCommands = a?.failed_test_commands.filter((c) => !preExisting.has(c)) ?? [];
  const failedCount = (a?.failed_test_command_count ?? 0) - ((a?.failed_test_commands.length ?? 0) - failedCommands.length);
  if (a && failedCount > 0) {
    return verdict('HUMAN_REVIEW', 'test_command_failed', 'escalate', testFailureEvidence(a, t), {
      failed_test_commands: failedCommands.slice(0, 12),
      failed_test_command_count: failedCount,
      ...(a.waived_test_failures.length ? { waived_test_failures: a.waived_test_failures.slice(0, 12) } : {}),
      ...(t.pre_existing_commands.length ? { pre_existing_test_failures: t.pre_existing_commands.slice(0, 12) } : {}),
      ...(t.worse ? { broken_by_agent: t.worse } : {}),
      ...(t.undetermined.length ? { undetermined_test_failures: t.undetermined.slice(0, 12) } : {}),
    });
  }
  // addition: nothing to analyse
  if (!a || a.summary.parsed_event_count === 0) {
    const empty = !a || a.summary.parse_error_count === 0;
    const evidence = empty
      ? [item(null, null, 0, `${engineOf(input)} exited 0 but its stdout holds no events; was it run without its JSON output (codex --json, claude --output-format stream-json), or was the output lost?`)]
      : [
        ...(a?.summary.malformed_lines.slice(0, 5).map((m) => item(m.line, null, null, `line ${m.line}: ${m.reason}`)) ?? []),
        item(null, null, 0, `none of the ${a?.summary.parse_error_count ?? 0} non-blank lines is a JSON event; the stream cannot be judged${a?.commands.length ? ` (text fallback found: ${a.commands.slice(0, 3).map((c) => `\`${describeCommand(c, 80)}\``).join(', ')})` : ''}`),
      ];
    return verdict('HUMAN_REVIEW', empty ? 'empty_event_stream' : 'unparseable_event_stream', 'escalate', evidence, {
      jsonl_line_count: a?.summary.jsonl_line_count ?? 0,
      parse_error_count: a?.summary.parse_error_count ?? 0,
      text_fallback_commands: a?.commands.slice(0, 8) ?? [],
    });
  }
  // addition: a failure the stream hides (codex drops sandbox-denied commands from its event stream)
  if (a.hidden_failures.length > 0) {
    const evidence = a.hidden_failures.map((h) => item(h.line || null, null, null, `${where(h.line)}${h.note}`, h.item_id));
    if (input.stderr && /could not create PATH aliases/i.test(input.stderr)) {
      evidence.push(item(null, null, null, 'stderr: codex could not create its sandbox helper aliases (CODEX_HOME under TMPDIR?), so sandboxed commands fail and vanish from the stream'));
    }
    return verdict('HUMAN_REVIEW', 'hidden_command_failure', 'escalate', evidence, { hidden_failures: a.hidden_failures.slice(0, 8) });
  }
  // addition: the agent itself says it is blocked or failed
  if (a.agent_status && a.agent_status.status !== 'PASS') {
    const s = a.agent_status;
    const reason: ReasonCode = s.status === 'FAIL' ? 'agent_reported_failure' : s.status === 'SKIP' ? 'agent_reported_skip' : 'agent_reported_needs_review';
    const evidence = [item(s.line, null, null, `line ${s.line}: the agent's final message reports status ${s.status} ("${s.excerpt}")`)];
    const failedRuns = a.summary.command_events_sample.filter((e) => e.exit_code !== null && e.exit_code !== 0).slice(0, 5);
    for (const e of failedRuns) evidence.push(item(e.line, e.command, e.exit_code, `line ${e.line}: \`${describeCommand(e.command)}\` exit ${e.exit_code}`, e.item_id));
    return verdict('HUMAN_REVIEW', reason, 'escalate', evidence, { agent_status: s.status, agent_status_line: s.line, agent_status_excerpt: s.excerpt });
  }
  // 5: test evidence (a run whose only failures already failed before the agent is evidence too)
  const observed = a.test_commands.length + t.pre_existing_commands.filter((c) => !a.test_commands.includes(c)).length;
  if (TEST_EVIDENCE_STATES.includes(input.stage) && input.minTestCommands > 0 && observed < input.minTestCommands) {
    const reason: ReasonCode = observed === 0 && input.minTestCommands === 1 ? 'missing_test_evidence' : 'insufficient_test_evidence';
    const evidence = [
      ...testRunEvidence(a),
      ...(observed === 0 ? otherCommandEvidence(a) : []),
      item(null, null, 0, `${observed} successful test/lint/typecheck command(s) observed, ${input.minTestCommands} required in ${input.stage}${a.summary.command_event_count === 0 ? '; the stream has no command executions at all' : ''}`),
    ];
    return verdict('HUMAN_REVIEW', reason, 'escalate', evidence, { expected_state: input.stage, required_test_commands: input.minTestCommands, observed_test_commands: observed });
  }
  // 6: diff budget
  const diff = input.diff;
  if (diff && budgetExceeded(diff, input.maxChangedFiles, input.maxAddedLines)) {
    return verdict('HUMAN_REVIEW', 'diff_budget_exceeded', 'escalate', [item(null, null, 0, `diff since ${diff.baseline}: ${diff.changed_files_count} files changed (max ${input.maxChangedFiles || 'unlimited'}), +${diff.added_lines} lines (max ${input.maxAddedLines || 'unlimited'})`)], {
      changed_files_count: diff.changed_files_count,
      added_lines: diff.added_lines,
      max_changed_files: input.maxChangedFiles,
      max_added_lines: input.maxAddedLines,
      changed_files: diff.changed_files.slice(0, 16),
    });
  }
  // 7: pass
  const waived = a.waived_test_failures.length > 0;
  const evidence = [...testRunEvidence(a), ...testFailureEvidence(a, t)];
  if (evidence.length === 0) evidence.push(item(null, null, 0, `${engineOf(input)} exited 0; no failed validation command, no safety or push signal${TEST_EVIDENCE_STATES.includes(input.stage) ? '' : `; ${input.stage} needs no test evidence`}`));
  const reason: ReasonCode = preExisting.size > 0 ? 'runtime_success_pre_existing_test_failures' : waived ? 'runtime_success_allowlisted_test_failures' : 'runtime_success';
  return verdict('PASS', reason, 'advance', evidence, {
    exit_code: 0,
    test_commands: a.test_commands.slice(0, 12),
    ...(preExisting.size > 0 ? { pre_existing_test_failures: t.pre_existing_commands.slice(0, 12) } : {}),
    changed_files_count: diff?.changed_files_count ?? null,
    added_lines: diff?.added_lines ?? null,
    allowlisted_test_failure_matches: a.allowlisted_test_failure_matches.slice(0, 12),
  });
}

function exitNonZero(input: ClassifyInput): Classification {
  const exit = input.agentExit;
  const a = input.analysis;
  const failureEvidence = (): EvidenceItem[] => [
    ...(a?.failure_messages.slice(0, 5).map((m) => item(m.line, null, exit, `line ${m.line}: ${m.source} "${m.message.length > 200 ? `${m.message.slice(0, 200)}…` : m.message}"`)) ?? []),
  ];
  const engine = engineOf(input);
  if (input.timedOut) {
    return verdict('RETRYABLE', 'runtime_transient_failure', 'retry', [item(null, null, exit, `${engine} was stopped by the agent timeout (exit ${exit ?? 124})`)], { exit_code: 124, timed_out: true });
  }
  if (exit === 2) {
    return verdict('HUMAN_REVIEW', 'runtime_hard_failure', 'escalate', [item(null, null, 2, `${engine} exit 2: a command-line usage error (e.g. an unknown or removed flag); retrying cannot help`)], { exit_code: 2, cli_usage_error: true });
  }
  if (exit === 126 || exit === 127) {
    return verdict('HUMAN_REVIEW', 'runtime_hard_failure', 'escalate', [item(null, null, exit, `${engine} exit ${exit}: ${engine} could not be started${input.stderr ? ` ("${input.stderr.trim().split('\n')[0]}")` : ''}`)], { exit_code: exit, codex_not_started: true });
  }
  const text = failureText(input);
  const hard = firstMatch(text, HARD_FAILURE_PATTERNS);
  if (hard) {
    return verdict('HUMAN_REVIEW', 'runtime_hard_failure', 'escalate', [...failureEvidence(), item(null, null, exit, `exit ${exit ?? 'none'}; failure text matches /${hard.pattern}/: "${hard.line}"`)], { exit_code: exit });
  }
  const transient = firstMatch(text, RETRYABLE_FAILURE_PATTERNS);
  if (transient) {
    return verdict('RETRYABLE', 'runtime_transient_failure', 'retry', [...failureEvidence(), item(null, null, exit, `exit ${exit ?? 'none'}; failure text matches /${transient.pattern}/: "${transient.line}"`)], { exit_code: exit });
  }
  return verdict('RETRYABLE', 'runtime_unknown_failure', 'retry', [...failureEvidence(), item(null, null, exit, `exit ${exit ?? 'none'}; the failure text matches no known hard or transient pattern`)], { exit_code: exit });
}

/**
 * Classifies an agent attempt (the first matching rule wins). Rules, in order: a protected file
 * changed (`protected_file_changed`: it outranks everything, since agentpr's own later git runs would act on
 * it), a safety violation (the command rules and the stream's `safety_findings` — writes outside, env overrides,
 * credential reads, git configuration — or a sandbox file denial), preflight failure, disallowed push (any
 * exit code); then for exit 0: failed validation commands, an empty or
 * unparseable stream, a hidden (sandbox-denied) failure, an agent-reported NEEDS REVIEW/FAIL/SKIP, missing
 * test evidence, the diff budget, PASS; for other exits: timeout, usage error (2), not started (126/127),
 * HARD then RETRYABLE patterns in the failure text (stderr and codex's own error messages, never command
 * output), unknown. A failed test command whose named tests all failed on the untouched base commit too
 * (`baseline`) does not fail the attempt unless the agent made it worse; `failing_tests` lists the named tests
 * with `before_agent`. RETRYABLE verdicts become `retryable_limit_exceeded` when the retryable streak
 * exceeds `maxRetryableAttempts`. An `interrupted` attempt whose verdict is not HUMAN_REVIEW is RETRYABLE
 * `runtime_interrupted`. Every verdict carries evidence items naming lines and commands, and
 * every verdict lists the sandbox's denials (`details.sandbox_denials`); network denials alone never change it.
 *
 * @example
 * classifyAttempt({ stage: 'IMPLEMENTING', agentExit: 0, analysis, maxChangedFiles: 8, maxAddedLines: 150,
 *   maxRetryableAttempts: 3, minTestCommands: 1 })
 * // → {grade: 'HUMAN_REVIEW', reason_code: 'test_command_failed', evidence: [{line: 69, command: …, exit_code: 2, note: …}], …}
 */
export function classifyAttempt(input: ClassifyInput): Classification {
  const tests = attributeTestFailures(input.analysis, input.baseline, {
    roots: input.workspaceDirs ?? [],
    ...(input.diff ? { changedFiles: input.diff.changed_files } : {}),
  });
  const decided = withDenials(interruptedVerdict(decide(input, tests), input), input.sandboxDenials ?? []);
  // The outcome of the baseline compared with, so "not failing before the agent" reads as a fact, not a guess.
  const c = input.baseline ? { ...decided, details: { ...decided.details, baseline_outcome: input.baseline.outcome } } : decided;
  return tests.failing_tests.length ? { ...c, failing_tests: tests.failing_tests } : c;
}

/** An interrupted attempt is retried unless something already needs a human (a safety finding, the retry cap). */
function interruptedVerdict(c: Classification, input: ClassifyInput): Classification {
  if (!input.interrupted || c.grade === 'HUMAN_REVIEW') return c;
  return { ...c, grade: 'RETRYABLE', reason_code: 'runtime_interrupted', next_action: 'retry', details: { ...c.details, interrupted: true } };
}

function decide(input: ClassifyInput, tests: TestFailureAttribution): Classification {
  const a = input.analysis;
  const pf = input.preflight;
  const protectedChanges = input.protectedChanges ?? [];
  if (protectedChanges.length > 0) return protectedChangeVerdict(protectedChanges, a);
  const fileDenials = (input.sandboxDenials ?? []).filter((d) => d.kind !== 'network');
  if ((a && (a.safety_violations.length > 0 || a.safety_findings.length > 0)) || fileDenials.length > 0) return safetyVerdict(a, fileDenials);
  if (pf && !pf.ok) {
    const failures = pf.failures.slice(0, 8);
    const transient = firstMatch(pf.failures.join('\n'), RETRYABLE_FAILURE_PATTERNS);
    const evidence = failures.map((f) => item(null, null, null, `preflight: ${f}`));
    if (transient) return applyCap(verdict('RETRYABLE', 'preflight_transient_failure', 'retry', evidence, { failures }), input);
    return verdict('HUMAN_REVIEW', 'preflight_hard_failure', 'escalate', evidence, { failures });
  }
  if (a && !input.allowAgentPush && a.git_commands.length > 0) {
    const evidence = a.git_command_lines.slice(0, 8).map((g) => item(g.line || null, g.command, null, `${where(g.line)}\`${describeCommand(g.command)}\` runs \`${describeCommand(g.segment, 80)}\`, but agent push is not allowed${triedOnly(g.refused)}`, g.item_id));
    return verdict('HUMAN_REVIEW', 'agent_push_disallowed', 'escalate', evidence, { git_commands: a.git_commands.slice(0, 8) });
  }
  if (input.agentExit === 0 && !input.timedOut) return exitZero(input, a, tests);
  return applyCap(exitNonZero(input), input);
}
