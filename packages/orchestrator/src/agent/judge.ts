import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { classifyAttempt, decideRetention, type BaselineTests, type Classification, type DiffSummary, type SandboxDenial } from '@agentpr/runtime-analysis';
import { addArtifact, recordAttempt } from '@agentpr/store';
import { compareProtected, diffSummary, readAgentFile, snapshotProtected, workspaceIdentity, writeOwnFile, type ProtectedChange, type WorkspaceIdentity } from '@agentpr/workspace';
import { redactorFor } from '../secrets/redactor-for.js';
import { latestBaseline } from '../workspace/baseline.js';
import { budgetBaseline } from '../workspace/workspace-shared.js';
import { attemptModelOf, attemptUsageOf } from './attempt-usage.js';
import type { AttemptEnvironment } from './environment.js';
import { MAX_STREAM_LAST_MESSAGE_CHARS } from './last-message.js';
import type { LaunchOutcome } from './launch.js';
import type { StepScope } from './parameters.js';
import type { AttemptCount, CheckedWorkspace, StepPreflight } from './preflight.js';
import type { EventStreamRetention } from './reports.js';

/** The workspace after the agent: what it changed, what it left, what the sandbox refused. */
export interface WorkspaceAfter {
  protectedChanges: ProtectedChange[];
  sandboxDenials: SandboxDenial[];
  /** agentpr's own copy of the agent's last message, or null. */
  lastMessage: string | null;
  diff: DiffSummary | null;
  identity: (WorkspaceIdentity & { baseline_sha: string | null }) | null;
  /** The failing tests of the untouched base commit (run-prepare's baseline), or null when none was taken. */
  baselineTests: BaselineTests | null;
}

/**
 * The agent's last message, copied into agentpr's reports: codex's file read as hostile input (no symlink, a regular
 * file, capped), or the text an engine reported in its stream (kept in memory, never read from the workspace).
 */
async function copyLastMessage(s: StepScope, env: AttemptEnvironment, launch: LaunchOutcome, stamp: string, denials: SandboxDenial[]): Promise<string | null> {
  const { ctx, runId } = s;
  let text: string;
  let metadata: Record<string, unknown>;
  if (env.engine.lastMessageSource === 'stream') {
    if (launch.streamLastMessage === null) return null;
    text = launch.streamLastMessage;
    metadata = { size_bytes: Buffer.byteLength(text), truncated: text.length >= MAX_STREAM_LAST_MESSAGE_CHARS, source: 'stream' };
  } else {
    const path = env.prepared.paths.lastMessagePath;
    const last = await readAgentFile(path, { maxBytes: 256 * 1024, within: env.prepared.paths.runtimeDir });
    if (!last.ok) {
      if (last.code !== 'not_found') denials.push({ kind: 'file', target: path, reason: `last message refused: ${last.message}` });
      return null;
    }
    text = last.data.toString('utf8');
    metadata = { size_bytes: last.size, truncated: last.truncated };
  }
  const written = await writeOwnFile(ctx.paths.reportsDir, `${runId}_last_message_${stamp}.txt`, redactorFor(ctx).redact(text));
  if (!written.ok) return null;
  await addArtifact(ctx.db, { runId, type: 'agent_last_message', uri: written.path, metadata: { ...metadata, engine: launch.engine } }, ctx.clock);
  return written.path;
}

/**
 * Looks at the workspace after the agent. Protected files first, before any git command: a planted hook or
 * fsmonitor must never run in agentpr's own git; the budget diff and identity are skipped when they changed.
 */
export async function inspectWorkspace(
  s: StepScope,
  env: AttemptEnvironment,
  launch: LaunchOutcome,
  checked: CheckedWorkspace,
  stamp: string,
): Promise<WorkspaceAfter> {
  const { ctx, runId, repoDir } = s;
  const sandboxDenials: SandboxDenial[] = (launch.egress?.denials ?? []).map((d) => ({ kind: 'network', target: `${d.host}:${d.port}`, reason: `${d.reason}: ${d.detail}`, at: d.at }));
  const after = await snapshotProtected(repoDir);
  const protectedChanges = compareProtected(checked.protectedReference, after, { allowWorkflowChanges: checked.campaign.allow_workflow_changes });
  const lastMessage = await copyLastMessage(s, env, launch, stamp, sandboxDenials);
  const baselineTests = await latestBaseline(ctx, runId);
  if (protectedChanges.length > 0) return { protectedChanges, sandboxDenials, lastMessage, diff: null, identity: null, baselineTests };
  const baseline = (await budgetBaseline(ctx.db, runId)) ?? (await ctx.git.run(['rev-parse', 'HEAD'], { cwd: repoDir })).stdout.trim();
  const diff = baseline ? await diffSummary(ctx.git, repoDir, { ref: baseline }).catch(() => null) : null;
  const identity = await workspaceIdentity(ctx.git, repoDir, diff?.changed_files ?? []).catch(() => null);
  return { protectedChanges, sandboxDenials, lastMessage, diff, identity: identity ? { ...identity, baseline_sha: baseline || null } : null, baselineTests };
}

/** The workspace as given and as the tests print it (node resolves symlinks in its paths). */
function workspaceDirs(repoDir: string): string[] {
  try {
    return [repoDir, realpathSync(repoDir)];
  } catch {
    return [repoDir];
  }
}

/**
 * The verdict of the attempt: the classifier alone decides it, interrupts included. Failing tests that
 * already failed in the run's baseline do not fail the attempt unless the agent made it worse.
 */
export function judgeAttempt(
  s: StepScope,
  launch: LaunchOutcome,
  after: WorkspaceAfter,
  pre: StepPreflight,
  count: AttemptCount,
  allowAgentPush: boolean,
): Classification {
  const { process } = launch;
  const p = s.params;
  return classifyAttempt({
    stage: s.stage,
    agentExit: process.agentExit,
    timedOut: process.timedOut,
    interrupted: process.interrupted,
    stderr: process.stderr,
    analysis: process.spawnFailed ? null : launch.analysis,
    preflight: pre.preflight,
    diff: after.diff,
    allowAgentPush,
    maxChangedFiles: p.maxChangedFiles,
    maxAddedLines: p.maxAddedLines,
    maxRetryableAttempts: p.maxRetryableAttempts,
    minTestCommands: p.minTestCommands,
    retryableStreak: count.streak,
    attemptNo: count.attemptNo,
    protectedChanges: after.protectedChanges,
    sandboxDenials: after.sandboxDenials,
    baseline: after.baselineTests,
    workspaceDirs: workspaceDirs(s.repoDir),
  });
}

/** Rewrites a retained event stream with agentpr's own secrets redacted (it is kept for humans to read). */
function redactFileInPlace(s: StepScope, path: string): void {
  const { redact, values } = redactorFor(s.ctx);
  if (values === 0) return;
  const text = readFileSync(path, 'utf8');
  const clean = redact(text);
  if (clean !== text) writeFileSync(path, clean, { mode: 0o600 });
}

/**
 * Records the judged attempt (exit, redacted tails, duration, verdict, and the engine, model and token usage for cost
 * accounting) and keeps or deletes its event stream by the retention rule (every non-PASS kept, a sample of PASSes).
 */
export async function recordJudgedAttempt(
  s: StepScope,
  launch: LaunchOutcome,
  classification: Classification,
  count: AttemptCount,
  streamPath: string,
): Promise<EventStreamRetention> {
  const { ctx, runId } = s;
  const { process, analysis } = launch;
  const { redact } = redactorFor(ctx);
  const attempt = {
    runId,
    step: 'agent',
    succeeded: process.agentExit === 0,
    processExit: process.agentExit,
    stdout: redact(process.stdoutTail),
    stderr: redact(process.stderr),
    durationMs: process.durationMs,
    grade: classification.grade,
    reasonCode: classification.reason_code,
    stage: s.stage,
    usage: attemptUsageOf(
      launch.engine,
      attemptModelOf(launch.engine, { model: s.params.model, agentArgs: s.input.agentArgs }, ctx.env, analysis.summary),
      analysis.summary.usage,
    ),
  };
  await recordAttempt(ctx.db, attempt, ctx.clock);
  const retention = decideRetention({ grade: classification.grade, runId, attemptNo: count.attemptNo, samplePct: s.params.samplePct });
  if (!existsSync(streamPath)) return { path: '', retained: retention.retained, reason: retention.reason };
  if (!retention.retained) {
    rmSync(streamPath, { force: true });
    return { path: '', retained: false, reason: retention.reason };
  }
  redactFileInPlace(s, streamPath);
  const summary = analysis.summary;
  const metadata = {
    parsed_event_count: summary.parsed_event_count,
    parse_error_count: summary.parse_error_count,
    command_event_count: summary.command_event_count,
    retention_reason: retention.reason,
  };
  await addArtifact(ctx.db, { runId, type: 'agent_event_stream', uri: streamPath, metadata }, ctx.clock);
  return { path: streamPath, retained: true, reason: retention.reason };
}
