import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelStubError } from './errors.js';

/** The scenarios shipped in `tools/model-stub/scenarios/`. */
export const SCENARIO_NAMES = [
  'implement-and-tests-pass',
  'tests-fail',
  'tests-fail-then-pass',
  'write-outside-workspace',
  'hang-past-timeout',
  'model-stream-fails',
  'git-push-not-allowed',
  'inspect-environment',
  'model-http-500',
] as const;

/** The name of a shipped scenario. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

// Both src/*.ts (tests) and dist/*.js (built) sit one level below the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The absolute path of a shipped scenario file. Throws {@link ModelStubError} `scenario_not_found` for an unknown name.
 * @example startModelStub({ scenario: scenarioPath('tests-fail') })
 */
export function scenarioPath(name: ScenarioName | string): string {
  const path = join(packageRoot, 'scenarios', `${name}.json`);
  if (!existsSync(path)) {
    throw new ModelStubError('scenario_not_found', `no shipped scenario named ${name}; choose one of ${SCENARIO_NAMES.join(', ')}.`);
  }
  return path;
}

/** The absolute path of the bundled sample project the shipped scenarios edit and test (copy it before use). */
export function sampleProjectDir(): string {
  return join(packageRoot, 'sample-project');
}
