import { readFileSync } from 'node:fs';
import { latestArtifact } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { WorkspaceGit } from './git.js';

/** One failed Definition-of-Done check. */
export interface DodCheck {
  code: string;
  message: string;
}

/** The digest facts the approval shows next to the gate's verdict. */
export interface DodSnapshot {
  grade: string;
  reason_code: string;
  test_command_count: number;
  failed_test_command_count: number;
  changed_files_count: number;
  added_lines: number;
  skills_mode: string;
}

/** The verdict of the DoD gate (SPEC §6.3). */
export interface DodGateResult {
  ok: boolean;
  failed_checks: DodCheck[];
  snapshot?: DodSnapshot;
}

/** Thresholds used when a digest predates `policy_used` (the effective policy of the run's repository). */
export interface DodFallbackPolicy {
  min_test_commands: number;
  max_changed_files: number;
  max_added_lines: number;
  skills_mode: 'off' | 'agentpr';
}

/** The built-in policy defaults (SPEC §11.1). */
export const DEFAULT_DOD_POLICY: DodFallbackPolicy = { min_test_commands: 1, max_changed_files: 8, max_added_lines: 150, skills_mode: 'off' };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Math.trunc(Number(v)) : fallback);
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

function loadDigest(uri: string | undefined): { digest: Obj } | { error: string } {
  if (uri === undefined) return { error: 'missing_run_digest_artifact' };
  if (!uri.trim()) return { error: 'empty_run_digest_uri' };
  let raw: string;
  try {
    raw = readFileSync(uri, 'utf8');
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run_digest_file_not_found' : 'run_digest_unreadable' };
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'run_digest_invalid_payload' };
    return { digest: parsed as Obj };
  } catch {
    return { error: 'run_digest_invalid_payload' };
  }
}

/**
 * Evaluates the Definition of Done for a run before its PR is opened (SPEC §6.3, W14, W28): the latest run
 * digest must show a PASS with runtime success, a preflight that ran and passed, no safety violations, enough
 * passing test commands and no unwaived failures, a diff within the thresholds the run actually used, the
 * required skills — and it must describe the commit that was pushed (`digest_stale` otherwise).
 *
 * Implemented here because `@agentpr/runtime-analysis` does not export a DoD evaluation yet.
 */
export async function evaluateDodGate(
  ctx: AppContext,
  runId: string,
  options: { git: WorkspaceGit; policy?: DodFallbackPolicy },
): Promise<DodGateResult> {
  const policy = options.policy ?? DEFAULT_DOD_POLICY;
  const failed: DodCheck[] = [];
  const digestArtifact = await latestArtifact(ctx.db, runId, 'run_digest');
  const loaded = loadDigest(digestArtifact?.uri);
  if ('error' in loaded) failed.push({ code: 'digest_load_error', message: loaded.error });
  const contract = await latestArtifact(ctx.db, runId, 'contract');
  if (!contract) failed.push({ code: 'missing_contract', message: 'no contract artifact; run mark-plan-ready first' });
  if ('error' in loaded) {
    failed.push({ code: 'missing_digest', message: 'no run digest; run run-agent-step first' });
    return { ok: false, failed_checks: failed };
  }
  const digest = loaded.digest;
  const classification = obj(digest.classification);
  const validation = obj(digest.validation);
  const changes = obj(digest.changes);
  const skills = obj(digest.skills);
  const used = obj(digest.policy_used);
  const preflight = obj(digest.preflight);
  const safety = obj(digest.safety);
  const grade = text(classification.grade, 'UNKNOWN');
  const reasonCode = text(classification.reason_code, 'unknown');
  const minTests = num(used.min_test_commands, policy.min_test_commands);
  const maxFiles = num(used.max_changed_files, policy.max_changed_files);
  const maxLines = num(used.max_added_lines, policy.max_added_lines);
  const skillsMode = text(skills.mode, 'off');
  const snapshot: DodSnapshot = {
    grade,
    reason_code: reasonCode,
    test_command_count: num(validation.test_command_count),
    failed_test_command_count: num(validation.failed_test_command_count),
    changed_files_count: num(changes.changed_files_count),
    added_lines: num(changes.added_lines),
    skills_mode: skillsMode,
  };

  if (grade !== 'PASS') failed.push({ code: 'runtime_not_pass', message: `classification grade=${grade}` });
  if (reasonCode !== 'runtime_success' && reasonCode !== 'runtime_success_allowlisted_test_failures') {
    failed.push({ code: 'runtime_not_runtime_success', message: `classification reason_code=${reasonCode}` });
  }
  if (preflight.ok !== true || preflight.skipped === true) {
    failed.push({ code: 'preflight_not_ok', message: preflight.skipped === true ? 'preflight was skipped' : 'preflight failed or did not run' });
  }
  const violations = num(safety.violation_count);
  if (violations > 0) failed.push({ code: 'safety_violation_present', message: `violation_count=${violations}` });
  if (snapshot.test_command_count < minTests) {
    failed.push({ code: 'insufficient_test_evidence', message: `required=${minTests}, observed=${snapshot.test_command_count}` });
  }
  if (snapshot.failed_test_command_count > 0) {
    failed.push({ code: 'failed_test_commands_present', message: `failed_test_command_count=${snapshot.failed_test_command_count}` });
  }
  if (maxFiles > 0 && snapshot.changed_files_count > maxFiles) {
    failed.push({ code: 'changed_files_budget_exceeded', message: `max=${maxFiles}, observed=${snapshot.changed_files_count}` });
  }
  if (maxLines > 0 && snapshot.added_lines > maxLines) {
    failed.push({ code: 'added_lines_budget_exceeded', message: `max=${maxLines}, observed=${snapshot.added_lines}` });
  }
  const requiredMode = text(used.skills_mode, policy.skills_mode);
  if (requiredMode === 'agentpr' && skillsMode === 'off') {
    failed.push({ code: 'skills_mode_mismatch', message: 'expected=agentpr, observed=off' });
  }
  const missingSkills = Array.isArray(skills.missing_required) ? skills.missing_required.map(String) : [];
  if (skillsMode === 'agentpr' && missingSkills.length > 0) {
    failed.push({ code: 'missing_required_skills', message: missingSkills.slice(0, 5).join(',') });
  }
  const branch = await latestArtifact(ctx.db, runId, 'branch');
  const pushedSha = typeof branch?.metadata.sha === 'string' ? branch.metadata.sha : null;
  const digestTree = text(obj(digest.workspace).tree_sha);
  if (!pushedSha) {
    failed.push({ code: 'digest_stale', message: 'the run has no pushed head (branch artifact) to compare the digest with' });
  } else if (!digestTree) {
    failed.push({ code: 'digest_stale', message: 'the digest records no workspace.tree_sha' });
  } else {
    const pushedTree = await options.git.treeOf(pushedSha);
    if (pushedTree !== digestTree) {
      failed.push({ code: 'digest_stale', message: `pushed ${pushedSha} has tree ${pushedTree ?? '(unknown)'}, the digest describes tree ${digestTree}` });
    }
  }
  return { ok: failed.length === 0, failed_checks: failed, snapshot };
}
