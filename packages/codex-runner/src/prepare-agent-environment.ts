import { rmSync } from 'node:fs';
import { resolveRuntimeEnv } from '@agentpr/policy';
import { buildAgentEnvironment, readCodexProviderEnvKeys, type EngineEnvironment } from './agent-environment.js';
import { nodeFileProbe, type FileProbe } from './file-probe.js';
import { createRuntimeDirectories, runtimePaths, type RuntimePaths } from './runtime-env.js';

/** Inputs of {@link prepareAgentEnvironment}. */
export interface PrepareAgentEnvironmentOptions {
  /** The engine's variables (home variable, credentials, fixed settings); default codex's. Only codex reads provider `env_key`s. */
  engine?: EngineEnvironment & { name?: string };
  /** The orchestrator's environment (the app passes `process.env`). */
  parentEnv: Readonly<Record<string, string | undefined>>;
  /** The workspace. */
  repoDir: string;
  /**
   * The OPERATOR's codex home (`resolveCodexHome(env)`). Provider `env_key`s are read from its config.toml, never from
   * a directory the agent could have written.
   */
  codexHome: string;
  /**
   * The agent's `CODEX_HOME`: the per-attempt home (`createAttemptCodexHome(...).path`). Defaults to `codexHome` only
   * for callers not yet migrated; then the agent can rewrite the operator's config and skills for later runs.
   */
  agentCodexHome?: string;
  /** Entries of the runtime override file (parsed by `loadRuntimeEnvOverrides` of `@agentpr/policy`), merged over the built-ins. */
  overrides?: Readonly<Record<string, string>>;
  /** Policy `env_passthrough`; secret-looking names need `secretPassthrough` too. */
  passthrough?: readonly string[];
  /** The operator's explicit opt-in for secret-looking passthrough names. */
  secretPassthrough?: readonly string[];
  /** Provider `env_key` names allowed besides `CODEX_API_KEY`/`OPENAI_API_KEY`. */
  providerEnvAllowlist?: readonly string[];
  /** Proxy variables for network mode `allowlist`. */
  proxyEnv?: Readonly<Record<string, string>>;
  /** Agent push, as granted by policy for this repository. */
  allowAgentPush?: boolean;
  /** @deprecated Ignored: the CI/review stage no longer gets GitHub tokens (issue 12). */
  skillsMode?: string;
  /** @deprecated Ignored, see `skillsMode`. */
  stage?: string;
  fs?: FileProbe;
}

/** The prepared environment, or the template errors (one line each; nothing was created). */
export type PrepareAgentEnvironmentResult =
  | {
    ok: true;
    paths: RuntimePaths;
    /** The agent's complete environment. */
    env: Record<string, string>;
    /** Parent variable names withheld from the agent (names only). */
    withheld: string[];
    /** Passthrough names refused as secret-looking; warn the operator (names only). */
    refusedPassthrough: string[];
    /** Provider `env_key` names refused (not allowlisted); warn the operator, the model call will likely fail. */
    refusedProviderEnvKeys: string[];
    /** The rendered runtime variables. */
    runtimeEnv: Record<string, string>;
    /** Sorted keys of the override file (`env_keys` of the runtime policy summary). */
    overrideKeys: string[];
    /** Directories created (mkdir -p). */
    createdDirs: string[];
    /** Custom provider key variables read from the operator's `<codexHome>/config.toml` (before the allowlist). */
    providerEnvKeys: string[];
  }
  | { ok: false; errors: string[] };

/**
 * Everything an agent launch needs beforehand, in one call: renders the runtime templates (built-ins + overrides, via
 * `@agentpr/policy`), creates the runtime directories, reads the custom provider's `env_key` from the operator's
 * codex config.toml, and builds the allowlisted agent environment (issue 12) with `CODEX_HOME` = `agentCodexHome`.
 * @example
 * const home = createAttemptCodexHome({ operatorCodexHome: codexHome, parentDir, includeSkills });
 * const prepared = prepareAgentEnvironment({ parentEnv: ctx.env, repoDir, codexHome, agentCodexHome: home.path });
 */
export function prepareAgentEnvironment(options: PrepareAgentEnvironmentOptions): PrepareAgentEnvironmentResult {
  const paths = runtimePaths(options.repoDir);
  const rendered = resolveRuntimeEnv(options.repoDir, options.overrides ?? {});
  if (!rendered.ok) return { ok: false, errors: [rendered.error.message] };
  const createdDirs = createRuntimeDirectories(paths, rendered.value.directories);
  const isCodex = (options.engine?.name ?? 'codex') === 'codex';
  const providerEnvKeys = isCodex ? readCodexProviderEnvKeys(options.codexHome, options.fs ?? nodeFileProbe) : [];
  const agent = buildAgentEnvironment(options.parentEnv, {
    ...(options.engine ? { engine: options.engine } : {}),
    codexHome: options.agentCodexHome ?? options.codexHome,
    runtimeDir: paths.runtimeDir,
    runtimeEnv: rendered.value.env,
    passthrough: options.passthrough ?? [],
    secretPassthrough: options.secretPassthrough ?? [],
    allowAgentPush: options.allowAgentPush ?? false,
    providerEnvKeys,
    providerEnvAllowlist: options.providerEnvAllowlist ?? [],
    ...(options.proxyEnv ? { proxyEnv: options.proxyEnv } : {}),
  });
  return {
    ok: true,
    paths,
    env: agent.env,
    withheld: agent.withheld,
    refusedPassthrough: agent.refusedPassthrough,
    refusedProviderEnvKeys: agent.refusedProviderEnvKeys,
    runtimeEnv: rendered.value.env,
    overrideKeys: rendered.value.overrideKeys,
    createdDirs,
    providerEnvKeys,
  };
}

/** Deletes a stale `codex_last_message.txt` before launch. Returns true if one was removed. */
export function removeStaleLastMessage(paths: Pick<RuntimePaths, 'lastMessagePath'>, fs: FileProbe = nodeFileProbe): boolean {
  if (!fs.exists(paths.lastMessagePath)) return false;
  rmSync(paths.lastMessagePath, { force: true });
  return true;
}
