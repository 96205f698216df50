import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { anthropicScenarioPath, ANTHROPIC_SCENARIO_NAMES, startAnthropicStub, type RunningAnthropicStub, type Scenario } from '@agentpr/anthropic-stub';

/** The dummy model key the harness gives claude; the stub accepts it (and, with `requireKey`, only it). */
export const TEST_ANTHROPIC_API_KEY = 'sk-ant-test-not-a-real-key';

/**
 * Claude's retry switches for tests: two retries, 100-200 ms apart, so stream-error scenarios end in about a second.
 * Add them to the parent environment and name them in the policy's `env_passthrough`.
 */
export const CLAUDE_TEST_RETRY_ENV: Readonly<Record<string, string>> = Object.freeze({
  CLAUDE_CODE_MAX_RETRIES: '2',
  CLAUDE_CODE_OVERLOADED_RETRY_BASE_DELAY_MS: '100',
  CLAUDE_CODE_OVERLOADED_RETRY_MAX_DELAY_MS: '200',
});

/**
 * The repository's pinned native claude binary (2.1.332, from the root devDependency `@anthropic-ai/claude-code`): the
 * platform package's `claude`, since the wrapper's `bin/claude.exe` is only a placeholder where its postinstall did
 * not run.
 */
export function claudeBinaryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`@anthropic-ai/claude-code-${platformSuffix()}/package.json`)), 'claude');
}

function platformSuffix(): string {
  const report = process.platform === 'linux' ? (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined) : undefined;
  const musl = report !== undefined && report.header?.glibcVersionRuntime === undefined;
  return `${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
}

/** Options of {@link withClaudeSandbox}. */
export interface ClaudeSandboxOptions {
  /** A shipped scenario name (`pass`, `hang`, …), a scenario file path, or a scenario object. */
  scenario: string | Scenario;
  /** Values for the scenario's `{{NAME}}` placeholders. */
  vars?: Record<string, string>;
  /** Make the stub refuse (401) any request without {@link TEST_ANTHROPIC_API_KEY}. */
  requireKey?: boolean;
}

/** A running Anthropic stub plus the variables that point the real claude at it. */
export interface ClaudeSandbox {
  /**
   * Variables to add to the parent environment of the agent: `ANTHROPIC_BASE_URL` (the stub), `ANTHROPIC_API_KEY` (a
   * dummy) and `AGENTPR_CLAUDE_BIN` (the pinned native binary).
   */
  env: { ANTHROPIC_BASE_URL: string; ANTHROPIC_API_KEY: string; AGENTPR_CLAUDE_BIN: string };
  /** The stub's base URL (no `/v1`). */
  stubUrl: string;
  /** The stub; `stub.requests` records every request (model, offered tools, tool results, body). */
  stub: RunningAnthropicStub;
  /** The scenario's model, else `claude-sonnet-4-5`. */
  model: string;
  /** Stops the stub (hanging streams included). */
  close(): Promise<void>;
}

/**
 * Starts the scripted Anthropic Messages stub for a scenario and returns the variables that point the real claude
 * binary at it. For tests of the claude engine, run-agent-step, the manager and the demo.
 * @example
 * const sandbox = await withClaudeSandbox({ scenario: 'pass' });
 * try { ...run claude with { ...process.env, ...sandbox.env }... } finally { await sandbox.close(); }
 */
export async function withClaudeSandbox(options: ClaudeSandboxOptions): Promise<ClaudeSandbox> {
  const bin = claudeBinaryPath();
  const scenario = typeof options.scenario === 'string' && (ANTHROPIC_SCENARIO_NAMES as readonly string[]).includes(options.scenario) ? anthropicScenarioPath(options.scenario) : options.scenario;
  const stub = await startAnthropicStub({
    scenario,
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.requireKey ? { apiKey: TEST_ANTHROPIC_API_KEY } : {}),
  });
  return {
    env: { ANTHROPIC_BASE_URL: stub.url, ANTHROPIC_API_KEY: TEST_ANTHROPIC_API_KEY, AGENTPR_CLAUDE_BIN: bin },
    stubUrl: stub.url,
    stub,
    model: stub.scenario.model ?? 'claude-sonnet-4-5',
    close: () => stub.close(),
  };
}
