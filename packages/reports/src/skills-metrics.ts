import { listArtifactsByType } from '@agentpr/store';
import type { ReportContext } from './report-context.js';
import { ReportError } from './errors.js';
import { int, obj, strings, text } from './json-values.js';
import { readJsonObject } from './report-files.js';

/** Input of {@link skillsMetrics}. */
export interface SkillsMetricsInput {
  /** Only this run's reports; default all runs. */
  runId?: string;
  /** How many of the newest `agent_runtime_report` artefacts (default 200). */
  limit?: number;
}

/** Per-skill outcome counts. */
export interface SkillStats {
  skill: string;
  samples: number;
  grades: Record<string, number>;
  reasons: Record<string, number>;
  states: Record<string, number>;
  /** The first 20 run ids (newest first, distinct). */
  runs: string[];
}

/** The skills-metrics document. */
export interface SkillsMetricsResult {
  ok: true;
  scope_run_id: string | null;
  scanned_artifacts: number;
  parsed_reports: number;
  mode_counts: Record<string, number>;
  grade_counts: Record<string, number>;
  reason_code_counts: Record<string, number>;
  state_counts: Record<string, number>;
  per_skill: SkillStats[];
  missing_required_counts: Record<string, number>;
  latest: Array<Record<string, unknown>>;
  failures: Array<{ run_id: string; artifact_id: number; error: string }>;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * skills-metrics: outcome counts per skills mode, grade, reason, stage and skill over the newest
 * agent runtime reports. Unreadable report files are listed as failures, not fatal.
 *
 * @example
 * const m = await skillsMetrics(ctx, { limit: 200 });
 * m.grade_counts; // {PASS: 12, HUMAN_REVIEW: 5}
 */
export async function skillsMetrics(ctx: Pick<ReportContext, 'db'>, input: SkillsMetricsInput = {}): Promise<SkillsMetricsResult> {
  const limit = input.limit ?? 200;
  if (!Number.isInteger(limit) || limit < 1) throw new ReportError('usage', `--limit must be an integer of at least 1, got ${limit}`);
  const artifacts = await listArtifactsByType(ctx.db, 'agent_runtime_report', { limit, runId: input.runId });
  const out: SkillsMetricsResult = {
    ok: true,
    scope_run_id: input.runId ?? null,
    scanned_artifacts: artifacts.length,
    parsed_reports: 0,
    mode_counts: {},
    grade_counts: {},
    reason_code_counts: {},
    state_counts: {},
    per_skill: [],
    missing_required_counts: {},
    latest: [],
    failures: [],
  };
  const perSkill = new Map<string, SkillStats>();
  for (const artifact of artifacts) {
    const r = readJsonObject(artifact.uri);
    if (!r.ok) {
      out.failures.push({ run_id: artifact.run_id, artifact_id: artifact.id, error: `${r.error.replace(/_/g, ' ')}: ${artifact.uri}` });
      continue;
    }
    out.parsed_reports++;
    const report = r.value;
    const runtime = obj(report.runtime);
    const classification = obj(report.classification);
    const plan = runtime.skill_plan !== null && typeof runtime.skill_plan === 'object' ? obj(runtime.skill_plan) : undefined;
    const mode = text(runtime.skills_mode, 'off');
    const grade = text(classification.grade, 'UNKNOWN');
    const reason = text(classification.reason_code, 'unknown');
    const runState = plan ? text(plan.run_state, '') : '';
    bump(out.mode_counts, mode);
    bump(out.grade_counts, grade);
    bump(out.reason_code_counts, reason);
    if (plan && runState) bump(out.state_counts, runState);
    const required = plan ? strings(plan.required_now) : [];
    const optional = plan ? strings(plan.available_optional) : [];
    const missing = plan ? strings(plan.missing_required) : [];
    for (const skill of missing) bump(out.missing_required_counts, skill);
    for (const skill of [...new Set([...required, ...optional])].sort()) {
      const s = perSkill.get(skill) ?? { skill, samples: 0, grades: {}, reasons: {}, states: {}, runs: [] };
      s.samples++;
      bump(s.grades, grade);
      bump(s.reasons, reason);
      if (runState) bump(s.states, runState);
      if (s.runs.length < 20 && !s.runs.includes(artifact.run_id)) s.runs.push(artifact.run_id);
      perSkill.set(skill, s);
    }
    if (out.latest.length < 20) {
      out.latest.push({
        run_id: text(report.run_id, artifact.run_id),
        created_at: text(report.created_at, artifact.created_at),
        skills_mode: mode,
        run_state: runState || null,
        grade,
        reason_code: reason,
        attempt_no: int(runtime.attempt_no, null),
        max_retryable_attempts: int(runtime.max_retryable_attempts, null),
        required_now: required,
        available_optional: optional,
        missing_required: missing,
        report_path: artifact.uri,
      });
    }
  }
  out.per_skill = [...perSkill.values()].map((s, i) => ({ s, i })).sort((a, b) => b.s.samples - a.s.samples || a.i - b.i).map((x) => x.s);
  out.failures = out.failures.slice(0, 20);
  return out;
}
