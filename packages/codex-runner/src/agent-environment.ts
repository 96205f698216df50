import { join, resolve } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** Parent variables every agent gets (SPEC §4.4, W24), plus every `LC_*`. */
export const AGENT_ENV_ALLOWLIST: readonly string[] = Object.freeze(['PATH', 'LANG', 'TERM', 'TZ', 'USER', 'LOGNAME', 'SHELL']);

/** Model credentials codex may need; passed when the parent has them. */
export const CODEX_CREDENTIAL_VARS: readonly string[] = Object.freeze(['CODEX_API_KEY', 'OPENAI_API_KEY']);

/** The only `AGENTPR_*` variables an agent may see (they come from the runtime templates). */
export const AGENTPR_RUNTIME_VARS: readonly string[] = Object.freeze(['AGENTPR_RUNTIME_DIR', 'AGENTPR_WORKSPACE_DIR']);

/** GitHub tokens, passed only with agent push or for the CI/review stage in skills mode. */
export const GITHUB_TOKEN_VARS: readonly string[] = Object.freeze(['GH_TOKEN', 'GITHUB_TOKEN']);

/** Run states whose skills-mode stage (CI/review fixes) uses `gh` and therefore gets the GitHub tokens. */
export const CI_REVIEW_STATES: readonly string[] = Object.freeze(['ITERATING', 'CI_WAIT', 'REVIEW_WAIT']);

/** Inputs of {@link buildAgentEnvironment}. */
export interface AgentEnvironmentOptions {
  /** The resolved codex home; always set explicitly as `CODEX_HOME`. */
  codexHome: string;
  /** `<repo>/.agentpr_runtime`; the agent's `HOME` is `<runtimeDir>/home` unless agent push is allowed. */
  runtimeDir: string;
  /** The rendered runtime variables (built-ins with overrides merged over them), see `renderRuntimeEnv`. */
  runtimeEnv: Readonly<Record<string, string>>;
  /** Policy `run_agent_step.env_passthrough`: names passed from the parent even if otherwise withheld. */
  passthrough?: readonly string[];
  /** `--allow-agent-push`: keep the real `HOME` and pass `GH_TOKEN`/`GITHUB_TOKEN`. */
  allowAgentPush?: boolean;
  /** Skills mode (`agentpr` or `off`); with `agentpr` the CI/review stage gets the GitHub tokens. */
  skillsMode?: string;
  /** The run state the agent works on (selects the skills-mode stage). */
  stage?: string;
  /** `env_key` names of configured custom model providers (see {@link readCodexProviderEnvKeys}). */
  providerEnvKeys?: readonly string[];
}

/** The agent's environment, and the names (never values) of parent variables that were withheld. */
export interface AgentEnvironment {
  env: Record<string, string>;
  /** Parent variable names not passed to the agent, sorted. For diagnostics only. */
  withheld: string[];
}

/**
 * The allowlisted environment of the agent process (SPEC §4.4, W24). It starts empty and adds: `PATH`, `LANG`, `LC_*`,
 * `TERM`, `TZ`, `USER`, `LOGNAME`, `SHELL` from the parent; `CODEX_API_KEY`, `OPENAI_API_KEY` and custom provider keys;
 * the passthrough names; the runtime variables; `CODEX_HOME`; and `HOME` = `<runtime_dir>/home` (the real `HOME` with
 * agent push). The bot token, the webhook secret and every other `AGENTPR_*` never pass unless listed in passthrough;
 * `GH_TOKEN`/`GITHUB_TOKEN` pass only with agent push, in skills mode for the CI/review stage, or via passthrough.
 * Pure: it neither reads nor writes anything.
 * @example buildAgentEnvironment(process.env, { codexHome, runtimeDir, runtimeEnv })
 */
export function buildAgentEnvironment(parentEnv: Readonly<Record<string, string | undefined>>, options: AgentEnvironmentOptions): AgentEnvironment {
  const passthrough = new Set((options.passthrough ?? []).map((name) => name.trim()).filter(Boolean));
  const githubAllowed = Boolean(options.allowAgentPush) || (options.skillsMode === 'agentpr' && CI_REVIEW_STATES.includes(options.stage ?? ''));
  const env: Record<string, string> = {};
  const fromParent = (name: string): void => {
    const value = parentEnv[name];
    if (value !== undefined) env[name] = value;
  };

  for (const name of AGENT_ENV_ALLOWLIST) fromParent(name);
  for (const name of Object.keys(parentEnv)) if (name.startsWith('LC_')) fromParent(name);
  for (const name of CODEX_CREDENTIAL_VARS) fromParent(name);
  for (const name of options.providerEnvKeys ?? []) if (name) fromParent(name);
  if (githubAllowed) for (const name of GITHUB_TOKEN_VARS) fromParent(name);
  for (const name of passthrough) fromParent(name);
  Object.assign(env, options.runtimeEnv);
  env.CODEX_HOME = options.codexHome;
  const home = options.allowAgentPush ? parentEnv.HOME : undefined;
  env.HOME = home ?? join(options.runtimeDir, 'home');

  // The withheld names stay withheld even if an override template tried to add them.
  for (const name of Object.keys(env)) {
    if (passthrough.has(name)) continue;
    const isSecretAgentpr = name.startsWith('AGENTPR_') && !AGENTPR_RUNTIME_VARS.includes(name);
    const isGithubToken = GITHUB_TOKEN_VARS.includes(name) && !githubAllowed;
    if (isSecretAgentpr || isGithubToken) delete env[name];
  }
  const withheld = Object.keys(parentEnv)
    .filter((name) => parentEnv[name] !== undefined && !(name in env))
    .sort();
  return { env, withheld };
}

/**
 * The `env_key` of the custom model provider selected in `<codexHome>/config.toml` (`model_provider = "x"` and
 * `[model_providers.x] env_key = "Y"`), as a one-element list, or [] when there is none. A tiny reader for just these
 * keys: it understands top-level `key = "value"`, `[table]` headers and `#` comments, nothing else.
 */
export function readCodexProviderEnvKeys(codexHome: string, fs: FileProbe = nodeFileProbe): string[] {
  const text = fs.readText(join(codexHome, 'config.toml'));
  if (text === null) return [];
  return providerEnvKeysFromToml(text);
}

/** The pure part of {@link readCodexProviderEnvKeys}: reads the selected provider's `env_key` from config.toml text. */
export function providerEnvKeysFromToml(text: string): string[] {
  let table: string[] = [];
  let provider: string | null = null;
  const envKeys = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const header = /^\[\s*([^\[\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = splitDottedKey(header[1]!);
      continue;
    }
    const pair = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=\s*(.+)$/.exec(line);
    if (!pair) continue;
    const value = parseTomlString(pair[2]!.trim());
    if (value === null) continue;
    const path = [...table, ...splitDottedKey(pair[1]!)];
    if (path.length === 1 && path[0] === 'model_provider') provider = value;
    if (path.length === 3 && path[0] === 'model_providers' && path[2] === 'env_key') envKeys.set(path[1]!, value);
  }
  if (!provider) return [];
  const key = envKeys.get(provider);
  return key ? [key] : [];
}

/** Splits a TOML dotted key (`a."b.c".d`) into its parts. */
function splitDottedKey(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*("[^"]*"|'[^']*'|[^.\s]+)\s*(?:\.|$)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(key)) !== null && match[0] !== '') parts.push(unquote(match[1]!));
  return parts;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i += 1;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#') {
      return line.slice(0, i);
    }
  }
  return line;
}

function unquote(text: string): string {
  if ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))) return text.slice(1, -1);
  return text;
}

function parseTomlString(value: string): string | null {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  return null;
}

/**
 * The codex home (SPEC §4.5): `CODEX_HOME` expanded (`~`) and resolved, else `~/.codex`. Pure.
 * @example resolveCodexHome({ HOME: '/home/me' }) // '/home/me/.codex'
 */
export function resolveCodexHome(env: Readonly<Record<string, string | undefined>>): string {
  const home = env.HOME?.trim() ?? '';
  const explicit = env.CODEX_HOME?.trim();
  if (explicit) {
    const expanded = explicit === '~' ? home : explicit.startsWith('~/') ? join(home, explicit.slice(2)) : explicit;
    return resolve(expanded);
  }
  return join(home || '/', '.codex');
}
