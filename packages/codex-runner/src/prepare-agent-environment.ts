import { rmSync } from 'node:fs';
import { resolveRuntimeEnv } from '@agentpr/policy';
import { buildAgentEnvironment, readCodexProviderEnvKeys } from './agent-environment.js';
import { nodeFileProbe, type FileProbe } from './file-probe.js';
import { createRuntimeDirectories, runtimePaths, type RuntimePaths } from './runtime-env.js';

/** Inputs of {@link prepareAgentEnvironment}. */
export interface PrepareAgentEnvironmentOptions {
  /** The orchestrator's environment (the app passes `process.env`). */
  parentEnv: Readonly<Record<string, string | undefined>>;
  /** The workspace. */
  repoDir: string;
  /** The resolved codex home (`resolveCodexHome(env)`). */
  codexHome: string;
  /** Entries of the runtime override file (parsed by `loadRuntimeEnvOverrides` of `@agentpr/policy`), merged over the built-ins. */
  overrides?: Readonly<Record<string, string>>;
  passthrough?: readonly string[];
  allowAgentPush?: boolean;
  skillsMode?: string;
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
      /** The rendered runtime variables. */
      runtimeEnv: Record<string, string>;
      /** Sorted keys of the override file (`env_keys` of the runtime policy summary). */
      overrideKeys: string[];
      /** Directories created (mkdir -p). */
      createdDirs: string[];
      /** Custom provider key variables read from `<codexHome>/config.toml`. */
      providerEnvKeys: string[];
    }
  | { ok: false; errors: string[] };

/**
 * Everything SPEC §4.4 does before launch, in one call: renders the runtime templates (built-ins + overrides, via
 * `@agentpr/policy`), creates
 * the runtime directories, reads the custom provider's `env_key` from codex's config.toml, and builds the allowlisted
 * agent environment (W24).
 * @example
 * const prepared = prepareAgentEnvironment({ parentEnv: ctx.env, repoDir, codexHome: resolveCodexHome(ctx.env) });
 */
export function prepareAgentEnvironment(options: PrepareAgentEnvironmentOptions): PrepareAgentEnvironmentResult {
  const paths = runtimePaths(options.repoDir);
  const rendered = resolveRuntimeEnv(options.repoDir, options.overrides ?? {});
  if (!rendered.ok) return { ok: false, errors: [rendered.error.message] };
  const createdDirs = createRuntimeDirectories(paths, rendered.value.directories);
  const providerEnvKeys = readCodexProviderEnvKeys(options.codexHome, options.fs ?? nodeFileProbe);
  const agent = buildAgentEnvironment(options.parentEnv, {
    codexHome: options.codexHome,
    runtimeDir: paths.runtimeDir,
    runtimeEnv: rendered.value.env,
    passthrough: options.passthrough ?? [],
    allowAgentPush: options.allowAgentPush ?? false,
    ...(options.skillsMode !== undefined ? { skillsMode: options.skillsMode } : {}),
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
    providerEnvKeys,
  });
  return {
    ok: true,
    paths,
    env: agent.env,
    withheld: agent.withheld,
    runtimeEnv: rendered.value.env,
    overrideKeys: rendered.value.overrideKeys,
    createdDirs,
    providerEnvKeys,
  };
}

/** Deletes a stale `codex_last_message.txt` before launch (W22). Returns true if one was removed. */
export function removeStaleLastMessage(paths: Pick<RuntimePaths, 'lastMessagePath'>, fs: FileProbe = nodeFileProbe): boolean {
  if (!fs.exists(paths.lastMessagePath)) return false;
  rmSync(paths.lastMessagePath, { force: true });
  return true;
}
