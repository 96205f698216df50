import {
  latestArtifact,
  latestGateChecks,
  listAttempts,
  listAttemptSummaries,
  listEvents,
  requireRun,
  runUsage,
  type Artifact,
  type AttemptSummary,
  type StepAttemptRow,
} from '@agentpr/store';
import { stepTotals, type StepTotal } from '@agentpr/runtime-analysis';
import { allowedTargets, isTerminal, type RunState } from '@agentpr/state-machine';
import type { ReportContext } from './report-context.js';
import { pricedCost, pricingFor, type RunPricing } from './cost.js';
import type { CostSummary } from './token-totals.js';
import { engineUsage, type EngineUsage } from './engine-usage.js';
import { engineLabel } from './engine-name.js';
import { gateVerdictViews, type GateVerdictView } from './gate-verdicts.js';
import { ReportError } from './errors.js';
import { int, obj, strings, text } from './json-values.js';
import { latestCiVerdict, type CiVerdictView } from './latest-ci-verdict.js';
import { readJsonObject, readTail, tailLines } from './report-files.js';

/** Input of {@link inspectRun}. */
export interface InspectRunInput {
  runId: string;
  /** Attempts examined (default 120). */
  attemptLimit?: number;
  /** Events listed (default 60). */
  eventLimit?: number;
  /** Commands listed from the latest runtime report (default 20). */
  commandLimit?: number;
  /** Add stdout/stderr tails (last 20 lines) to each attempt. */
  includeLogTails?: boolean;
}

/** The inspect-run document. */
export interface InspectRunResult {
  ok: true;
  run: Record<string, unknown>;
  state: RunState;
  allowed_targets: RunState[];
  recommended_actions: string[];
  warnings: string[];
  timing: {
    step_attempt_count: number;
    total_step_duration_ms: number;
    run_wall_clock_ms: number;
    step_window_ms: number;
    step_totals: StepTotal[];
    attempts: Array<Record<string, unknown>>;
  };
  events: { count: number; items: Array<Record<string, unknown>> };
  latest_agent_runtime: Record<string, unknown> | null;
  latest_run_digest: Record<string, unknown> | null;
  latest_manager_insight: { path: string; preview: string } | null;
  /** GitHub's latest CI verdict on the run's latest push, with the failing checks it recorded; null before one. */
  latest_ci: CiVerdictView | null;
  /** The tokens all the run's agent attempts used and what they cost (the policy's price table). */
  usage: CostSummary;
  /** The same per agent engine and model (`claude · claude-sonnet-4-5`), the costliest first; empty without agent attempts. */
  usage_by_engine: EngineUsage[];
  /** The latest verdict of each citizenship gate (AI policy, etiquette, duplicates), with the AI stance and its quotes. */
  gates: GateVerdictView[];
}

/**
 * An agent attempt's engine (`codex`, `claude`; null when recorded before engines were), model, the two as one label
 * for people (`claude · claude-sonnet-4-5`), tokens and cost; nothing for other steps.
 */
function attemptUsage(a: AttemptSummary, priced: RunPricing): Record<string, unknown> {
  if (a.step !== 'agent' && !a.engine) return {};
  const tokens = {
    input_tokens: a.input_tokens ?? 0,
    cached_input_tokens: a.cached_input_tokens ?? 0,
    output_tokens: a.output_tokens ?? 0,
    reasoning_tokens: a.reasoning_tokens ?? 0,
  };
  const reported = a.input_tokens !== null || a.output_tokens !== null ? 1 : 0;
  const cost = pricedCost([{ engine: a.engine, model: a.model, attempts: 1, reported, ...tokens }], priced);
  return { engine: a.engine, model: a.model, engine_label: engineLabel(a.engine, a.model), ...tokens, cost: reported ? cost.cost : null };
}

/**
 * The commands inspect-run recommends in a state. Each is accepted in that state: e.g.
 * `PLAN_READY` suggests `start-implementation`, never `run-agent-step`.
 */
export function recommendedActions(state: RunState, runId: string, lastActiveState: RunState | null): string[] {
  const id = `--run-id ${runId}`;
  const agentStep = `agentpr run-agent-step ${id} --prompt-file <path> --success-state LOCAL_VALIDATING`;
  switch (state) {
    case 'QUEUED':
      return [`agentpr start-discovery ${id}`, `agentpr run-prepare ${id}`];
    case 'DISCOVERY':
      return [`agentpr mark-plan-ready ${id} --contract-path <path>`, `agentpr run-agent-step ${id} --prompt-file <path>`];
    case 'PLAN_READY':
      return [`agentpr start-implementation ${id}`];
    case 'IMPLEMENTING':
      return [agentStep];
    case 'LOCAL_VALIDATING':
      return [agentStep, `agentpr run-finish ${id} --changes <summary>`];
    case 'PUSHED':
      return [`agentpr request-open-pr ${id}`, 'the manager writes the request by itself; approve it in Telegram or with agentpr pending-prs'];
    case 'CI_WAIT':
      return [`agentpr sync-github ${id}`, 'webhook preferred; run sync-github in a loop as the fallback'];
    case 'REVIEW_WAIT':
      return [`agentpr sync-github ${id}`, `agentpr record-review ${id} --state changes_requested`];
    case 'ITERATING':
      return [agentStep, `agentpr start-implementation ${id}`];
    case 'NEEDS_HUMAN_REVIEW':
      return [`agentpr inspect-run ${id}`, `agentpr reset-workspace ${id}`, `agentpr retry ${id} --target-state IMPLEMENTING`];
    case 'FAILED_RETRYABLE':
      return [`agentpr retry ${id} --target-state ${lastActiveState ?? 'IMPLEMENTING'}`, `agentpr inspect-run ${id}`];
    case 'PAUSED':
      return [`agentpr resume ${id}`];
    default:
      return [];
  }
}

function firstKeysSorted(payload: Record<string, unknown>, n: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(payload)
      .sort()
      .slice(0, n)
      .map((k) => [k, payload[k]]),
  );
}

function ms(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

function latestRuntime(artifact: Artifact | undefined, commandLimit: number, warnings: string[]): Record<string, unknown> | null {
  if (!artifact) return null;
  const r = readJsonObject(artifact.uri);
  if (!r.ok) {
    warnings.push(`latest agent runtime report ${artifact.uri}: ${r.error.replace(/_/g, ' ')}`);
    return null;
  }
  const report = r.value;
  const result = obj(report.result);
  const runtime = obj(report.runtime);
  const signals = obj(report.signals);
  const classification = obj(report.classification);
  const testCommands = strings(signals.test_commands);
  const failed = strings(signals.failed_test_commands);
  const sample = strings(signals.commands_sample);
  const lastMessagePath = typeof runtime.last_message_path === 'string' ? runtime.last_message_path : null;
  const preview = lastMessagePath ? tailLines(readTail(lastMessagePath, 256 * 1024) ?? '', 10) : '';
  return {
    report_path: artifact.uri,
    created_at: text(report.created_at, artifact.created_at),
    duration_ms: int(result.duration_ms, null),
    exit_code: int(result.exit_code, null),
    grade: text(classification.grade, 'UNKNOWN'),
    reason_code: text(classification.reason_code, 'unknown'),
    next_action: text(classification.next_action, ''),
    skills_mode: text(runtime.skills_mode, 'off'),
    attempt_no: int(runtime.attempt_no, null),
    test_commands: testCommands.slice(0, 20),
    test_command_count: testCommands.length,
    failed_test_commands: failed.slice(0, 20),
    failed_test_command_count: failed.length,
    command_sample: sample.slice(0, commandLimit),
    command_sample_count: int(signals.command_sample_count, sample.length),
    command_categories: obj(signals.command_categories),
    agent_event_summary: obj(signals.agent_event_summary),
    event_stream_path: text(runtime.event_stream_path, ''),
    last_message_path: lastMessagePath,
    last_message_preview: preview,
    diff: signals.diff ?? null,
    evidence: evidenceNotes(classification.evidence),
  };
}

/** The verdict's evidence as its one-sentence notes (at most 12, each cut to 300 characters), command first when known. */
function evidenceNotes(value: unknown): Array<{ note: string; command: string | null; exit_code: number | null }> {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 12).flatMap((item: unknown) => {
    const e = obj(item);
    if (typeof e.note !== 'string') return [];
    return [{ note: e.note.slice(0, 300), command: typeof e.command === 'string' ? e.command.slice(0, 300) : null, exit_code: int(e.exit_code, null) }];
  });
}

function latestDigest(artifact: Artifact | undefined, warnings: string[]): Record<string, unknown> | null {
  if (!artifact) return null;
  const r = readJsonObject(artifact.uri);
  if (!r.ok) {
    warnings.push(`latest run digest ${artifact.uri}: ${r.error.replace(/_/g, ' ')}`);
    return null;
  }
  const d = r.value;
  const c = obj(d.classification);
  const state = obj(d.state);
  const stages = obj(d.stages);
  return {
    path: artifact.uri,
    generated_at: text(d.generated_at, artifact.created_at),
    grade: text(c.grade, 'UNKNOWN'),
    reason_code: text(c.reason_code, 'unknown'),
    state_before: text(state.before, ''),
    state_after: text(state.after, ''),
    recommended_action: text(obj(d.manager_recommendation).action, ''),
    top_step: text(stages.top_step, ''),
    step_attempt_count: int(stages.step_attempt_count, 0),
  };
}

/**
 * inspect-run: one run's state, the commands it accepts next, timing per step, its recent events, a summary
 * of its latest runtime report, digest and insight, GitHub's latest CI verdict (with the failing checks), the tokens and
 * cost of its agent attempts (priced with `ctx.paths.policyFile`'s table when given) and each gate's latest verdict.
 * Read-only; missing or broken report files become warnings, a policy that cannot be loaded a cost of null with a note.
 *
 * @example
 * const view = await inspectRun(ctx, { runId: 'run_45f3cbdcdc56' });
 * view.recommended_actions[0]; // 'agentpr start-implementation --run-id run_45f3cbdcdc56'
 */
export async function inspectRun(ctx: Pick<ReportContext, 'db'> & Partial<Pick<ReportContext, 'paths'>>, input: InspectRunInput): Promise<InspectRunResult> {
  const attemptLimit = input.attemptLimit ?? 120;
  const eventLimit = input.eventLimit ?? 60;
  const commandLimit = input.commandLimit ?? 20;
  for (const [name, v] of [['--attempt-limit', attemptLimit], ['--event-limit', eventLimit], ['--command-limit', commandLimit]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ReportError('usage', `${name} must be an integer of at least 1, got ${v}`);
  }
  const { run, state } = await requireRun(ctx.db, input.runId);
  // The logs (64 KiB a stream) are read only when their tails are asked for.
  const attempts: Array<AttemptSummary & Partial<Pick<StepAttemptRow, 'stdout_log' | 'stderr_log'>>> = (
    input.includeLogTails
      ? await listAttempts(ctx.db, run.run_id, { limit: attemptLimit })
      : await listAttemptSummaries(ctx.db, run.run_id, { limit: attemptLimit })
  ).reverse();
  const events = (await listEvents(ctx.db, run.run_id, { limit: eventLimit })).reverse();
  const warnings: string[] = [];
  const usageGroups = await runUsage(ctx.db, run.run_id);
  const priced = await pricingFor(usageGroups, ctx.paths?.policyFile);

  const totals = stepTotals(attempts);
  const totalMs = totals.reduce((x, t) => x + t.total_duration_ms, 0);
  const preflights = attempts.filter((a) => a.step === 'preflight').length;
  if (preflights > 1) warnings.push(`${preflights} preflight attempts: a standalone run-preflight and the preflight inside run-agent-step were both run; one of them is enough`);
  const top = totals[0];
  if (top && top.step === 'agent' && top.share_of_total_pct >= 85) {
    warnings.push(`the agent step takes ${top.share_of_total_pct.toFixed(2)}% of all step time; consider faster dependency installs, a narrower test scope or smaller stage tasks`);
  }

  const latestRuntimeReport = latestRuntime(await latestArtifact(ctx.db, run.run_id, 'agent_runtime_report'), commandLimit, warnings);
  const digest = latestDigest(await latestArtifact(ctx.db, run.run_id, 'run_digest'), warnings);
  const insightArtifact = await latestArtifact(ctx.db, run.run_id, 'manager_insight');
  let insight: InspectRunResult['latest_manager_insight'] = null;
  if (insightArtifact) {
    const t = readTail(insightArtifact.uri, 256 * 1024);
    if (t === undefined) warnings.push(`latest manager insight ${insightArtifact.uri}: not found`);
    else insight = { path: insightArtifact.uri, preview: tailLines(t, 24) };
  }

  return {
    ok: true,
    run: {
      run_id: run.run_id,
      owner: run.owner,
      repo: run.repo,
      mode: run.mode,
      prompt_version: run.prompt_version,
      workspace_dir: run.workspace_dir,
      pr_number: run.pr_number,
      campaign: run.campaign ?? null,
      linked_issue: run.linked_issue ?? null,
      created_at: run.created_at,
      updated_at: run.updated_at,
    },
    state: state.current_state,
    allowed_targets: isTerminal(state.current_state) ? [] : allowedTargets(state.current_state),
    recommended_actions: recommendedActions(state.current_state, run.run_id, state.last_active_state),
    warnings,
    timing: {
      step_attempt_count: attempts.length,
      total_step_duration_ms: totalMs,
      run_wall_clock_ms: Math.max(0, Math.trunc(ms(run.updated_at) - ms(run.created_at))),
      step_window_ms: attempts.length ? Math.max(0, Math.trunc(ms(attempts[attempts.length - 1]!.created_at) - ms(attempts[0]!.created_at))) : 0,
      step_totals: totals,
      attempts: attempts.map((a) => ({
        step: a.step,
        attempt_no: a.attempt_no,
        exit_code: a.exit_code,
        duration_ms: a.duration_ms,
        created_at: a.created_at,
        ...(a.grade ? { grade: a.grade, reason_code: a.reason_code } : {}),
        ...attemptUsage(a, priced),
        ...(input.includeLogTails ? { stdout_tail: tailLines(a.stdout_log ?? ''), stderr_tail: tailLines(a.stderr_log ?? '') } : {}),
      })),
    },
    events: {
      count: events.length,
      items: events.map((e) => ({
        event_id: e.event_id,
        event_type: e.event_type,
        created_at: e.created_at,
        idempotency_key: e.idempotency_key,
        payload: firstKeysSorted(e.payload, 8),
      })),
    },
    latest_agent_runtime: latestRuntimeReport,
    latest_run_digest: digest,
    latest_manager_insight: insight,
    latest_ci: await latestCiVerdict(ctx.db, run.run_id),
    usage: pricedCost(usageGroups, priced),
    usage_by_engine: engineUsage(usageGroups, priced),
    gates: gateVerdictViews(await latestGateChecks(ctx.db, run.run_id)),
  };
}
