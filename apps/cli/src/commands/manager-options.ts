// The manager-tick flags and their readers belong to the manager-loop app; manager-tick and drive share them.
import { choice, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import { MANAGER_OPTIONS as LOOP_OPTIONS, actionConfig as loopActionConfig } from '@agentpr/manager-loop-app';
import type { ManagerActionConfig } from '@agentpr/orchestrator';
import { ENGINE_NAMES } from '@agentpr/policy';

export { managerFlags, renderTick } from '@agentpr/manager-loop-app';

/** `--engine` of the manager commands: one engine for every agent step, instead of each run's policy choice. */
const ENGINE_OPTION: FlagSpec = {
  type: 'string',
  value: 'ENGINE',
  choices: ENGINE_NAMES,
  description: 'codex | claude for every agent step (default: each run\'s policy, per repository and stage)',
};

/** The manager flags of manager-tick and drive: the manager-loop app's, with `--engine` (kept if the app has its own). */
export const MANAGER_OPTIONS: Record<string, FlagSpec> = { ...LOOP_OPTIONS, engine: LOOP_OPTIONS.engine ?? ENGINE_OPTION };

/**
 * How the manager runs agent steps, prepare and finish, from `values`, with the `--engine` choice (a value outside
 * codex, claude is a usage error naming them).
 * @example defaultManagerActions(actionConfig(values))
 */
export function actionConfig(values: FlagValues): ManagerActionConfig {
  const config = loopActionConfig(values);
  return { ...config, engine: config.engine ?? choice(values, 'engine', ENGINE_NAMES) };
}
