import { int, serviceHelp, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import type { ManagerActionConfig, ManagerFlags } from '@agentpr/orchestrator';
import { actionConfig, MANAGER_OPTIONS, managerFlags } from './manager-flags.js';

/** The flags of `agentpr-manager` and `agentpr run-manager-loop` (the global flags come on top). */
export const MANAGER_LOOP_FLAGS: Record<string, FlagSpec> = {
  'run-id': { type: 'string', value: 'ID', description: 'only this run' },
  ...MANAGER_OPTIONS,
  'interval-sec': { type: 'string', value: 'N', description: 'seconds between ticks (default 300)' },
  'max-loops': { type: 'string', value: 'N', description: 'stop after N ticks' },
  'shutdown-grace-sec': { type: 'string', value: 'N', description: 'on SIGTERM, let a running agent step finish this long before stopping it (default 30)' },
};

/** The one-line summary of `agentpr run-manager-loop`. */
export const MANAGER_LOOP_SUMMARY = 'Run manager ticks forever (or --max-loops); any number of loops may share one database.';

/** Help of `agentpr-manager`; its first line names the CLI command it is. */
export const MANAGER_LOOP_HELP = serviceHelp({
  command: 'run-manager-loop',
  summary: MANAGER_LOOP_SUMMARY,
  bin: 'agentpr-manager',
  flags: MANAGER_LOOP_FLAGS,
  stdout: 'Tick reports go to stdout.',
  example: 'agentpr-manager --prompt-file prompt.md --interval-sec 300',
});

/** The parsed command line of `agentpr-manager` / `agentpr run-manager-loop`. */
export interface ManagerLoopArgs {
  flags: ManagerFlags;
  actions: ManagerActionConfig;
  intervalSec: number;
  maxLoops: number | undefined;
  shutdownGraceSec: number;
}

/** Reads and validates the manager loop's flag values; a bad one is a `usage` error naming the flag. */
export function parseManagerLoopArgs(values: FlagValues): ManagerLoopArgs {
  return {
    flags: managerFlags(values),
    actions: actionConfig(values),
    intervalSec: int(values, 'interval-sec', { min: 1, default: 300 })!,
    maxLoops: int(values, 'max-loops', { min: 1 }),
    shutdownGraceSec: int(values, 'shutdown-grace-sec', { min: 0, default: 30 })!,
  };
}
