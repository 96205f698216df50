import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmStubError } from './errors.js';

/** The scenarios shipped in `tools/llm-stub/scenarios/`. */
export const LLM_SCENARIO_NAMES = [
  'read-stuck-runs',
  'pause-run',
  'invalid-arguments',
  'injection',
  'approve-pr',
  'budget-tool-calls',
  'budget-tokens',
  'endpoint-error',
] as const;

/** The name of a shipped scenario. */
export type LlmScenarioName = (typeof LLM_SCENARIO_NAMES)[number];

// Both src/*.ts (tests) and dist/*.js (built) sit one level below the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The absolute path of a shipped scenario file. Throws {@link LlmStubError} `scenario_not_found` for an unknown name.
 * @example startLlmStub({ scenario: llmScenarioPath('read-stuck-runs') })
 */
export function llmScenarioPath(name: LlmScenarioName | string): string {
  const path = join(packageRoot, 'scenarios', `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new LlmStubError('scenario_not_found', `no shipped llm-stub scenario named ${name}; choose one of ${LLM_SCENARIO_NAMES.join(', ')}.`);
  }
  return path;
}
