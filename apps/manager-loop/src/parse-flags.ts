import { parseArgs } from 'node:util';
import { AgentprError } from '@agentpr/orchestrator/errors';
import type { ManagerActionConfig, ManagerFlags } from '@agentpr/orchestrator';
import { choice, flag, flagLines, GLOBAL_FLAGS, int, list, resolveGlobals, str, type FlagSpec, type FlagValues, type ServiceGlobals } from './service-options.js';

/** The flags of `agentpr-manager`: those of `agentpr run-manager-loop` (the CLI's global flags included). */
export const MANAGER_LOOP_FLAGS: Record<string, FlagSpec> = {
  'run-id': { type: 'string', value: 'ID', description: 'only this run' },
  limit: { type: 'string', value: 'N', description: 'runs per tick (default 20)' },
  'max-actions-per-run': { type: 'string', value: 'N', description: 'actions per run per tick (default 4)' },
  'prompt-file': { type: 'string', value: 'PATH', description: 'base prompt for agent steps (without it, agent stages wait for a human)' },
  'contract-template-file': { type: 'string', value: 'PATH', description: 'text of the bootstrap contract (skills mode off)' },
  'disable-auto-contract': { type: 'boolean', description: 'never write a bootstrap contract' },
  changes: { type: 'string', value: 'TEXT', description: 'commit body text of run-finish (default: "Automated integration updates from manager loop.")' },
  'commit-title': { type: 'string', value: 'TITLE', description: 'commit title of run-finish (default: the campaign default)' },
  'skills-mode': { type: 'string', value: 'MODE', description: 'off | agentpr (default: policy)' },
  'codex-sandbox': { type: 'string', value: 'MODE', description: 'sandbox of agent steps (default: policy)' },
  'agent-arg': { type: 'string', multiple: true, value: 'ARG', description: 'extra codex argument for agent steps' },
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
  'interval-sec': { type: 'string', value: 'N', description: 'seconds between ticks (default 300)' },
  'max-loops': { type: 'string', value: 'N', description: 'stop after N ticks' },
  'shutdown-grace-sec': { type: 'string', value: 'N', description: 'on SIGTERM, let a running agent step finish this long before stopping it (default 30)' },
};

/** Help of `agentpr-manager`; its first line names the CLI command it is. */
export const MANAGER_LOOP_HELP = [
  'agentpr run-manager-loop — Run manager ticks forever (or --max-loops); any number of loops may share one database.',
  '',
  'Usage: agentpr-manager [options]   (the same as: agentpr run-manager-loop [options])',
  '',
  'Options:',
  ...flagLines(MANAGER_LOOP_FLAGS),
  '',
  'Global options:',
  ...flagLines(GLOBAL_FLAGS),
  '',
  'Logs go to stderr through pino: JSON lines, or one readable line per event on a terminal (AGENTPR_LOG_FORMAT=json|pretty,',
  'AGENTPR_LOG_LEVEL=debug|info|warn|error). Tick reports go to stdout. SIGTERM stops cleanly (exit 0); Ctrl-C exits 130.',
  '',
  'Example:',
  '  agentpr-manager --prompt-file prompt.md --interval-sec 300',
].join('\n');

/** The parsed command line of `agentpr-manager`. */
export interface ManagerLoopArgs {
  help: boolean;
  globals: ServiceGlobals;
  flags: ManagerFlags;
  actions: ManagerActionConfig;
  intervalSec: number;
  maxLoops: number | undefined;
  shutdownGraceSec: number;
  skipNetworkCheck: boolean;
}

/** Reads the raw flag values; a parse error is a `usage` error with the CLI's wording. */
export function readFlagValues(argv: string[], specs: Record<string, FlagSpec>, command: string, bin: string): FlagValues {
  const all = { ...GLOBAL_FLAGS, ...specs };
  const options = Object.fromEntries(Object.entries(all).map(([n, s]) => [n, { type: s.type, ...(s.multiple ? { multiple: true } : {}) }]));
  let values: FlagValues;
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    values = parsed.values as FlagValues;
  } catch (error) {
    const raw = (error as Error).message;
    const dashed = /Option '(--[\w-]+)' argument is ambiguous/.exec(raw);
    const message = dashed
      ? `${dashed[1]} needs a value; write a value that starts with "-" as ${dashed[1]}=-VALUE`
      : raw.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
    throw new AgentprError('usage', `${command}: ${message}. Run \`${bin} --help\` for usage.`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value.trim().toLowerCase())) {
      throw new AgentprError('usage', `${command}: --${name} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(value)}. Run \`${bin} --help\` for usage.`);
    }
  }
  return values;
}

/** Parses and validates `agentpr-manager`'s argv; bad input is a `usage` error naming the flag. */
export function parseManagerLoopArgs(argv: string[], env: Readonly<Record<string, string | undefined>>): ManagerLoopArgs {
  const values = readFlagValues(argv, MANAGER_LOOP_FLAGS, 'run-manager-loop', 'agentpr-manager');
  const globals = resolveGlobals(values, env);
  if (values.help === true) {
    return { help: true, globals, flags: {}, actions: { changes: '' }, intervalSec: 300, maxLoops: undefined, shutdownGraceSec: 30, skipNetworkCheck: false };
  }
  return {
    help: false,
    globals,
    flags: {
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
    },
    actions: {
      promptFile: str(values, 'prompt-file'),
      skillsMode: str(values, 'skills-mode'),
      codexSandbox: str(values, 'codex-sandbox'),
      agentArgs: list(values, 'agent-arg'),
      isolation: choice(values, 'isolation', ['bwrap', 'none'] as const),
      network: choice(values, 'network', ['allowlist', 'on', 'off'] as const),
      skipNetworkCheck: flag(values, 'skip-network-check'),
      changes: str(values, 'changes') ?? 'Automated integration updates from manager loop.',
      commitTitle: str(values, 'commit-title'),
      upstreamUrl: str(values, 'upstream-url'),
      forkUrl: str(values, 'fork-url'),
      forkOwner: str(values, 'fork-owner'),
    },
    intervalSec: int(values, 'interval-sec', { min: 1, default: 300 })!,
    maxLoops: int(values, 'max-loops', { min: 1 }),
    shutdownGraceSec: int(values, 'shutdown-grace-sec', { min: 0, default: 30 })!,
    skipNetworkCheck: flag(values, 'skip-network-check'),
  };
}
