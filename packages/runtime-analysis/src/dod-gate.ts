/** Why a run digest could not be loaded. */
export type DigestLoadError = 'missing_run_digest_artifact' | 'empty_run_digest_uri' | 'run_digest_file_not_found' | 'run_digest_unreadable' | 'run_digest_invalid_payload';

/** One failed DoD check. */
export interface DodCheck {
  code: string;
  message: string;
}

/** The DoD gate result. */
export interface DodGateResult {
  ok: boolean;
  failed_checks: DodCheck[];
  snapshot?: {
    grade: string;
    reason_code: string;
    test_command_count: number;
    failed_test_command_count: number;
    changed_files_count: number;
    added_lines: number;
    skills_mode: string;
  };
}

/** The thresholds of the effective policy (fallback for digests written before `policy_used` existed). */
export interface DodPolicy {
  max_changed_files: number;
  max_added_lines: number;
  min_test_commands: number;
  skills_mode: string;
}

/** Inputs of {@link evaluateDodGate}; the git tree comparison is done by the caller. */
export interface DodGateInput {
  /** The payload of the latest `run_digest` artefact, or null when it could not be loaded. */
  digest: Record<string, unknown> | null;
  digestLoadError?: DigestLoadError | null;
  /** Whether the run has any `contract` artefact. */
  hasContract: boolean;
  /** The effective policy for the run's repo. */
  effectivePolicy: DodPolicy;
  /**
   * The tree of the pushed head commit (`git rev-parse <sha>^{tree}` of the latest `branch` artefact). Undefined
   * skips the freshness check (e.g. before a push); null means the pushed head is unknown, which fails it.
   */
  pushedTreeSha?: string | null;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

/**
 * Checks that a digest payload has the shape the gate reads; `run_digest_invalid_payload` otherwise.
 */
export function checkDigestPayload(payload: unknown): { ok: true; digest: Obj } | { ok: false; error: DigestLoadError } {
  const d = obj(payload);
  if (Object.keys(d).length === 0 || typeof d.classification !== 'object' || d.classification === null) return { ok: false, error: 'run_digest_invalid_payload' };
  return { ok: true, digest: d };
}

/** The PASS reasons a PR may be opened on: clean, or with failures the allowlist or the baseline accounts for. */
const PASS_REASONS: ReadonlySet<string> = new Set(['runtime_success', 'runtime_success_allowlisted_test_failures', 'runtime_success_pre_existing_test_failures']);

/**
 * Evaluates the Definition-of-Done gate for opening a PR: the latest digest must be a PASS
 * (`runtime_success`, `runtime_success_allowlisted_test_failures` or `runtime_success_pre_existing_test_failures`), preflight ran and passed, no
 * safety violation, enough test evidence and no unwaived failures — judged against the thresholds the
 * attempt actually used (`digest.policy_used`, not the policy as it is now) — skills as required, and the digest must describe the
 * pushed tree. Pure: loading and git are the caller's.
 */
export function evaluateDodGate(input: DodGateInput): DodGateResult {
  const failed: DodCheck[] = [];
  if (input.digestLoadError) failed.push({ code: 'digest_load_error', message: input.digestLoadError });
  if (!input.hasContract) failed.push({ code: 'missing_contract', message: 'no contract artifact; run mark-plan-ready with a contract first' });
  const d = input.digest;
  if (!d) {
    failed.push({ code: 'missing_digest', message: 'no run digest to judge; run run-agent-step first' });
    return { ok: false, failed_checks: failed };
  }
  const cls = obj(d.classification);
  const validation = obj(d.validation);
  const changes = obj(d.changes);
  const skills = obj(d.skills);
  const preflight = obj(d.preflight);
  const safety = obj(d.safety);
  const used = obj(d.policy_used);
  const pol = input.effectivePolicy;
  const thresholds = {
    max_changed_files: num(used.max_changed_files, pol.max_changed_files),
    max_added_lines: num(used.max_added_lines, pol.max_added_lines),
    min_test_commands: num(used.min_test_commands, pol.min_test_commands),
  };
  const grade = typeof cls.grade === 'string' ? cls.grade : 'UNKNOWN';
  const reason = typeof cls.reason_code === 'string' ? cls.reason_code : 'unknown';
  const testCount = num(validation.test_command_count, 0);
  const failedCount = num(validation.failed_test_command_count, 0);
  const changedFiles = num(changes.changed_files_count, 0);
  const addedLines = num(changes.added_lines, 0);
  const skillsMode = typeof skills.mode === 'string' ? skills.mode : typeof used.skills_mode === 'string' ? used.skills_mode : 'off';
  const violations = num(safety.violation_count, 0);
  const findings = num(safety.finding_count, 0);

  if (grade !== 'PASS') failed.push({ code: 'runtime_not_pass', message: `classification grade=${grade}` });
  if (!PASS_REASONS.has(reason)) failed.push({ code: 'runtime_not_runtime_success', message: `classification reason_code=${reason}` });
  if (preflight.ok !== true) failed.push({ code: 'preflight_not_ok', message: preflight.skipped === true || preflight.ok === null || preflight.ok === undefined ? 'preflight was skipped' : 'preflight failed' });
  if (violations + findings > 0) failed.push({ code: 'safety_violation_present', message: `violation_count=${violations}${findings > 0 ? `, finding_count=${findings}` : ''}` });
  if (thresholds.min_test_commands > 0 && testCount < thresholds.min_test_commands) failed.push({ code: 'insufficient_test_evidence', message: `required=${thresholds.min_test_commands}, observed=${testCount}` });
  if (failedCount > 0) failed.push({ code: 'failed_test_commands_present', message: `failed_test_command_count=${failedCount}` });
  if (thresholds.max_changed_files > 0 && changedFiles > thresholds.max_changed_files) failed.push({ code: 'changed_files_budget_exceeded', message: `max=${thresholds.max_changed_files}, observed=${changedFiles}` });
  if (thresholds.max_added_lines > 0 && addedLines > thresholds.max_added_lines) failed.push({ code: 'added_lines_budget_exceeded', message: `max=${thresholds.max_added_lines}, observed=${addedLines}` });
  if (pol.skills_mode === 'agentpr' && skillsMode === 'off') failed.push({ code: 'skills_mode_mismatch', message: 'expected=agentpr, observed=off' });
  const missing = Array.isArray(skills.missing_required) ? skills.missing_required.map(String) : [];
  if (skillsMode === 'agentpr' && missing.length > 0) failed.push({ code: 'missing_required_skills', message: missing.slice(0, 5).join(', ') });
  if (input.pushedTreeSha !== undefined) {
    const digestTree = typeof obj(d.workspace).tree_sha === 'string' ? (obj(d.workspace).tree_sha as string) : null;
    if (input.pushedTreeSha === null) failed.push({ code: 'digest_stale', message: 'the pushed head is unknown (no branch artifact), so the digest cannot be tied to it' });
    else if (digestTree === null) failed.push({ code: 'digest_stale', message: `the digest records no tree_sha; pushed tree is ${input.pushedTreeSha}` });
    else if (digestTree !== input.pushedTreeSha) failed.push({ code: 'digest_stale', message: `digest tree_sha=${digestTree}, pushed tree=${input.pushedTreeSha}; run run-agent-step again on the pushed head` });
  }
  return {
    ok: failed.length === 0,
    failed_checks: failed,
    snapshot: {
      grade, reason_code: reason, test_command_count: testCount, failed_test_command_count: failedCount,
      changed_files_count: changedFiles, added_lines: addedLines, skills_mode: skillsMode,
    },
  };
}
