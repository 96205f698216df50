import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import {
  buildAgentLaunch,
  buildPrompt,
  buildSafetyContract,
  buildSkillPlan,
  buildSkillsEnvelope,
  buildTaskPacket,
  checkWorkspaceFree,
  codexEngine,
  CodexRunnerError,
  createAttemptCodexHome,
  fileProbeCache,
  listInstalledSkills,
  notStartedResult,
  prepareAgentEnvironment,
  removeStaleLastMessage,
  resolveCodexHome,
  resolveExternalReadOnlyPaths,
  runAgentProcess,
  type AgentProcessResult,
  type SkillPlan,
} from '@agentpr/codex-runner';
import { DEFAULT_BRIDGE_PORT, proxyEnvironment, type EgressDenial } from '@agentpr/egress-proxy';
import { effectivePolicy, loadPolicy, loadRuntimeEnvOverrides, type EffectivePolicy, type IsolationLevel, type ManagerPolicy, type NetworkMode } from '@agentpr/policy';
import {
  buildReportSignals,
  buildRunDigest,
  buildStageSnapshot,
  classifyAttempt,
  createStreamAnalyzer,
  decideRetention,
  renderManagerInsight,
  retryableStreak,
  type Classification,
  type DiffSummary,
  type PreflightOutcome,
  type SandboxDenial,
  type StreamAnalysis,
} from '@agentpr/runtime-analysis';
import type { RunState } from '@agentpr/state-machine';
import {
  addArtifact,
  applyEvent,
  applyEvents,
  latestArtifact,
  leaseHolder,
  listAttempts,
  recordAttempt,
  requireRun,
  setAttemptVerdict,
  withLease,
  type EventInput,
  type RunWithState,
} from '@agentpr/store';
import { compareProtected, diffSummary, readAgentFile, snapshotProtected, workspaceIdentity, writeOwnFile, type WorkspaceIdentity } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { fileStamp, writeNewFile } from '../adapters/file-stamp.js';
import { policyError } from '../analysis/policy-error.js';
import { runPreflight } from '../workspace/run-preflight.js';
import { redactorFor } from '../secrets/redactor-for.js';
import { githubClientFor } from '../adapters/github-access.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { budgetBaseline, campaignFor, gitFor, verifyProtectedFiles } from '../workspace/workspace-shared.js';
import { gatherCiReviewFeedback, renderFeedbackSection, type CiReviewFeedback } from './ci-review-feedback.js';
import type { ConvergenceTarget } from './agent-step-result.js';
import { modelEndpoints, resolveConfinement, startAttemptEgress, type AttemptEgress } from './confinement.js';


/** Flags of run-agent-step (SPEC §4). Absent values come from the effective policy. */
export interface RunAgentStepInput {
  runId: string;
  prompt?: string | undefined;
  promptFile?: string | undefined;
  agentArgs?: string[];
  successState?: string | undefined;
  onRetryableState?: string | undefined;
  onHumanReviewState?: string | undefined;
  skipPreflight?: boolean;
  skipNetworkCheck?: boolean;
  networkTimeoutSec?: number | undefined;
  codexSandbox?: string | undefined;
  codexModel?: string | undefined;
  maxAgentSeconds?: number | undefined;
  allowAgentPush?: boolean;
  allowReadPaths?: string[];
  maxChangedFiles?: number | undefined;
  maxAddedLines?: number | undefined;
  maxRetryableAttempts?: number | undefined;
  minTestCommands?: number | undefined;
  allowDirtyWorktree?: boolean;
  skillsMode?: string | undefined;
  allowMissingSkills?: boolean;
  taskPacketFile?: string | undefined;
  /** `bwrap` (default from the policy) or `none` (an explicit opt-in that warns on every step). */
  isolation?: IsolationLevel | undefined;
  /** `allowlist` (default from the policy), `on` or `off`. */
  network?: NetworkMode | undefined;
  /** Aborting stops the agent and records the attempt as interrupted (RETRYABLE). */
  signal?: AbortSignal | undefined;
  /** Live progress while the agent runs (the CLI shows it on a TTY). */
  onProgress?: ((progress: AgentProgress) => void) | undefined;
}

/** What the live progress line shows. */
export interface AgentProgress {
  elapsedMs: number;
  currentCommand: string | null;
  commands: number;
  tokens: number;
}

/** The command's output object and exit code (SPEC §4.11). */
export interface RunAgentStepOutcome {
  exitCode: number;
  output: Record<string, unknown>;
}

const ALLOWED_STATES: RunState[] = ['DISCOVERY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'];
const SUCCESS_STATES = ['LOCAL_VALIDATING', 'NEEDS_HUMAN_REVIEW', 'UNCHANGED'];
const FAILURE_TARGETS = ['FAILED_RETRYABLE', 'NEEDS_HUMAN_REVIEW', 'UNCHANGED'];

function clampInt(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : Math.max(0, Math.trunc(value));
}

function pickState(value: string | undefined, allowed: string[], flag: string, fallback: string): ConvergenceTarget {
  const v = (value ?? fallback).trim().toUpperCase();
  if (!allowed.includes(v)) throw new AgentprError('usage', `${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return v as ConvergenceTarget;
}

function trimmed(text: string, fallback: string): string {
  const t = text.trim();
  if (!t) return fallback;
  return t.length > 2000 ? `…${t.slice(-2000)}` : t;
}

/** The convergence event for a target (none for UNCHANGED). */
function convergence(target: ConvergenceTarget, error?: string): EventInput[] {
  if (target === 'UNCHANGED') return [];
  return [{ event: { type: 'command.retry', target_state: target, actor: 'worker', ...(error ? { error } : {}) }, optional: true }];
}

function readUserPacket(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new AgentprError('io', `cannot read --task-packet-file ${path}: ${(error as Error).message}`);
  }
  if (!text) return {};
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new AgentprError('invalid_json', `invalid JSON: --task-packet-file ${path}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { text };
  }
}

interface Resolved {
  policy: ManagerPolicy;
  policyLoaded: boolean;
  effective: EffectivePolicy;
  sandbox: string;
  skillsMode: 'off' | 'agentpr';
  maxChangedFiles: number;
  maxAddedLines: number;
  maxRetryableAttempts: number;
  minTestCommands: number;
  allowlist: string[];
  samplePct: number;
  successState: ConvergenceTarget;
  onRetryable: ConvergenceTarget;
  onHumanReview: ConvergenceTarget;
  maxAgentSeconds: number;
  isolation: IsolationLevel;
  network: NetworkMode;
}

async function resolveParameters(ctx: AppContext, input: RunAgentStepInput, run: RunWithState): Promise<Resolved> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const effective = effectivePolicy(loaded.policy, run.run.owner, run.run.repo);
  const sandbox = input.codexSandbox ?? effective.codex_sandbox;
  if (!['read-only', 'workspace-write', 'danger-full-access'].includes(sandbox)) {
    throw new AgentprError('usage', `--codex-sandbox must be read-only, workspace-write or danger-full-access, got ${JSON.stringify(sandbox)}`);
  }
  const skillsMode = (input.skillsMode ?? effective.skills_mode) as 'off' | 'agentpr';
  if (skillsMode !== 'off' && skillsMode !== 'agentpr') throw new AgentprError('usage', `--skills-mode must be off or agentpr, got ${JSON.stringify(input.skillsMode)}`);
  return {
    policy: loaded.policy,
    policyLoaded: loaded.loaded,
    effective,
    sandbox,
    skillsMode,
    maxChangedFiles: clampInt(input.maxChangedFiles, effective.max_changed_files),
    maxAddedLines: clampInt(input.maxAddedLines, effective.max_added_lines),
    maxRetryableAttempts: clampInt(input.maxRetryableAttempts, effective.max_retryable_attempts),
    minTestCommands: clampInt(input.minTestCommands, effective.min_test_commands),
    allowlist: effective.known_test_failure_allowlist.map((s) => s.trim()).filter(Boolean),
    samplePct: effective.success_event_stream_sample_pct,
    successState: pickState(input.successState, SUCCESS_STATES, '--success-state', effective.success_state),
    onRetryable: pickState(input.onRetryableState, FAILURE_TARGETS, '--on-retryable-state', effective.on_retryable_state),
    onHumanReview: pickState(input.onHumanReviewState, FAILURE_TARGETS, '--on-human-review-state', effective.on_human_review_state),
    maxAgentSeconds: clampInt(input.maxAgentSeconds, effective.max_agent_seconds),
    isolation: input.isolation ?? effective.isolation,
    network: input.network ?? effective.network,
  };
}

/**
 * run-agent-step (SPEC §4): runs the coding agent once in the run's workspace under guardrails, judges the
 * attempt from its event stream as it arrives, records the attempt and artefacts, and converges the state in
 * one transaction. Holds the run lease for the whole step.
 *
 * @example
 * const { exitCode, output } = await runAgentStep(ctx, { runId: 'run_1', promptFile: 'prompt.md' });
 */
export async function runAgentStep(ctx: AppContext, input: RunAgentStepInput): Promise<RunAgentStepOutcome> {
  if ((input.prompt === undefined) === (input.promptFile === undefined)) {
    throw new AgentprError('usage', 'exactly one of --prompt or --prompt-file is required');
  }
  // Bad input changes nothing: the prompt is read before the run is touched.
  let basePrompt: string;
  if (input.prompt !== undefined) basePrompt = input.prompt;
  else {
    try {
      basePrompt = readFileSync(input.promptFile!, 'utf8');
    } catch (error) {
      throw new AgentprError('io', `cannot read --prompt-file ${input.promptFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  const run = await requireRun(ctx.db, input.runId);
  await assertWorkspaceInsideRoot(ctx, run.run);
  const params = await resolveParameters(ctx, input, run);
  // Bad input changes nothing: an ungranted agent push is refused before the run or its workspace is touched.
  if (input.allowAgentPush && !params.effective.allow_agent_push) {
    throw new AgentprError('refused', `--allow-agent-push gives the agent a GitHub token, and the policy does not grant it for ${run.run.owner}/${run.run.repo}; grant it with run_agent_step.repo_overrides["${run.run.owner}/${run.run.repo}"].allow_agent_push: true.`);
  }
  const leaseMs = (params.maxAgentSeconds > 0 ? params.maxAgentSeconds : 24 * 3600) * 1000 + 300_000;
  return withLease(ctx.db, input.runId, ctx.leaseHolder ?? leaseHolder('run-agent-step'), leaseMs, () => stepUnderLease(ctx, { ...input, basePrompt }, params), ctx.clock);
}

async function stepUnderLease(ctx: AppContext, input: RunAgentStepInput & { basePrompt?: string }, params: Resolved): Promise<RunAgentStepOutcome> {
  const runId = input.runId;
  let run = await requireRun(ctx.db, runId);
  let successState = params.successState;
  if (input.successState === undefined && run.state.current_state === 'DISCOVERY' && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  if (run.state.current_state === 'QUEUED') {
    await applyEvent(ctx.db, runId, { event: { type: 'command.start.discovery', actor: 'worker' } }, ctx.clock);
    run = await requireRun(ctx.db, runId);
    if (input.successState === undefined && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  }
  const stage = run.state.current_state;
  if (!ALLOWED_STATES.includes(stage)) {
    throw new AgentprError('refused', `run ${runId} is in ${stage}; run-agent-step works in ${ALLOWED_STATES.join(', ')}.`, { details: { state: stage } });
  }
  if (stage === 'LOCAL_VALIDATING' && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  const repoDir = run.run.workspace_dir;
  const fail = async (reason: string, message: string, extra: Record<string, unknown> = {}) => {
    const [, converged] = await applyEvents(
      ctx.db,
      runId,
      [{ event: { type: 'worker.step.failed', step: 'agent', reason_code: reason, error_message: message, actor: 'worker' } }, ...convergence('NEEDS_HUMAN_REVIEW')],
      ctx.clock,
    );
    const state = converged?.state ?? (await requireRun(ctx.db, runId)).state.current_state;
    return { exitCode: 1, output: { ok: false, error: message, state, ...extra } };
  };
  if (!existsSync(repoDir)) return fail('workspace_missing', `workspace not found: ${repoDir}; run run-prepare first`);
  // Before any git command: files the agent could have planted for agentpr's own git (hooks, fsmonitor, filters) must
  // be as run-prepare left them, and no earlier step's agent may still be running in this workspace.
  const campaign = await campaignFor(ctx);
  const protectedBefore = await verifyProtectedFiles(ctx.db, runId, repoDir, { allowWorkflowChanges: campaign.allow_workflow_changes });
  if (!protectedBefore.ok && protectedBefore.reason === 'protected_file_changed') {
    return fail('protected_file_changed', protectedBefore.message, { protected_changes: protectedBefore.changes });
  }
  const protectedReference = protectedBefore.snapshot;
  const lockCheck = checkWorkspaceFree(lockFileOf(ctx, runId));
  if (!lockCheck.ok) throw new AgentprError('refused', lockCheck.message, { details: { holders: lockCheck.holders } });
  const git = gitFor(ctx, undefined);
  if ((stage === 'DISCOVERY' || stage === 'IMPLEMENTING') && !input.allowDirtyWorktree) {
    const dirty = await diffSummary(git, repoDir, { ref: 'HEAD' }).catch(() => null);
    if (dirty && dirty.changed_files_count > 0) {
      return fail('dirty_workspace_before_agent', 'workspace has pre-existing local changes', { diff: dirty });
    }
  }
  const previous = (await listAttempts(ctx.db, runId, { limit: 200 })).filter((a) => a.step === 'agent' || a.step === 'preflight');
  const attemptNo = previous.filter((a) => a.step === 'agent').length + 1;
  const streak = retryableStreak(previous, stage);
  const reports = ctx.paths.reportsDir;
  mkdirSync(reports, { recursive: true });

  // Preflight (W20): a failure is classified like any verdict; codex does not start.
  let preflight: PreflightOutcome | null = null;
  let preflightReport: unknown = null;
  if (!input.skipPreflight) {
    const pf = await runPreflight(ctx, { runId, skipNetworkCheck: input.skipNetworkCheck ?? false, networkTimeoutSec: input.networkTimeoutSec ?? 5, codexSandbox: params.sandbox });
    preflightReport = pf.report;
    preflight = { ok: pf.report.ok, failures: pf.report.failures };
    if (!pf.report.ok) {
      const classification = classifyAttempt({ stage, exitCode: null, analysis: null, preflight, maxChangedFiles: params.maxChangedFiles, maxAddedLines: params.maxAddedLines, maxRetryableAttempts: params.maxRetryableAttempts, minTestCommands: params.minTestCommands, retryableStreak: streak, attemptNo });
      const [latest] = await listAttempts(ctx.db, runId, { limit: 1, step: 'preflight' });
      if (latest) await setAttemptVerdict(ctx.db, latest.id, { grade: classification.grade, reasonCode: classification.reason_code, stage });
      const target = classification.grade === 'RETRYABLE' ? params.onRetryable : params.onHumanReview;
      const results = await applyEvents(
        ctx.db,
        runId,
        [{ event: { type: 'worker.step.failed', step: 'preflight', reason_code: 'preflight_failed', error_message: pf.report.failures.join('; '), actor: 'worker' } }, ...convergence(target)],
        ctx.clock,
      );
      const stateAfter = results.at(-1)?.refused ? results[0]!.state : results.at(-1)!.state;
      const written = await writeReports(ctx, { run, stage, stateAfter, attemptNo, streak, params, classification, analysis: null, process: null, diff: null, identity: null, preflight, preflightReport, skillPlan: null, taskPacketPath: null, eventStream: { path: '', retained: false, reason: 'not_started' }, lastMessage: null, agentArgs: input.agentArgs ?? [], codexModel: input.codexModel ?? null, runtimePolicy: null });
      return { exitCode: 1, output: { ok: false, error: 'preflight failed', state: stateAfter, preflight: preflightReport, classification, agent_report: written.report, run_digest: written.digest, manager_insight: written.insight } };
    }
  }

  // The agent is hostile: it runs confined (bubblewrap by default), holds no GitHub token unless the policy grants
  // agent push for this repository, gets a throwaway codex home, and reaches the network only through the proxy.
  const confinement = await resolveConfinement(ctx.env, params.isolation, params.network);
  const allowAgentPush = input.allowAgentPush ?? false;
  const warnings = [...confinement.warnings, ...(allowAgentPush ? [`agent push: the agent holds a GitHub token for this step (granted by the policy for ${run.run.owner}/${run.run.repo})`] : [])];
  for (const warning of warnings) ctx.log.warn(warning, { run_id: runId });

  // Runtime environment (§4.4).
  const overrides = await loadRuntimeEnvOverrides(ctx.paths.runtimeEnvFile);
  if (!overrides.ok) throw policyError(overrides.error);
  const operatorCodexHome = resolveCodexHome(ctx.env);
  const attemptHome = createAttemptCodexHome({ operatorCodexHome, parentDir: join(ctx.paths.dataDir, 'agent-homes'), includeSkills: params.skillsMode === 'agentpr' });
  let egress: AttemptEgress | null = null;
  let egressDenials: EgressDenial[] = [];
  let egressDenied = 0;
  let processResult!: AgentProcessResult;
  let codexBin: string | null = null;
  let prepared!: Extract<ReturnType<typeof prepareAgentEnvironment>, { ok: true }>;
  let resolved!: ReturnType<typeof codexEngine.resolve>;
  let skillPlan: SkillPlan | null = null;
  let taskPacketPath: string | null = null;
  let isolationView: unknown = null;
  const stamp = fileStamp(ctx.clock());
  const streamPath = join(reports, `${runId}_agent_events_${stamp}.jsonl`);
  let analyzer!: ReturnType<typeof createStreamAnalyzer>;
  try {
    const env = prepareAgentEnvironment({
      parentEnv: ctx.env,
      repoDir,
      codexHome: operatorCodexHome,
      agentCodexHome: attemptHome.path,
      overrides: overrides.overrides,
      passthrough: params.policy.run_agent_step.env_passthrough ?? [],
      providerEnvAllowlist: params.policy.run_agent_step.provider_env_allowlist ?? [],
      allowAgentPush,
      // The in-sandbox bridge listens on this port; the Node bridge sets the same variables itself.
      ...(confinement.isolation === 'bwrap' && params.network === 'allowlist' ? { proxyEnv: proxyEnvironment(DEFAULT_BRIDGE_PORT) } : {}),
    });
    if (!env.ok) throw new AgentprError('config', `runtime environment: ${env.errors.join('; ')}`);
    prepared = env;
    if (prepared.refusedPassthrough.length) ctx.log.warn(`env_passthrough: not passed to the agent because they look like secrets: ${prepared.refusedPassthrough.join(', ')}`, { run_id: runId });
    if (prepared.refusedProviderEnvKeys.length) ctx.log.warn(`codex provider env_key not passed to the agent: ${prepared.refusedProviderEnvKeys.join(', ')}; allow it with run_agent_step.provider_env_allowlist`, { run_id: runId });
    const skillsRoot = join(attemptHome.path, 'skills');
    const readOnlyPaths = resolveExternalReadOnlyPaths({ integrationRoot: ctx.paths.campaignDir, skillsRoot: params.skillsMode === 'agentpr' ? skillsRoot : null, allowReadPaths: input.allowReadPaths ?? [], cwd: process.cwd() });
    let inner = input.basePrompt!;

    // CI and review rounds get the failing checks and the reviews from agentpr, never a token to fetch them.
    const feedback = stage === 'ITERATING' ? await ciReviewFeedback(ctx, run) : null;
    if (feedback && params.skillsMode !== 'agentpr') inner = `${inner}\n\n${renderFeedbackSection(feedback)}`;

    // Skills mode (§4.5).
    if (params.skillsMode === 'agentpr') {
      skillPlan = buildSkillPlan('agentpr', stage, listInstalledSkills(skillsRoot), skillsRoot);
      if (skillPlan.missing_required.length > 0 && !input.allowMissingSkills) {
        const message = `missing required skills: ${skillPlan.missing_required.join(', ')}`;
        const failed = await fail('skills_missing', message);
        return {
          exitCode: 1,
          output: {
            ok: false,
            error: `the skills required in agentpr mode are missing (${skillPlan.missing_required.join(', ')})`,
            missing_required: skillPlan.missing_required,
            skills_root: join(operatorCodexHome, 'skills'),
            state: failed.output.state,
            next_command: `agentpr install-skills --local-skills-root ${ctx.paths.skillsDir}`,
          },
        };
      }
      const contract = await latestArtifact(ctx.db, runId, 'contract');
      let contractUri: string | null = contract?.uri ?? null;
      let contractText: string | null = null;
      if (contract) {
        // The contract may come from an agent's last message: read it as hostile input, copy it into this attempt's
        // own home (a fresh directory the agent could not have prepared), never into the workspace.
        const read = await readAgentFile(contract.uri, { maxBytes: 256 * 1024 });
        if (read.ok) {
          const written = await writeOwnFile(join(attemptHome.path), `contract-${basename(contract.uri).replace(/[^A-Za-z0-9._-]/g, '_') || 'contract.md'}`, read.data);
          if (written.ok) contractUri = written.path;
          contractText = read.data.toString('utf8').slice(0, 20_000);
        }
      }
      const packet = buildTaskPacket({
        createdAt: ctx.clock().toISOString(),
        run: { runId, owner: run.run.owner, repo: run.run.repo, promptVersion: run.run.prompt_version, mode: run.run.mode, state: stage },
        repoPath: repoDir,
        policy: { codexSandbox: params.sandbox, allowAgentPush, maxChangedFiles: params.maxChangedFiles, maxAddedLines: params.maxAddedLines },
        artifacts: { contractUri, contractSourceUri: contract?.uri ?? null, contractText },
        integrationRoot: ctx.paths.campaignDir,
        skillPlan,
        ...(input.taskPacketFile ? { userPacket: readUserPacket(input.taskPacketFile) } : {}),
      });
      const packetWithFeedback = feedback ? { ...packet, ci_review_feedback: feedback } : packet;
      mkdirSync(join(ctx.paths.dataDir, 'task_packets'), { recursive: true, mode: 0o700 });
      taskPacketPath = writeNewFile(join(ctx.paths.dataDir, 'task_packets'), `${runId}_task_packet_`, ctx.clock(), '.json', `${JSON.stringify(packetWithFeedback, null, 2)}\n`);
      await addArtifact(ctx.db, { runId, type: 'task_packet', uri: taskPacketPath, metadata: { skills_mode: 'agentpr', required_now: skillPlan.required_now, missing_required: skillPlan.missing_required } }, ctx.clock);
      inner = buildSkillsEnvelope({ runState: stage, requiredSkills: skillPlan.required_now, optionalSkills: skillPlan.available_optional, taskPacket: packetWithFeedback as typeof packet, basePrompt: inner });
    }
    const prompt = buildPrompt(buildSafetyContract({ repoDir, runtimeDir: prepared.paths.runtimeDir, externalReadOnlyPaths: readOnlyPaths, allowAgentPush }), inner);
    removeStaleLastMessage(prepared.paths);

    // Launch (§4.2, §4.6) with the stream analysed line by line as it arrives.
    analyzer = createStreamAnalyzer({ allowlist: params.allowlist, workspaceDir: repoDir, tmpDirs: [prepared.paths.tmpDir], homeDir: prepared.paths.homeDir, secretPaths: secretPathsOf(ctx) });
    resolved = codexEngine.resolve(ctx.env);
    if (!resolved.ok) {
      processResult = notStartedResult(`codex not found: ${resolved.reason}. Set AGENTPR_CODEX_BIN or add codex to PATH.`);
    } else {
      codexBin = resolved.path;
      const probe = await codexEngine.probe(resolved.path, { env: prepared.env, cache: fileProbeCache(join(ctx.paths.dataDir, 'cache', 'codex-probe.json')) });
      if (!probe.ok) throw new AgentprError('config', `codex at ${resolved.path} is not usable: ${probe.reason}`);
      if (confinement.isolation === 'bwrap' && params.network === 'allowlist') egress = await startAttemptEgress(params.effective.network_allowlist, modelEndpoints(operatorCodexHome, ctx.env));
      let launch: ReturnType<typeof buildAgentLaunch>;
      try {
        launch = buildAgentLaunch({
          bin: resolved.path,
          capabilities: probe.capabilities,
          sandbox: params.sandbox as 'read-only' | 'workspace-write' | 'danger-full-access',
          model: input.codexModel ?? null,
          agentArgs: input.agentArgs ?? [],
          paths: prepared.paths,
          env: prepared.env,
          prompt,
          isolation: confinement.isolation,
          codexHome: attemptHome.path,
          network: confinement.isolation === 'none' ? 'on' : params.network,
          ...(egress ? { egress: egress.bridge } : {}),
          ...(confinement.bwrapPath ? { bwrapPath: confinement.bwrapPath } : {}),
          readOnlyPaths: [...readOnlyPaths, ...(egress?.readOnlyPaths ?? []), ...(params.policy.run_agent_step.sandbox_read_paths ?? [])],
          maxDurationSec: params.maxAgentSeconds,
          stdoutFile: streamPath,
        });
      } catch (error) {
        if (error instanceof CodexRunnerError) return fail('workspace_unsafe', `the workspace cannot be sandboxed: ${error.message}`);
        throw error;
      }
      isolationView = launch.isolationView;
      processResult = await runLaunch(launch, lockFileOf(ctx, runId), analyzer, input);
      if (processResult.workspaceBusy) throw new AgentprError('refused', processResult.stderr.trim().split('\n').at(-1) ?? 'an earlier agent is still running in this workspace');
    }
  } finally {
    attemptHome.dispose();
    egressDenials = egress?.denials() ?? [];
    egressDenied = egress?.deniedCount() ?? 0;
    await egress?.close();
  }
  const analysis: StreamAnalysis = analyzer.finish({ stderr: processResult.stderr });
  const sandboxDenials: SandboxDenial[] = egressDenials.map((d) => ({ kind: 'network', target: `${d.host}:${d.port}`, reason: `${d.reason}: ${d.detail}`, at: d.at }));

  // Protected files first, before any git command: a planted hook or fsmonitor must never run in agentpr's own git.
  const protectedAfter = await snapshotProtected(repoDir);
  const protectedChanges = compareProtected(protectedReference, protectedAfter, { allowWorkflowChanges: campaign.allow_workflow_changes });

  // Last message (§4.1 step 19): read as hostile input (no symlink, a regular file, capped) and copied (W22).
  let lastMessage: string | null = null;
  const last = await readAgentFile(prepared.paths.lastMessagePath, { maxBytes: 256 * 1024, within: prepared.paths.runtimeDir });
  if (last.ok) {
    const written = await writeOwnFile(reports, `${runId}_last_message_${stamp}.txt`, redactBytes(ctx, last.data));
    if (written.ok) {
      lastMessage = written.path;
      await addArtifact(ctx.db, { runId, type: 'agent_last_message', uri: lastMessage, metadata: { size_bytes: last.size, truncated: last.truncated } }, ctx.clock);
    }
  } else if (last.code !== 'not_found') {
    sandboxDenials.push({ kind: 'file', target: prepared.paths.lastMessagePath, reason: `last message refused: ${last.message}` });
  }

  // Budget diff and identity (§4.7), then the verdict. Skipped when protected files changed: git would run them.
  let diff: DiffSummary | null = null;
  let identity: (WorkspaceIdentity & { baseline_sha?: string }) | null = null;
  let baseline: string | undefined;
  if (protectedChanges.length === 0) {
    baseline = (await budgetBaseline(ctx.db, runId)) ?? (await git.run(['rev-parse', 'HEAD'], { cwd: repoDir })).stdout.trim();
    diff = baseline ? await diffSummary(git, repoDir, { ref: baseline }).catch(() => null) : null;
    identity = await workspaceIdentity(git, repoDir, diff?.changed_files ?? []).catch(() => null);
  }
  let classification: Classification = classifyAttempt({
    stage,
    exitCode: processResult.exitCode,
    timedOut: processResult.timedOut,
    stderr: processResult.stderr,
    analysis: processResult.spawnFailed ? null : analysis,
    preflight,
    diff,
    allowAgentPush,
    maxChangedFiles: params.maxChangedFiles,
    maxAddedLines: params.maxAddedLines,
    maxRetryableAttempts: params.maxRetryableAttempts,
    minTestCommands: params.minTestCommands,
    retryableStreak: streak,
    attemptNo,
    protectedChanges,
    sandboxDenials,
  });
  if (processResult.interrupted && classification.grade !== 'HUMAN_REVIEW') {
    classification = { ...classification, grade: 'RETRYABLE', reason_code: 'runtime_interrupted' as Classification['reason_code'], next_action: 'retry', details: { ...classification.details, interrupted: true } };
  }
  await recordAttempt(
    ctx.db,
    { runId, step: 'agent', exitCode: processResult.exitCode, stdout: redactText(ctx, processResult.stdoutTail), stderr: redactText(ctx, processResult.stderr), durationMs: processResult.durationMs, grade: classification.grade, reasonCode: classification.reason_code, stage },
    ctx.clock,
  );
  const retention = decideRetention({ grade: classification.grade, runId, attemptNo, samplePct: params.samplePct });
  let eventStreamPath = '';
  if (existsSync(streamPath)) {
    if (retention.retained) {
      eventStreamPath = streamPath;
      redactFileInPlace(ctx, streamPath);
      await addArtifact(ctx.db, { runId, type: 'agent_event_stream', uri: streamPath, metadata: { parsed_event_count: analysis.summary.parsed_event_count, parse_error_count: analysis.summary.parse_error_count, command_event_count: analysis.summary.command_event_count, retention_reason: retention.reason } }, ctx.clock);
    } else {
      rmSync(streamPath, { force: true });
    }
  }

  // Convergence in one transaction (§4.11, W2).
  const events: EventInput[] = [];
  let exitCode: number;
  let ok: boolean;
  if (processResult.exitCode !== 0) {
    events.push({ event: { type: 'worker.step.failed', step: 'agent', reason_code: 'codex_agent_failed', error_message: trimmed(processResult.stderr, `codex exited ${processResult.exitCode}`), actor: 'worker' } });
    events.push(...convergence(classification.grade === 'RETRYABLE' ? params.onRetryable : params.onHumanReview));
    exitCode = processResult.exitCode;
    ok = false;
  } else if (classification.grade !== 'PASS') {
    events.push(...convergence(classification.grade === 'RETRYABLE' ? params.onRetryable : params.onHumanReview, `agent:${classification.reason_code}:${classification.grade}`));
    exitCode = 1;
    ok = false;
  } else {
    const now = (await requireRun(ctx.db, runId)).state.current_state;
    if (successState === 'LOCAL_VALIDATING' && !['LOCAL_VALIDATING', 'DISCOVERY', 'PLAN_READY'].includes(now)) {
      events.push({ event: { type: 'command.local.validation.passed', actor: 'worker' }, optional: true });
    } else if (successState === 'NEEDS_HUMAN_REVIEW') {
      events.push(...convergence('NEEDS_HUMAN_REVIEW'));
    }
    exitCode = 0;
    ok = true;
  }
  if (events.length) await applyEvents(ctx.db, runId, events, ctx.clock);
  const stateAfter = (await requireRun(ctx.db, runId)).state.current_state;
  const written = await writeReports(ctx, {
    run,
    stage,
    stateAfter,
    attemptNo,
    streak,
    params,
    classification,
    analysis,
    process: processResult,
    diff,
    identity: identity ? { ...identity, baseline_sha: baseline || null } : null,
    preflight,
    preflightReport,
    skillPlan,
    taskPacketPath,
    eventStream: { path: eventStreamPath, retained: retention.retained, reason: retention.reason },
    lastMessage,
    agentArgs: input.agentArgs ?? [],
    codexModel: input.codexModel ?? null,
    runtimePolicy: { runtime_dir: prepared.paths.runtimeDir, policy_file: overrides.path, policy_file_loaded: overrides.loaded, env_keys: prepared.overrideKeys, codex_bin: codexBin, codex_bin_source: resolved.ok ? resolved.source : null },
    sandbox: {
      isolation: confinement.isolation,
      network: confinement.network,
      agent_push: allowAgentPush,
      warnings,
      view: isolationView,
      egress: egress ? { rules: egress.rules, denied_count: egressDenied, denials: sandboxDenials.filter((d) => d.kind === 'network') } : null,
      file_denials: sandboxDenials.filter((d) => d.kind === 'file'),
      protected_changes: protectedChanges,
    },
  });
  const output: Record<string, unknown> = {
    ok,
    engine: 'codex',
    exit_code: processResult.exitCode,
    state: stateAfter,
    ...(processResult.exitCode !== 0 ? { stderr: trimmed(processResult.stderr, '') } : { stdout_tail: processResult.stdoutTail.split('\n').slice(-20).join('\n') }),
    classification: { grade: classification.grade, reason_code: classification.reason_code, next_action: classification.next_action, evidence: classification.evidence },
    sandbox: { isolation: confinement.isolation, network: confinement.network, denied: sandboxDenials.length },
    ...(warnings.length ? { warnings } : {}),
    agent_report: written.report,
    agent_event_stream: eventStreamPath || null,
    agent_last_message: lastMessage,
    run_digest: written.digest,
    manager_insight: written.insight,
  };
  return { exitCode, output: redactorFor(ctx).redactDeep(output) };
}

interface ReportInput {
  run: RunWithState;
  stage: RunState;
  stateAfter: RunState;
  attemptNo: number;
  streak: number;
  params: Resolved;
  classification: Classification;
  analysis: StreamAnalysis | null;
  process: AgentProcessResult | null;
  diff: DiffSummary | null;
  identity: (WorkspaceIdentity & { baseline_sha?: string | null }) | null;
  preflight: PreflightOutcome | null;
  preflightReport: unknown;
  skillPlan: SkillPlan | null;
  taskPacketPath: string | null;
  eventStream: { path: string; retained: boolean; reason: string };
  lastMessage: string | null;
  agentArgs: string[];
  codexModel: string | null;
  runtimePolicy: Record<string, unknown> | null;
  /** What confined the agent and what it was denied (isolation, network, egress denials, protected changes). */
  sandbox?: Record<string, unknown>;
}

/** Writes the runtime report, digest and insight (never overwritten: each has its own stamp) with their artefacts. */
async function writeReports(ctx: AppContext, r: ReportInput): Promise<{ report: string; digest: string; insight: string }> {
  const runId = r.run.run.run_id;
  const reports = ctx.paths.reportsDir;
  const now = ctx.clock();
  const signals = r.analysis ? buildReportSignals(r.analysis, { diff: r.diff, retained: r.eventStream.retained, retentionReason: r.eventStream.reason }) : null;
  const report = {
    run_id: runId,
    created_at: now.toISOString(),
    engine: 'codex',
    result: { exit_code: r.process ? r.process.exitCode : null, duration_ms: r.process?.durationMs ?? 0, timed_out: r.process?.timedOut ?? false, interrupted: r.process?.interrupted ?? false },
    runtime: {
      codex_sandbox: r.params.sandbox,
      codex_model: r.codexModel,
      codex_full_auto: false,
      agent_args: r.agentArgs,
      policy: r.runtimePolicy,
      attempt_no: r.attemptNo,
      retryable_streak: r.streak,
      max_retryable_attempts: r.params.maxRetryableAttempts,
      min_test_commands: r.params.minTestCommands,
      known_test_failure_allowlist: r.params.allowlist,
      skills_mode: r.params.skillsMode,
      skill_plan: r.skillPlan,
      task_packet_path: r.taskPacketPath,
      event_stream_path: r.eventStream.path,
      last_message_path: r.lastMessage,
      manager_policy: {
        path: ctx.paths.policyFile,
        loaded: r.params.policyLoaded,
        run_agent_step: {
          ...r.params.policy.run_agent_step,
          effective: r.params.effective,
          resolved_success_state: r.params.successState,
          resolved_on_retryable_state: r.params.onRetryable,
          resolved_on_human_review_state: r.params.onHumanReview,
          resolved_success_event_stream_sample_pct: r.params.samplePct,
          resolved_max_agent_seconds: r.params.maxAgentSeconds,
          resolved_known_test_failure_allowlist: r.params.allowlist,
        },
      },
      event_stream_retained: r.eventStream.retained,
      event_stream_retention_reason: r.eventStream.reason,
    },
    workspace: { head_sha: r.identity?.head_sha ?? null, tree_sha: r.identity?.tree_sha ?? null, baseline_sha: r.identity?.baseline_sha ?? null },
    sandbox: r.sandbox ?? null,
    preflight: r.preflightReport,
    signals: signals?.signals ?? null,
    safety: signals?.safety ?? { violations: [], violation_count: 0 },
    classification: r.classification,
  };
  const { redact } = redactorFor(ctx);
  const reportPath = writeNewFile(reports, `${runId}_agent_runtime_`, now, '.json', redact(`${JSON.stringify(report, null, 2)}\n`));
  await addArtifact(ctx.db, {
    runId,
    type: 'agent_runtime_report',
    uri: reportPath,
    metadata: {
      exit_code: report.result.exit_code,
      violations: report.safety.violation_count,
      grade: r.classification.grade,
      reason_code: r.classification.reason_code,
      next_action: r.classification.next_action,
      parsed_event_count: r.analysis?.summary.parsed_event_count ?? 0,
      command_event_count: r.analysis?.summary.command_event_count ?? 0,
      event_stream_retained: r.eventStream.retained,
      event_stream_retention_reason: r.eventStream.reason,
    },
  }, ctx.clock);
  const attempts = (await listAttempts(ctx.db, runId, { limit: 600 })).reverse();
  const digest = buildRunDigest({
    run: { run_id: runId, owner: r.run.run.owner, repo: r.run.run.repo, mode: r.run.run.mode, prompt_version: r.run.run.prompt_version, workspace_dir: r.run.run.workspace_dir },
    stateBefore: r.stage,
    stateAfter: r.stateAfter,
    attempt: { attempt_no: r.attemptNo, duration_ms: r.process?.durationMs ?? 0, exit_code: r.process ? r.process.exitCode : null },
    classification: r.classification,
    skillPlan: r.skillPlan,
    analysis: r.analysis,
    diff: r.diff,
    workspace: r.identity ? { head_sha: r.identity.head_sha, tree_sha: r.identity.tree_sha, baseline_sha: r.identity.baseline_sha ?? null } : null,
    policyUsed: { max_changed_files: r.params.maxChangedFiles, max_added_lines: r.params.maxAddedLines, min_test_commands: r.params.minTestCommands, skills_mode: r.params.skillsMode },
    stages: buildStageSnapshot(attempts),
    preflight: r.preflight,
    artifacts: { agent_report_path: reportPath, event_stream_path: r.eventStream.path, last_message_path: r.lastMessage ?? '' },
    now,
  } as Parameters<typeof buildRunDigest>[0]);
  const digestPath = writeNewFile(reports, `${runId}_run_digest_`, now, '.json', redact(`${JSON.stringify(digest, null, 2)}\n`));
  await addArtifact(ctx.db, { runId, type: 'run_digest', uri: digestPath, metadata: { grade: r.classification.grade, reason_code: r.classification.reason_code, state_after: r.stateAfter, attempt_no: r.attemptNo } }, ctx.clock);
  const insightPath = writeNewFile(reports, `${runId}_manager_insight_`, now, '.md', redact(renderManagerInsight(digest)));
  await addArtifact(ctx.db, { runId, type: 'manager_insight', uri: insightPath, metadata: { grade: r.classification.grade, reason_code: r.classification.reason_code, state_after: r.stateAfter } }, ctx.clock);
  return { report: reportPath, digest: digestPath, insight: insightPath };
}

/** The lock file the agent's process tree holds while it runs (outside every workspace). */
function lockFileOf(ctx: AppContext, runId: string): string {
  return join(ctx.paths.dataDir, 'locks', `${runId}.agent.lock`);
}

/** Files whose reading by the agent is a credential probe: agentpr's database, policy, reports and audit logs. */
function secretPathsOf(ctx: AppContext): string[] {
  const d = ctx.paths.dataDir;
  return [ctx.paths.policyFile, ctx.paths.runtimeEnvFile, ctx.paths.reportsDir, join(d, 'agentpr.db'), join(d, 'task_packets'), join(d, 'pr_requests'), join(d, 'locks'), join(d, 'cache')];
}

function redactText(ctx: AppContext, text: string): string {
  return redactorFor(ctx).redact(text);
}

function redactBytes(ctx: AppContext, data: Buffer): string {
  return redactorFor(ctx).redact(data.toString('utf8'));
}

/** Rewrites a retained event stream with agentpr's own secrets redacted (it is kept for humans to read). */
function redactFileInPlace(ctx: AppContext, path: string): void {
  const { redact, values } = redactorFor(ctx);
  if (values === 0) return;
  const text = readFileSync(path, 'utf8');
  const clean = redact(text);
  if (clean !== text) writeFileSync(path, clean, { mode: 0o600 });
}

/** The failing checks and reviews of the run's PR, or null without a PR or a GitHub client (never throws). */
async function ciReviewFeedback(ctx: AppContext, run: RunWithState): Promise<CiReviewFeedback | null> {
  if (run.run.pr_number === null) return null;
  try {
    const github = await githubClientFor(ctx);
    if (!github) return null;
    return await gatherCiReviewFeedback(ctx.db, github, { owner: run.run.owner, repo: run.run.repo }, run.run.run_id, run.run.pr_number);
  } catch (error) {
    ctx.log.warn(`CI and review feedback not gathered: ${(error as Error).message.split('\n')[0]}`, { run_id: run.run.run_id });
    return null;
  }
}

/** Runs the launch with the stream analysed and progress reported as lines arrive. */
async function runLaunch(launch: ReturnType<typeof buildAgentLaunch>, lockFile: string, analyzer: ReturnType<typeof createStreamAnalyzer>, input: RunAgentStepInput): Promise<AgentProcessResult> {
  const started = Date.now();
  let commands = 0;
  let current: string | null = null;
  let tokens = 0;
  const progress = input.onProgress;
  const timer = progress ? setInterval(() => progress({ elapsedMs: Date.now() - started, currentCommand: current, commands, tokens }), 500) : undefined;
  try {
    return await runAgentProcess(
      { ...launch.spec, lockFile },
      {
        onStdoutLine: (line, offset) => {
          analyzer.pushLine(line, offset);
          if (!progress) return;
          if (line.includes('command_execution')) {
            try {
              const e = JSON.parse(line) as { type?: string; item?: { command?: string } };
              if (e.type === 'item.started') current = e.item?.command ?? null;
              if (e.type === 'item.completed') {
                commands++;
                current = null;
              }
            } catch {
              // progress only
            }
          } else if (line.includes('turn.completed')) {
            try {
              const u = (JSON.parse(line) as { usage?: Record<string, number> }).usage ?? {};
              tokens = (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
            } catch {
              // progress only
            }
          }
        },
        ...(input.signal ? { signal: input.signal } : {}),
      },
    );
  } finally {
    if (timer) clearInterval(timer);
  }
}
