import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnthropicStubError } from './errors.js';

/** The scenarios shipped in `tools/anthropic-stub/scenarios/` (issue 19's list). */
export const ANTHROPIC_SCENARIO_NAMES = ['pass', 'tests-fail', 'fail-then-pass', 'hang', 'attempted-push', 'write-outside', 'stream-error', 'stream-error-after-text'] as const;

/** The name of a shipped scenario. */
export type AnthropicScenarioName = (typeof ANTHROPIC_SCENARIO_NAMES)[number];

// Both src/*.ts (tests) and dist/*.js (built) sit one level below the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The absolute path of a shipped scenario file. Throws {@link AnthropicStubError} `scenario_not_found` for an unknown name.
 * @example startAnthropicStub({ scenario: anthropicScenarioPath('tests-fail') })
 */
export function anthropicScenarioPath(name: AnthropicScenarioName | string): string {
  const path = join(packageRoot, 'scenarios', `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new AnthropicStubError('scenario_not_found', `no shipped anthropic-stub scenario named ${name}; choose one of ${ANTHROPIC_SCENARIO_NAMES.join(', ')}.`);
  }
  return path;
}
