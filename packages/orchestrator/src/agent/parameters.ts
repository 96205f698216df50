import { readFileSync } from 'node:fs';
import type { ClaudeRunSettings } from '@agentpr/codex-runner';
import {
  effectivePolicy,
  ENGINE_NAMES,
  engineForStage,
  loadPolicy,
  type EffectivePolicy,
  type EngineChoice,
  type EngineName,
  type IsolationLevel,
  type ManagerPolicy,
  type NetworkMode,
} from '@agentpr/policy';
import type { RunState } from '@agentpr/state-machine';
import type { RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { policyError } from '../policy-error.js';
import type { ConvergenceTarget } from './agent-step-result.js';

/** Flags of run-agent-step. Absent values come from the effective policy. */
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
  /** `--model`: the model for whichever engine runs (wins over `--codex-model` and the policy's `claude.model`). */
  model?: string | undefined;
  /** `--engine`: the coding-agent CLI for this step; absent, the policy chooses per repository and stage. */
  engine?: EngineName | undefined;
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

/** The step's flags resolved against the effective policy of the run's repository. */
export interface StepParameters {
  policy: ManagerPolicy;
  policyLoaded: boolean;
  effective: EffectivePolicy;
  /** The attempt's engine and the rule that chose it (flag, repository stage, repository, stage, default). */
  engine: EngineChoice;
  /** The model the engine is asked for: `--codex-model` for codex, the policy's `claude.model` for claude; null for the engine's default. */
  model: string | null;
  /** How Claude Code runs (the policy's `run_agent_step.claude`); used by the claude engine only. */
  claude: ClaudeRunSettings;
  sandbox: 'read-only' | 'workspace-write' | 'danger-full-access';
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

/** One attempt in progress: the run as the step found it, and what every later step needs to know. */
export interface StepScope {
  ctx: AppContext;
  input: RunAgentStepInput;
  params: StepParameters;
  run: RunWithState;
  runId: string;
  /** The run's state when the attempt started (the attempt's stage). */
  stage: RunState;
  repoDir: string;
  /** The success target after the stage's adjustments (a DISCOVERY step does not validate). */
  successState: ConvergenceTarget;
}

const SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
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

/** The base prompt from `--prompt` or `--prompt-file`; read before the run is touched, so bad input changes nothing. */
export function readBasePrompt(input: Pick<RunAgentStepInput, 'prompt' | 'promptFile'>): string {
  if ((input.prompt === undefined) === (input.promptFile === undefined)) {
    throw new AgentprError('usage', 'exactly one of --prompt or --prompt-file is required');
  }
  if (input.prompt !== undefined) return input.prompt;
  try {
    return readFileSync(input.promptFile!, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new AgentprError('io', `cannot read --prompt-file ${input.promptFile}: ${reason}`);
  }
}

/**
 * `--engine` must name an engine agentpr drives; checked first, so a bad value changes nothing.
 * @example assertEngineFlag({ engine: 'claude' }) // passes; 'gemini' throws a usage error naming codex and claude
 */
export function assertEngineFlag(input: Pick<RunAgentStepInput, 'engine'>): void {
  const engine: unknown = input.engine;
  if (engine === undefined || (ENGINE_NAMES as readonly unknown[]).includes(engine)) return;
  throw new AgentprError('usage', `--engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(engine)}`);
}

/** A model name the engine gets as an argument: never empty, never an option. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;

function modelFlag(model: string | undefined): string | null {
  if (model === undefined) return null;
  const name = model.trim();
  if (!MODEL_NAME.test(name)) throw new AgentprError('usage', `--model must be a model name such as "claude-sonnet-4-5" or "gpt-5-codex", got ${JSON.stringify(model)}`);
  return name;
}

/** The run state an attempt starts in: a QUEUED run enters DISCOVERY before its agent runs. */
function attemptStage(run: RunWithState): RunState {
  return run.state.current_state === 'QUEUED' ? 'DISCOVERY' : run.state.current_state;
}

/** Loads the policy and resolves every flag against it; a bad value is a usage error. */
export async function resolveParameters(ctx: AppContext, input: RunAgentStepInput, run: RunWithState): Promise<StepParameters> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const effective = effectivePolicy(loaded.policy, run.run.owner, run.run.repo);
  const sandbox = input.codexSandbox ?? effective.codex_sandbox;
  if (!(SANDBOXES as readonly string[]).includes(sandbox)) {
    throw new AgentprError('usage', `--codex-sandbox must be read-only, workspace-write or danger-full-access, got ${JSON.stringify(sandbox)}`);
  }
  const skillsMode = input.skillsMode ?? effective.skills_mode;
  if (skillsMode !== 'off' && skillsMode !== 'agentpr') throw new AgentprError('usage', `--skills-mode must be off or agentpr, got ${JSON.stringify(input.skillsMode)}`);
  assertEngineFlag(input);
  const engine = engineForStage(effective, attemptStage(run), input.engine);
  const claude = effective.claude;
  return {
    policy: loaded.policy,
    policyLoaded: loaded.loaded,
    effective,
    engine,
    model: modelFlag(input.model) ?? (engine.engine === 'claude' ? (claude.model ?? null) : (input.codexModel ?? null)),
    claude: {
      permissionMode: claude.permission_mode,
      allowedTools: claude.allowed_tools,
      disallowedTools: claude.disallowed_tools,
      maxTurns: claude.max_turns,
    },
    sandbox: sandbox as StepParameters['sandbox'],
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

/** An ungranted agent push is refused before the run or its workspace is touched. */
export function assertAgentPushGranted(input: RunAgentStepInput, params: StepParameters, run: RunWithState): void {
  if (!input.allowAgentPush || params.effective.allow_agent_push) return;
  const repo = `${run.run.owner}/${run.run.repo}`;
  throw new AgentprError(
    'refused',
    `--allow-agent-push gives the agent a GitHub token, and the policy does not grant it for ${repo}; grant it with run_agent_step.repo_overrides["${repo}"].allow_agent_push: true.`,
  );
}
