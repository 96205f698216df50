import type { AgentProcessResult, SkillPlan } from '@agentpr/codex-runner';
import {
  buildRunDigest,
  buildRuntimeReport,
  buildStageSnapshot,
  renderManagerInsight,
  runtimeReportMetadata,
  type AgentRunFacts,
  type Classification,
  type DiffSummary,
  type PreflightOutcome,
  type RuntimeReport,
  type StreamAnalysis,
  type WorkspaceIdentity as RuntimeWorkspace,
} from '@agentpr/runtime-analysis';
import type { RunState } from '@agentpr/state-machine';
import { addArtifact, listAttempts } from '@agentpr/store';
import type { WorkspaceIdentity } from '@agentpr/workspace';
import type { AgentStepReports } from './agent-step-result.js';
import { attemptModelOf } from './attempt-usage.js';
import type { StepScope } from './parameters.js';

/** Where the attempt's event stream went, and why it was or was not kept. */
export interface EventStreamRetention {
  path: string;
  retained: boolean;
  reason: string;
}

/** Everything the runtime report, digest and insight describe. */
export interface ReportInput {
  stateAfter: RunState;
  attemptNo: number;
  streak: number;
  classification: Classification;
  analysis: StreamAnalysis | null;
  process: AgentProcessResult | null;
  diff: DiffSummary | null;
  identity: (WorkspaceIdentity & { baseline_sha?: string | null }) | null;
  preflight: PreflightOutcome | null;
  preflightReport: unknown;
  skillPlan: SkillPlan | null;
  taskPacketPath: string | null;
  eventStream: EventStreamRetention;
  lastMessage: string | null;
  runtimePolicy: Record<string, unknown> | null;
  /** What confined the agent and what it was denied (isolation, network, egress denials, protected changes). */
  sandbox?: Record<string, unknown>;
}

/** Claude's settings as the report names them (the policy's keys). */
function claudeSettings(p: StepScope['params']): Record<string, unknown> {
  const c = p.claude;
  return { permission_mode: c.permissionMode, allowed_tools: c.allowedTools, disallowed_tools: c.disallowedTools, max_turns: c.maxTurns };
}

function runtimeSection(s: StepScope, r: ReportInput): Record<string, unknown> {
  const p = s.params;
  const claude = p.engine.engine === 'claude';
  return {
    engine: p.engine.engine,
    engine_source: p.engine.source,
    model: p.model,
    ...(claude ? { claude: claudeSettings(p) } : {}),
    codex_sandbox: p.sandbox,
    codex_model: claude ? null : p.model,
    codex_full_auto: false,
    agent_args: s.input.agentArgs ?? [],
    policy: r.runtimePolicy,
    attempt_no: r.attemptNo,
    retryable_streak: r.streak,
    max_retryable_attempts: p.maxRetryableAttempts,
    min_test_commands: p.minTestCommands,
    known_test_failure_allowlist: p.allowlist,
    skills_mode: p.skillsMode,
    skill_plan: r.skillPlan,
    task_packet_path: r.taskPacketPath,
    event_stream_path: r.eventStream.path,
    last_message_path: r.lastMessage,
    manager_policy: {
      path: s.ctx.paths.policyFile,
      loaded: p.policyLoaded,
      run_agent_step: {
        ...p.policy.run_agent_step,
        effective: p.effective,
        resolved_success_state: p.successState,
        resolved_on_retryable_state: p.onRetryable,
        resolved_on_human_review_state: p.onHumanReview,
        resolved_success_event_stream_sample_pct: p.samplePct,
        resolved_max_agent_seconds: p.maxAgentSeconds,
        resolved_known_test_failure_allowlist: p.allowlist,
      },
    },
    event_stream_retained: r.eventStream.retained,
    event_stream_retention_reason: r.eventStream.reason,
  };
}

/** How many of the run's latest attempts the digest's stage snapshot covers. */
const STAGE_SNAPSHOT_ATTEMPTS = 600;

function workspaceOf(r: ReportInput): RuntimeWorkspace | null {
  return r.identity ? { head_sha: r.identity.head_sha, tree_sha: r.identity.tree_sha, baseline_sha: r.identity.baseline_sha ?? null } : null;
}

function agentFacts(r: ReportInput): AgentRunFacts | null {
  const p = r.process;
  return p ? { agentExit: p.agentExit, durationMs: p.durationMs, timedOut: p.timedOut, interrupted: p.interrupted } : null;
}

/** The runtime report: the process result, the runtime and policy used, signals and the verdict. */
function runtimeReport(s: StepScope, r: ReportInput, now: Date): RuntimeReport {
  return buildRuntimeReport({
    runId: s.runId,
    engine: s.params.engine.engine,
    agent: agentFacts(r),
    runtime: runtimeSection(s, r),
    workspace: workspaceOf(r),
    sandbox: r.sandbox ?? null,
    preflight: r.preflightReport,
    analysis: r.analysis,
    diff: r.diff,
    eventStream: r.eventStream,
    classification: r.classification,
    now,
  });
}

async function runDigest(s: StepScope, r: ReportInput, reportPath: string, now: Date) {
  const run = s.run.run;
  const attempts = (await listAttempts(s.ctx.db, s.runId, { limit: STAGE_SNAPSHOT_ATTEMPTS })).reverse();
  const p = s.params;
  const agent = agentFacts(r);
  return buildRunDigest({
    run: { run_id: s.runId, owner: run.owner, repo: run.repo, mode: run.mode, prompt_version: run.prompt_version, workspace_dir: run.workspace_dir },
    stateBefore: s.stage,
    stateAfter: r.stateAfter,
    attempt: {
      attemptNo: r.attemptNo,
      durationMs: agent?.durationMs ?? 0,
      agentExit: agent ? agent.agentExit : null,
      engine: p.engine.engine,
      model: r.analysis ? attemptModelOf(p.engine.engine, { model: p.model, agentArgs: s.input.agentArgs }, s.ctx.env, r.analysis.summary) : p.model,
    },
    classification: r.classification,
    skillPlan: r.skillPlan,
    analysis: r.analysis,
    diff: r.diff,
    workspace: workspaceOf(r),
    policyUsed: { max_changed_files: p.maxChangedFiles, max_added_lines: p.maxAddedLines, min_test_commands: p.minTestCommands, skills_mode: p.skillsMode },
    stages: buildStageSnapshot(attempts),
    preflight: r.preflight,
    artifacts: { agent_report_path: reportPath, event_stream_path: r.eventStream.path, last_message_path: r.lastMessage ?? '' },
    now,
  });
}

/**
 * Writes the runtime report, digest and insight (never overwritten: each has its own stamp; redacted by the artifact
 * writer) and records them as artefacts.
 */
export async function writeReports(s: StepScope, r: ReportInput): Promise<AgentStepReports> {
  const { ctx, runId } = s;
  const dir = ctx.paths.reportsDir;
  const now = ctx.clock();
  const c = r.classification;
  const report = runtimeReport(s, r, now);
  const reportPath = ctx.artifacts.writeNew(dir, `${runId}_agent_runtime_`, '.json', `${JSON.stringify(report, null, 2)}\n`);
  const metadata = runtimeReportMetadata(report, r.eventStream);
  await addArtifact(ctx.db, { runId, type: 'agent_runtime_report', uri: reportPath, metadata }, ctx.clock);
  const digest = await runDigest(s, r, reportPath, now);
  const digestPath = ctx.artifacts.writeNew(dir, `${runId}_run_digest_`, '.json', `${JSON.stringify(digest, null, 2)}\n`);
  const verdict = { grade: c.grade, reason_code: c.reason_code, state_after: r.stateAfter };
  await addArtifact(ctx.db, { runId, type: 'run_digest', uri: digestPath, metadata: { ...verdict, attempt_no: r.attemptNo } }, ctx.clock);
  const insightPath = ctx.artifacts.writeNew(dir, `${runId}_manager_insight_`, '.md', renderManagerInsight(digest));
  await addArtifact(ctx.db, { runId, type: 'manager_insight', uri: insightPath, metadata: verdict }, ctx.clock);
  return { report: reportPath, digest: digestPath, insight: insightPath };
}
