import { join } from 'node:path';
import type { SkillPlan } from '@agentpr/codex-runner';
import { leaseHolder, requireRun, withLease } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { redactorFor } from '../secrets/redactor-for.js';
import { recordFailedAttemptWorkspace, type WorkspaceResetDone } from '../workspace/reset-workspace.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import type { ConvergedAgentStep, RunAgentStepResult } from './agent-step-result.js';
import { convergeOnVerdict, trimmedStderr } from './converge.js';
import { prepareAttemptEnvironment, type AttemptEnvironment } from './environment.js';
import { inspectWorkspace, judgeAttempt, recordJudgedAttempt } from './judge.js';
import { launchAgent, type LaunchOutcome } from './launch.js';
import { assertAgentPushGranted, assertEngineFlag, readBasePrompt, resolveParameters, type RunAgentStepInput, type StepScope } from './parameters.js';
import { checkWorkspace, countAttempt, enterStage, preflightStep, type AttemptCount, type CheckedWorkspace, type StepPreflight } from './preflight.js';
import { buildAttemptPrompt } from './prompt.js';
import { writeReports } from './reports.js';
import { fileStamp } from '../file-stamp.js';

export type { RunAgentStepInput, AgentProgress } from './parameters.js';

/**
 * run-agent-step: runs the coding agent once in the run's workspace under guardrails, judges the
 * attempt from its event stream as it arrives, records the attempt and artefacts, and converges the state on the
 * verdict. Holds the run lease for the whole step. Bad input, a run in the wrong state, a busy workspace and an
 * ungranted agent push throw an `AgentprError` before anything is recorded.
 *
 * @example
 * const result = await runAgentStep(ctx, { runId: 'run_1', promptFile: 'prompt.md' });
 * if (result.kind === 'converged') console.log(result.verdict, result.state);
 */
export async function runAgentStep(ctx: AppContext, input: RunAgentStepInput): Promise<RunAgentStepResult> {
  // Bad input changes nothing: the engine is checked and the prompt read before the run is touched.
  assertEngineFlag(input);
  const basePrompt = readBasePrompt(input);
  const run = await requireRun(ctx.db, input.runId);
  await assertWorkspaceInsideRoot(ctx, run.run);
  const params = await resolveParameters(ctx, input, run);
  assertAgentPushGranted(input, params, run);
  const leaseMs = (params.maxAgentSeconds > 0 ? params.maxAgentSeconds : 24 * 3600) * 1000 + 300_000;
  const holder = ctx.leaseHolder ?? leaseHolder('run-agent-step', ctx.env);
  return withLease(ctx.db, input.runId, holder, leaseMs, async () => stepUnderLease(await enterStage(ctx, input, params), basePrompt), ctx.clock);
}

async function stepUnderLease(s: StepScope, basePrompt: string): Promise<RunAgentStepResult> {
  const checked = await checkWorkspace(s);
  if ('kind' in checked) return checked;
  const count = await countAttempt(s);
  const pre = await preflightStep(s, count);
  if ('kind' in pre) return pre;
  const env = await prepareAttemptEnvironment(s);
  // The stream is written by the agent process, not the artifact writer, so its name is stamped here, the same way.
  const stamp = fileStamp(s.ctx.clock());
  const streamPath = join(s.ctx.paths.reportsDir, `${s.runId}_agent_events_${stamp}.jsonl`);
  try {
    const prompt = await buildAttemptPrompt(s, env, basePrompt);
    if ('kind' in prompt) return prompt;
    const launched = await launchAgent(s, env, prompt.prompt, streamPath);
    if ('kind' in launched) return launched;
    const { skillPlan, taskPacketPath } = prompt;
    return await judgeAndConverge(s, { env, launch: launched, checked, count, pre, stamp, streamPath, skillPlan, taskPacketPath });
  } finally {
    env.attemptHome.dispose();
  }
}

interface Attempt {
  env: AttemptEnvironment;
  launch: LaunchOutcome;
  checked: CheckedWorkspace;
  count: AttemptCount;
  pre: StepPreflight;
  stamp: string;
  streamPath: string;
  skillPlan: SkillPlan | null;
  taskPacketPath: string | null;
}

async function judgeAndConverge(s: StepScope, a: Attempt): Promise<ConvergedAgentStep> {
  const { launch, env } = a;
  const after = await inspectWorkspace(s, env, launch, a.checked, a.stamp);
  const classification = judgeAttempt(s, launch, after, a.pre, a.count, env.allowAgentPush);
  const eventStream = await recordJudgedAttempt(s, launch, classification, a.count, a.streamPath);
  // A failed attempt's leftovers are recognised by the step that retries it, which resets them (never after a
  // protected-file change: no git runs then).
  if (classification.grade !== 'PASS' && after.protectedChanges.length === 0) await recordFailedAttemptWorkspace(s.ctx, s.runId, s.repoDir);
  const process = launch.process;
  const verdict = { engine: launch.engine, classification, agentExit: process.agentExit, stderr: process.stderr, successState: s.successState };
  const { target, state } = await convergeOnVerdict(s.ctx, s.runId, s.params, verdict);
  const sandbox = {
    isolation: env.confinement.isolation,
    network: env.confinement.network,
    agent_push: env.allowAgentPush,
    warnings: env.warnings,
    view: launch.isolationView,
    egress: launch.egress ? { rules: launch.egress.rules, denied_count: launch.egress.deniedCount, denials: after.sandboxDenials.filter((d) => d.kind === 'network') } : null,
    file_denials: after.sandboxDenials.filter((d) => d.kind === 'file'),
    protected_changes: after.protectedChanges,
  };
  const prepared = env.prepared;
  const runtimePolicy = {
    runtime_dir: prepared.paths.runtimeDir,
    policy_file: env.overrides.path,
    policy_file_loaded: env.overrides.loaded,
    env_keys: prepared.overrideKeys,
    engine: launch.engine,
    engine_source: s.params.engine.source,
    agent_bin: launch.bin,
    agent_bin_source: launch.binSource,
    // The codex_* names predate the engine choice; readers of older reports still look for them.
    ...(launch.engine === 'codex' ? { codex_bin: launch.bin, codex_bin_source: launch.binSource } : {}),
  };
  const reports = await writeReports(s, {
    ...a.count,
    stateAfter: state,
    classification,
    analysis: launch.analysis,
    process,
    diff: after.diff,
    identity: after.identity,
    preflight: a.pre.preflight,
    preflightReport: a.pre.preflightReport,
    skillPlan: a.skillPlan,
    taskPacketPath: a.taskPacketPath,
    eventStream,
    lastMessage: after.lastMessage,
    runtimePolicy,
    sandbox,
  });
  const result: ConvergedAgentStep = {
    kind: 'converged',
    engine: launch.engine,
    engineSource: s.params.engine.source,
    model: s.params.model,
    verdict: classification.grade,
    classification,
    agentExit: process.agentExit,
    target,
    state,
    stderr: trimmedStderr(process.stderr),
    stdoutTail: process.stdoutTail.split('\n').slice(-20).join('\n'),
    sandbox: { isolation: env.confinement.isolation, network: env.confinement.network, denied: after.sandboxDenials.length },
    warnings: [...resetNotes(a.checked.reset), ...env.warnings],
    reports,
    eventStream: eventStream.path || null,
    lastMessage: after.lastMessage,
  };
  return redactorFor(s.ctx).redactDeep(result);
}

/** The line a reset before this retry adds to the step's warnings. */
function resetNotes(reset: WorkspaceResetDone | null): string[] {
  if (!reset) return [];
  const { tracked, untracked, ignored } = reset.discarded;
  const where = reset.point === 'base' ? 'the base commit' : 'the last pushed head';
  const kept = reset.patch ? `; discarded changes kept in ${reset.patch}` : '';
  return [`workspace reset to ${where} ${reset.targetSha.slice(0, 12)} before this retry (${tracked} tracked, ${untracked} untracked, ${ignored} ignored discarded)${kept}`];
}
