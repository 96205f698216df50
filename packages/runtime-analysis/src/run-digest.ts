import { attributeTestFailures, type FailingTest } from './baseline-tests.js';
import { COMMAND_CATEGORIES, type CommandCategory } from './command-facts.js';
import type { SafetyFinding } from './safety-findings.js';
import { round2, type StageSnapshot } from './stage-snapshot.js';
import type { CommandDuration, StreamAnalysis } from './stream-analyzer.js';
import type { Classification, DiffSummary, EvidenceItem, PreflightOutcome } from './types.js';

/** The skill plan fields the digest keeps. */
export interface DigestSkillPlan {
  mode: string;
  required_now: string[];
  missing_required: string[];
  available_optional: string[];
}

/** The workspace identity after an attempt. */
export interface WorkspaceIdentity {
  head_sha: string | null;
  tree_sha: string | null;
  baseline_sha: string | null;
}

/** The thresholds an attempt ran with, kept so the DoD gate judges by them. */
export interface PolicyUsed {
  max_changed_files: number;
  max_added_lines: number;
  min_test_commands: number;
  skills_mode: string;
}

/** What the manager should do after this attempt. */
export interface ManagerRecommendation {
  action: 'advance' | 'human_review_gate' | 'retry' | 'human_review';
  priority: 'normal' | 'high';
  why: string;
}

/** The run digest, with the classification's evidence array (issue 3) and stream facts. */
export interface RunDigest {
  run: { run_id: string; owner: string; repo: string; mode: string; prompt_version: string; workspace_dir: string };
  state: { before: string; after: string };
  /** The attempt: its number, duration, the agent's exit status, and the engine and model that ran it (null when unknown). */
  attempt: { attempt_no: number; duration_ms: number; exit_code: number | null; engine: string | null; model: string | null };
  classification: { grade: string; reason_code: string; next_action: string; evidence: EvidenceItem[]; details: Record<string, unknown> };
  skills: { mode: string; required_now: string[]; missing_required: string[]; available_optional: string[] };
  validation: {
    test_command_count: number;
    test_commands: string[];
    failed_test_command_count: number;
    failed_test_commands: string[];
    waived_test_failures: string[];
    /** Failed commands whose every failing test already failed on the base commit (they did not fail the attempt). */
    pre_existing_test_failures: string[];
    /** The failing tests named by the attempt's unresolved test failures (read by the insight, `analyze` and notifications). */
    failing_tests: Array<{ name: string; excerpt: string; before_agent: boolean }>;
  };
  changes: DiffSummary | null;
  workspace: WorkspaceIdentity;
  policy_used: PolicyUsed;
  commands: {
    sample_count: number;
    sample: string[];
    categories: Record<CommandCategory, number>;
    category_share_pct: Record<CommandCategory, number>;
    top_by_duration: CommandDuration[];
    top_by_frequency: Array<{ value: string; count: number }>;
  };
  stages: StageSnapshot;
  events: { parsed_event_count: number; parse_error_count: number; event_type_counts: Record<string, number>; command_event_count: number };
  usage: Record<string, number>;
  /** The policy violations, plus the stream's safety findings (issue 12; at most 40 listed). */
  safety: { violation_count: number; violations: Array<{ rule: string; command: string }>; finding_count: number; findings: SafetyFinding[] };
  preflight: { ok: boolean | null; skipped: boolean; failures: string[] };
  /** Addition: what the stream itself showed beyond commands. */
  stream: { format: string; hidden_failures: StreamAnalysis['hidden_failures']; agent_status: string | null; malformed_line_count: number };
  manager_recommendation: ManagerRecommendation;
  artifacts: { agent_report_path: string; event_stream_path: string; last_message_path: string };
  generated_at: string;
}

/** Inputs of {@link buildRunDigest}. */
export interface RunDigestInput {
  run: RunDigest['run'];
  stateBefore: string;
  stateAfter: string;
  /**
   * The attempt's number among the run's agent attempts, its duration, the agent's exit status (null: not run), and the
   * engine (`codex`, `claude`) and model that ran it, when known.
   */
  attempt: { attemptNo: number; durationMs: number; agentExit: number | null; engine?: string | null; model?: string | null };
  classification: Classification | null;
  skillPlan: DigestSkillPlan | null;
  analysis: StreamAnalysis | null;
  diff: DiffSummary | null;
  workspace: WorkspaceIdentity | null;
  policyUsed: PolicyUsed;
  stages: StageSnapshot;
  /** The preflight outcome, or null when it was skipped. */
  preflight: PreflightOutcome | null;
  artifacts?: Partial<RunDigest['artifacts']>;
  now: Date;
}

/** What the digest recommends the manager do next. */
export function managerRecommendation(grade: string, reasonCode: string, stateAfter: string): ManagerRecommendation {
  if (grade === 'PASS') return { action: stateAfter === 'NEEDS_HUMAN_REVIEW' ? 'human_review_gate' : 'advance', priority: 'normal', why: 'runtime classified PASS' };
  if (grade === 'RETRYABLE') return { action: 'retry', priority: 'high', why: `retryable failure: ${reasonCode.toLowerCase()}` };
  return { action: 'human_review', priority: 'high', why: `needs manual judgment: ${reasonCode.toLowerCase()}` };
}

/** The longest engine or model name a digest keeps (a model name can come from the agent's own stream). */
export const ENGINE_NAME_CHARS = 100;

/**
 * An engine or model name as the digest keeps it: controls dropped; null when empty. A longer name than
 * {@link ENGINE_NAME_CHARS} (no real one is) is described, not cut: the digest is redacted when written, and a cut
 * could keep part of a secret the redactor, which matches whole secrets, would miss.
 */
function engineName(value: string | null | undefined): string | null {
  const clean = (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (!clean) return null;
  const length = Array.from(clean).length;
  return length > ENGINE_NAME_CHARS ? `[a ${length}-character name]` : clean;
}

/**
 * The engine and model of a digest's attempt as one label (`claude · claude-sonnet-4-5`, `codex`), or null when the
 * digest names neither (older digests).
 *
 * @example attemptEngineLabel({ engine: 'claude', model: 'claude-sonnet-4-5' }) // → 'claude · claude-sonnet-4-5'
 */
export function attemptEngineLabel(attempt: { engine?: string | null; model?: string | null }): string | null {
  const engine = engineName(attempt.engine);
  const model = engineName(attempt.model);
  if (engine && model) return `${engine} · ${model}`;
  return engine ?? (model ? `unknown engine · ${model}` : null);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The digest's validation facts. Failed commands the verdict found failing before the agent are moved out of the
 * failed ones and count as test evidence, as they did in the verdict; the DoD gate reads the same numbers.
 */
function validationOf(a: StreamAnalysis | null, c: Classification | null): RunDigest['validation'] {
  const preExisting = stringList(c?.details.pre_existing_test_failures).filter((cmd) => a?.failed_test_commands.includes(cmd));
  const failed = a?.failed_test_commands.filter((cmd) => !preExisting.includes(cmd)) ?? [];
  const tests = [...(a?.test_commands ?? []), ...preExisting.filter((cmd) => !a?.test_commands.includes(cmd))];
  const failing: FailingTest[] = c?.failing_tests ?? attributeTestFailures(a, null).failing_tests;
  return {
    test_command_count: tests.length,
    test_commands: tests,
    failed_test_command_count: Math.max(0, (a?.failed_test_command_count ?? 0) - preExisting.length),
    failed_test_commands: failed,
    waived_test_failures: a?.waived_test_failures ?? [],
    pre_existing_test_failures: preExisting,
    failing_tests: failing.map((t) => ({ name: t.name, excerpt: t.excerpt, before_agent: t.before_agent })),
  };
}

function emptyCategories(): Record<CommandCategory, number> {
  return Object.fromEntries(COMMAND_CATEGORIES.map((c) => [c, 0])) as Record<CommandCategory, number>;
}

/**
 * Builds the run digest from an attempt's analysis and verdict. Pure: every value, including the
 * time, is passed in.
 */
export function buildRunDigest(input: RunDigestInput): RunDigest {
  const a = input.analysis;
  const c = input.classification;
  const categories = a ? { ...a.command_categories } : emptyCategories();
  const sum = COMMAND_CATEGORIES.reduce((x, k) => x + categories[k], 0);
  const share = Object.fromEntries(COMMAND_CATEGORIES.map((k) => [k, sum === 0 ? 0 : round2((100 * categories[k]) / sum)])) as Record<CommandCategory, number>;
  const grade = c?.grade ?? 'UNKNOWN';
  const reason = c?.reason_code ?? 'unknown';
  const plan = input.skillPlan;
  return {
    run: { ...input.run },
    state: { before: input.stateBefore, after: input.stateAfter },
    attempt: {
      attempt_no: input.attempt.attemptNo,
      duration_ms: input.attempt.durationMs,
      exit_code: input.attempt.agentExit,
      engine: engineName(input.attempt.engine),
      model: engineName(input.attempt.model),
    },
    classification: { grade, reason_code: reason, next_action: c?.next_action ?? 'escalate', evidence: c?.evidence ?? [], details: c?.details ?? {} },
    skills: { mode: plan?.mode ?? 'off', required_now: plan?.required_now ?? [], missing_required: plan?.missing_required ?? [], available_optional: plan?.available_optional ?? [] },
    validation: validationOf(a, c),
    changes: input.diff,
    workspace: input.workspace ?? { head_sha: null, tree_sha: null, baseline_sha: null },
    policy_used: { ...input.policyUsed },
    commands: {
      sample_count: a?.command_count ?? 0,
      sample: a?.commands.slice(0, 40) ?? [],
      categories,
      category_share_pct: share,
      top_by_duration: a?.summary.top_commands_by_duration ?? [],
      top_by_frequency: a?.summary.top_commands_by_frequency ?? [],
    },
    stages: input.stages,
    events: {
      parsed_event_count: a?.summary.parsed_event_count ?? 0,
      parse_error_count: a?.summary.parse_error_count ?? 0,
      event_type_counts: a?.summary.event_type_counts ?? {},
      command_event_count: a?.summary.command_event_count ?? 0,
    },
    usage: a?.summary.usage ?? {},
    safety: {
      violation_count: a?.safety_violations.length ?? 0,
      violations: a?.safety_violations ?? [],
      finding_count: a?.safety_findings.length ?? 0,
      findings: a?.safety_findings.slice(0, 40) ?? [],
    },
    preflight: input.preflight ? { ok: input.preflight.ok, skipped: false, failures: input.preflight.failures } : { ok: null, skipped: true, failures: [] },
    stream: { format: a?.summary.format ?? 'unknown', hidden_failures: a?.hidden_failures ?? [], agent_status: a?.agent_status?.status ?? null, malformed_line_count: a?.summary.parse_error_count ?? 0 },
    manager_recommendation: managerRecommendation(grade, reason, input.stateAfter),
    artifacts: {
      agent_report_path: input.artifacts?.agent_report_path ?? '',
      event_stream_path: input.artifacts?.event_stream_path ?? '',
      last_message_path: input.artifacts?.last_message_path ?? '',
    },
    generated_at: input.now.toISOString(),
  };
}
