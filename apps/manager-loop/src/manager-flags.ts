import { choice, flag, int, list, str, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import type { ManagerActionConfig, ManagerFlags } from '@agentpr/orchestrator';
import { ENGINE_NAMES } from '@agentpr/policy';

/** The flags of a manager tick, shared by `agentpr-manager` and the CLI's manager-tick, run-manager-loop and drive. */
export const MANAGER_OPTIONS: Record<string, FlagSpec> = {
  limit: { type: 'string', value: 'N', description: 'runs per tick (default 20)' },
  'max-actions-per-run': { type: 'string', value: 'N', description: 'actions per run per tick (default 4)' },
  'prompt-file': { type: 'string', value: 'PATH', description: 'base prompt for agent steps (without it, agent stages wait for a human)' },
  'contract-template-file': { type: 'string', value: 'PATH', description: 'text of the bootstrap contract (skills mode off)' },
  'disable-auto-contract': { type: 'boolean', description: 'never write a bootstrap contract' },
  changes: { type: 'string', value: 'TEXT', description: 'commit body text of run-finish (default: "Automated integration updates from manager loop.")' },
  'commit-title': { type: 'string', value: 'TITLE', description: 'commit title of run-finish (default: the campaign default)' },
  'skills-mode': { type: 'string', value: 'MODE', description: 'off | agentpr (default: policy)' },
  'codex-sandbox': { type: 'string', value: 'MODE', description: 'sandbox of agent steps (default: policy)' },
  'agent-arg': { type: 'string', multiple: true, value: 'ARG', description: 'extra engine argument for agent steps' },
  engine: { type: 'string', value: 'ENGINE', choices: ENGINE_NAMES, description: "codex | claude for every agent step (default: each run's policy, per repository and stage)" },
  isolation: { type: 'string', value: 'LEVEL', choices: ['bwrap', 'none'], description: 'bwrap | none for agent steps (default: policy, bwrap)' },
  network: { type: 'string', value: 'MODE', choices: ['allowlist', 'on', 'off'], description: 'allowlist | on | off for agent steps (default: policy, allowlist)' },
  concurrency: { type: 'string', value: 'N', description: 'runs worked in parallel by this process (default 1)' },
  'backoff-sec': { type: 'string', value: 'N', description: 'wait after a failed action, doubling per failure (default 30)' },
  'sync-interval-sec': { type: 'string', value: 'N', description: 'how often a run waiting on GitHub is synced (default 120)' },
  'lease-ttl-sec': { type: 'string', value: 'N', description: "run lease length, renewed while working; a killed worker's runs free up after it (default 60)" },
  'upstream-url': { type: 'string', value: 'TEMPLATE', description: 'clone URL with {owner} {repo} (default https://github.com/{owner}/{repo}.git)' },
  'fork-url': { type: 'string', value: 'TEMPLATE', description: 'fork push URL with {owner} {repo} {fork_owner}' },
  'fork-owner': { type: 'string', value: 'OWNER', description: 'fork owner (env AGENTPR_FORK_OWNER)' },
  'skip-network-check': { type: 'boolean', description: 'no network checks in the doctor gate and preflight' },
  'dry-run': { type: 'boolean', description: 'print the decisions, change nothing' },
};

/** The manager flags of `values` (a bad number is a usage error naming the flag). */
export function managerFlags(values: FlagValues): ManagerFlags {
  return {
    runId: str(values, 'run-id'),
    limit: int(values, 'limit', { min: 1 }),
    maxActionsPerRun: int(values, 'max-actions-per-run', { min: 1 }),
    dryRun: flag(values, 'dry-run'),
    promptFile: str(values, 'prompt-file'),
    skillsMode: str(values, 'skills-mode'),
    contractTemplateFile: str(values, 'contract-template-file'),
    disableAutoContract: flag(values, 'disable-auto-contract'),
    concurrency: int(values, 'concurrency', { min: 1 }),
    backoffSec: int(values, 'backoff-sec', { min: 0 }),
    syncIntervalSec: int(values, 'sync-interval-sec', { min: 1 }),
    leaseTtlSec: int(values, 'lease-ttl-sec', { min: 1 }),
  };
}

/** How the manager runs the heavy use cases (agent steps, run-finish, prepare), from `values`. */
export function actionConfig(values: FlagValues): ManagerActionConfig {
  const isolation = choice(values, 'isolation', ['bwrap', 'none'] as const);
  const network = choice(values, 'network', ['allowlist', 'on', 'off'] as const);
  return {
    promptFile: str(values, 'prompt-file'),
    skillsMode: str(values, 'skills-mode'),
    codexSandbox: str(values, 'codex-sandbox'),
    agentArgs: list(values, 'agent-arg'),
    engine: choice(values, 'engine', ENGINE_NAMES),
    isolation,
    network,
    skipNetworkCheck: flag(values, 'skip-network-check'),
    changes: str(values, 'changes') ?? 'Automated integration updates from manager loop.',
    commitTitle: str(values, 'commit-title'),
    upstreamUrl: str(values, 'upstream-url'),
    forkUrl: str(values, 'fork-url'),
    forkOwner: str(values, 'fork-owner'),
  };
}
