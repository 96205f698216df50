import { join } from 'node:path';
import {
  getAgentEngine,
  prepareAgentEnvironment,
  resolveCodexHome,
  resolveExternalReadOnlyPaths,
  type AgentEngine,
  type AttemptCodexHome,
  type PrepareAgentEnvironmentResult,
} from '@agentpr/codex-runner';
import { DEFAULT_BRIDGE_PORT, proxyEnvironment } from '@agentpr/egress-proxy';
import { loadRuntimeEnvOverrides } from '@agentpr/policy';
import { AgentprError } from '../errors.js';
import { policyError } from '../policy-error.js';
import { resolveConfinement, type Confinement } from './confinement.js';
import type { StepScope } from './parameters.js';

/** The agent's environment for one attempt: its confinement, its own engine home and its complete environment. */
export interface AttemptEnvironment {
  /** The engine that runs the attempt (its variables, homes and model endpoints). */
  engine: AgentEngine<unknown>;
  confinement: Confinement;
  allowAgentPush: boolean;
  /** Loud lines for the log, the output and the report. */
  warnings: string[];
  /** The operator's own engine home (`~/.codex`, `~/.claude`): read only, where installed skills are looked for. */
  operatorHome: string;
  /** The throwaway engine home of this attempt (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`); dispose it when the attempt is over. */
  attemptHome: AttemptCodexHome;
  /** The model endpoints the engine calls (always allowed through the egress proxy). */
  modelUrls: string[];
  prepared: Extract<PrepareAgentEnvironmentResult, { ok: true }>;
  /** Where the runtime overrides came from (for the report). */
  overrides: { path: string; loaded: boolean };
  skillsRoot: string;
  /** Paths outside the workspace the agent may read (integration root, skills, `--allow-read-path`s). */
  readOnlyPaths: string[];
}

/**
 * The agent is hostile: it runs confined (bubblewrap by default), holds no GitHub token unless the policy grants
 * agent push for this repository, gets a throwaway engine home, and reaches the network only through the proxy.
 * Builds that environment for the step's engine (its home variable, its one model credential, its fixed settings);
 * the caller disposes `attemptHome`.
 */
export async function prepareAttemptEnvironment(s: StepScope): Promise<AttemptEnvironment> {
  const { ctx, params, run, runId } = s;
  const confinement = await resolveConfinement(ctx.env, params.isolation, params.network, (level, env) => ctx.agent.checkIsolation(level, env));
  const allowAgentPush = s.input.allowAgentPush ?? false;
  const pushWarning = `agent push: the agent holds a GitHub token for this step (granted by the policy for ${run.run.owner}/${run.run.repo})`;
  const warnings = [...confinement.warnings, ...(allowAgentPush ? [pushWarning] : [])];
  for (const warning of warnings) ctx.log.warn(warning, { run_id: runId });
  const overrides = await loadRuntimeEnvOverrides(ctx.paths.runtimeEnvFile);
  if (!overrides.ok) throw policyError(overrides.error);
  const engine = getAgentEngine(params.engine.engine);
  const isCodex = engine.name === 'codex';
  const operatorHome = engine.operatorHome(ctx.env);
  const attemptHome = engine.createAttemptHome({ env: ctx.env, parentDir: join(ctx.paths.dataDir, 'agent-homes'), includeSkills: params.skillsMode === 'agentpr' });
  try {
    const env = prepareAgentEnvironment({
      engine: { name: engine.name, homeVar: engine.homeVar, credentialVars: engine.credentialVars, passVars: engine.passVars, fixedEnv: engine.fixedEnv },
      parentEnv: ctx.env,
      repoDir: s.repoDir,
      // Provider env_keys are codex's and read from the operator's codex home only; other engines have none.
      codexHome: isCodex ? operatorHome : resolveCodexHome(ctx.env),
      agentCodexHome: attemptHome.path,
      overrides: overrides.overrides,
      passthrough: params.policy.run_agent_step.env_passthrough ?? [],
      providerEnvAllowlist: isCodex ? (params.policy.run_agent_step.provider_env_allowlist ?? []) : [],
      allowAgentPush,
      // The in-sandbox bridge listens on this port; the Node bridge sets the same variables itself.
      ...(confinement.isolation === 'bwrap' && params.network === 'allowlist' ? { proxyEnv: proxyEnvironment(DEFAULT_BRIDGE_PORT) } : {}),
    });
    if (!env.ok) throw new AgentprError('config', `runtime environment: ${env.errors.join('; ')}`);
    warnRefusedKeys(s, env);
    const skillsRoot = join(attemptHome.path, 'skills');
    const readOnlyPaths = resolveExternalReadOnlyPaths({
      integrationRoot: ctx.paths.campaignDir,
      skillsRoot: params.skillsMode === 'agentpr' ? skillsRoot : null,
      allowReadPaths: s.input.allowReadPaths ?? [],
      cwd: process.cwd(),
    });
    const source = { path: overrides.path, loaded: overrides.loaded };
    const modelUrls = engine.modelUrls(ctx.env);
    return { engine, confinement, allowAgentPush, warnings, operatorHome, attemptHome, modelUrls, prepared: env, overrides: source, skillsRoot, readOnlyPaths };
  } catch (error) {
    attemptHome.dispose();
    throw error;
  }
}

function warnRefusedKeys(s: StepScope, env: AttemptEnvironment['prepared']): void {
  const log = s.ctx.log;
  if (env.refusedPassthrough.length) {
    log.warn(`env_passthrough: not passed to the agent because they look like secrets: ${env.refusedPassthrough.join(', ')}`, { run_id: s.runId });
  }
  if (env.refusedProviderEnvKeys.length) {
    log.warn(`codex provider env_key not passed to the agent: ${env.refusedProviderEnvKeys.join(', ')}; allow it with run_agent_step.provider_env_allowlist`, { run_id: s.runId });
  }
}
