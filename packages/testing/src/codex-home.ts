import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** Options for a throwaway codex home whose config.toml selects a local model stub as a custom provider. */
export interface CodexHomeOptions {
  /** The stub's base URL, ending in `/v1` (codex POSTs `{base_url}/responses`). */
  baseUrl: string;
  /** Model slug. Default `gpt-5.5`: a slug codex knows, so it offers `apply_patch`. */
  model?: string;
  /** Provider id in config.toml. Default `stub`. */
  providerId?: string;
  /**
   * Variable holding the provider key. Default `OPENAI_API_KEY`, which agentpr passes to the agent without an allowlist entry
   * (never an `AGENTPR_*` name: those are withheld).
   */
  envKey?: string;
  /** `stream_idle_timeout_ms`. Default 10 000. */
  streamIdleTimeoutMs?: number;
  /** Extra TOML appended verbatim. */
  extraToml?: string;
}

/** A codex home made by {@link createCodexHome}. */
export interface TestCodexHome {
  /** The directory to pass as `CODEX_HOME`. */
  codexHome: string;
  configPath: string;
  /** The provider key variable and a dummy value for it; codex fails the turn if it is unset. */
  envKey: string;
  envValue: string;
  model: string;
}

/**
 * The config.toml text for a stub provider: `wire_api = "responses"`, no HTTP or stream retries, so
 * failures surface at once.
 */
export function stubCodexConfigToml(options: CodexHomeOptions): string {
  const provider = options.providerId ?? 'stub';
  const lines = [
    `model = ${JSON.stringify(options.model ?? 'gpt-5.5')}`,
    `model_provider = ${JSON.stringify(provider)}`,
    '',
    `[model_providers.${provider}]`,
    'name = "agentpr scripted model stub"',
    `base_url = ${JSON.stringify(options.baseUrl)}`,
    `env_key = ${JSON.stringify(options.envKey ?? 'OPENAI_API_KEY')}`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    `stream_idle_timeout_ms = ${options.streamIdleTimeoutMs ?? 10_000}`,
    '',
  ];
  if (options.extraToml) lines.push(options.extraToml, '');
  return lines.join('\n');
}

/**
 * Creates a throwaway codex home (a fresh temp dir, removed by `cleanupTempDirs`) with a config.toml that points codex
 * at a model stub. Run codex with a `TMPDIR` that does not contain it (a `CODEX_HOME` under the temp dir breaks codex's
 * sandbox, and the commands it runs vanish from the event stream); agentpr's agent
 * environment does that by setting `TMPDIR` inside the workspace.
 */
export function createCodexHome(options: CodexHomeOptions): TestCodexHome {
  const codexHome = tempDir('agentpr-codex-home-');
  const configPath = join(codexHome, 'config.toml');
  writeFileSync(configPath, stubCodexConfigToml(options));
  return { codexHome, configPath, envKey: options.envKey ?? 'OPENAI_API_KEY', envValue: 'stub-key-not-a-secret', model: options.model ?? 'gpt-5.5' };
}

/** The repository's pinned codex launcher (`@openai/codex` `bin/codex.js`, a devDependency of the root). */
export function codexBinaryPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@openai/codex/package.json')), 'bin', 'codex.js');
}
