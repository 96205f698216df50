import { join, resolve } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** Parent variables every agent gets, plus every `LC_*`. */
export const AGENT_ENV_ALLOWLIST: readonly string[] = Object.freeze(['PATH', 'LANG', 'TERM', 'TZ', 'USER', 'LOGNAME', 'SHELL']);

/** Model credentials codex may need; passed when the parent has them. */
export const CODEX_CREDENTIAL_VARS: readonly string[] = Object.freeze(['CODEX_API_KEY', 'OPENAI_API_KEY']);

/** The only `AGENTPR_*` variables an agent may see (they come from the runtime templates). */
export const AGENTPR_RUNTIME_VARS: readonly string[] = Object.freeze(['AGENTPR_RUNTIME_DIR', 'AGENTPR_WORKSPACE_DIR']);

/** GitHub tokens, passed to the agent only with agent push. */
export const GITHUB_TOKEN_VARS: readonly string[] = Object.freeze(['GH_TOKEN', 'GITHUB_TOKEN']);

/** Exact names `passthrough` never passes without `secretPassthrough` (besides {@link isSecretLookingName}'s patterns). */
const SECRET_NAMES: readonly string[] = Object.freeze(['GH_TOKEN', 'GITHUB_TOKEN', 'SSH_AUTH_SOCK', 'GPG_AGENT_INFO']);

/** Name patterns of credentials: tokens, secrets, passwords, private keys, API and access keys, auth. */
const SECRET_PATTERN = /TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIAL|API_?KEY|ACCESS_KEY|COOKIE|(^|_)AUTH(_|$)/i;

/**
 * True for a variable name that looks like a credential or agentpr's own configuration: `GH_TOKEN`, `GITHUB_TOKEN`,
 * any `AGENTPR_*` (except the runtime dir names), `*DATABASE_URL*`, `PG*PASSWORD`, `TELEGRAM_*`, `SSH_AUTH_SOCK`, and
 * names matching `TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIAL|API_KEY|ACCESS_KEY|COOKIE|AUTH`.
 * @example isSecretLookingName('AWS_SECRET_ACCESS_KEY') // true
 */
export function isSecretLookingName(name: string): boolean {
  const upper = name.toUpperCase();
  if (SECRET_NAMES.includes(upper)) return true;
  if (upper.startsWith('AGENTPR_')) return !AGENTPR_RUNTIME_VARS.includes(upper);
  if (upper.includes('DATABASE_URL') || upper.startsWith('TELEGRAM_') || /^PG.*PASSWORD/.test(upper)) return true;
  return SECRET_PATTERN.test(name);
}

/**
 * The git credential helper for agent push: it answers `get` for github.com with the token from the agent's own
 * environment (`GH_TOKEN`, else `GITHUB_TOKEN`), so the token is never written to disk nor put in an argv (`echo` is
 * a shell builtin). The empty first value resets helpers from any other config.
 */
export const GIT_CREDENTIAL_HELPER = '!f() { test "$1" = get || exit 0; echo username=x-access-token; echo "password=${GH_TOKEN:-$GITHUB_TOKEN}"; }; f';

/** What an engine adds to its agent's environment (a subset of `AgentEngine`). */
export interface EngineEnvironment {
  /** The variable naming the per-attempt home: `CODEX_HOME`, `CLAUDE_CONFIG_DIR`. */
  homeVar: string;
  /** Model credentials taken from the parent when set. */
  credentialVars: readonly string[];
  /** Non-secret parent variables taken when set. */
  passVars: readonly string[];
  /** Variables set on every launch. */
  fixedEnv: Readonly<Record<string, string>>;
}

/** codex's environment: `CODEX_HOME`, `CODEX_API_KEY`/`OPENAI_API_KEY`. */
export const CODEX_ENVIRONMENT: EngineEnvironment = Object.freeze({ homeVar: 'CODEX_HOME', credentialVars: CODEX_CREDENTIAL_VARS, passVars: [], fixedEnv: {} });

/** Inputs of {@link buildAgentEnvironment}. */
export interface AgentEnvironmentOptions {
  /** The engine's variables; default codex's ({@link CODEX_ENVIRONMENT}). */
  engine?: EngineEnvironment;
  /** The agent's engine home (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`): the per-attempt home, never the operator's own. */
  codexHome: string;
  /** `<repo>/.agentpr_runtime`; the agent's `HOME` is always `<runtimeDir>/home`. */
  runtimeDir: string;
  /** The rendered runtime variables (built-ins with overrides merged over them), see `renderRuntimeEnv`. */
  runtimeEnv: Readonly<Record<string, string>>;
  /** Policy `run_agent_step.env_passthrough`: parent names to pass. Secret-looking names are refused unless also in `secretPassthrough`. */
  passthrough?: readonly string[];
  /** The operator's explicit opt-in: a secret-looking name passes only if it is in both `passthrough` and this list. */
  secretPassthrough?: readonly string[];
  /** Agent push (granted by policy per repository): pass `GH_TOKEN`/`GITHUB_TOKEN` and a git credential helper reading them. */
  allowAgentPush?: boolean;
  /** `env_key` names of configured custom model providers, read from the OPERATOR's codex home ({@link readCodexProviderEnvKeys}). */
  providerEnvKeys?: readonly string[];
  /** Provider `env_key` names allowed besides `CODEX_API_KEY`/`OPENAI_API_KEY`; others are refused. */
  providerEnvAllowlist?: readonly string[];
  /** Proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, …) for network mode `allowlist`; set over everything but the fixed names. */
  proxyEnv?: Readonly<Record<string, string>>;
}

/** The agent's environment, and the names (never values) of what was withheld or refused. */
export interface AgentEnvironment {
  env: Record<string, string>;
  /** Parent variable names not passed to the agent, sorted. For diagnostics only. */
  withheld: string[];
  /** Passthrough names refused as secret-looking (not in `secretPassthrough`), sorted. The caller should warn. */
  refusedPassthrough: string[];
  /** Provider `env_key` names refused (not `CODEX_API_KEY`/`OPENAI_API_KEY` nor in `providerEnvAllowlist`), sorted. */
  refusedProviderEnvKeys: string[];
}

/**
 * The allowlisted environment of the agent process (issue 12). It starts empty and adds: `PATH`,
 * `LANG`, `LC_*`, `TERM`, `TZ`, `USER`, `LOGNAME`, `SHELL` from the parent; `CODEX_API_KEY`, `OPENAI_API_KEY` and the
 * allowlisted provider keys; the passthrough names that do not look secret (or are in `secretPassthrough`); the runtime
 * variables; `proxyEnv`; `CODEX_HOME`; and `HOME` = `<runtime_dir>/home`, always. `GH_TOKEN`/`GITHUB_TOKEN` pass only
 * with `allowAgentPush`, together with a git credential helper set through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
 * `GIT_CONFIG_VALUE_n` (no file, no argv). A secret-looking name a runtime override template sets is dropped too.
 * Pure: it neither reads nor writes anything.
 * @example buildAgentEnvironment(process.env, { codexHome: attemptHome.path, runtimeDir, runtimeEnv })
 */
export function buildAgentEnvironment(parentEnv: Readonly<Record<string, string | undefined>>, options: AgentEnvironmentOptions): AgentEnvironment {
  const names = (list: readonly string[] | undefined): Set<string> => new Set((list ?? []).map((name) => name.trim()).filter(Boolean));
  const secretOptIn = names(options.secretPassthrough);
  const push = Boolean(options.allowAgentPush);
  const env: Record<string, string> = {};
  const fromParent = (name: string): void => {
    const value = parentEnv[name];
    if (value !== undefined) env[name] = value;
  };
  const mayPass = (name: string): boolean => secretOptIn.has(name) || (push && GITHUB_TOKEN_VARS.includes(name)) || !isSecretLookingName(name);

  for (const name of AGENT_ENV_ALLOWLIST) fromParent(name);
  for (const name of Object.keys(parentEnv)) if (name.startsWith('LC_')) fromParent(name);
  const engine = options.engine ?? CODEX_ENVIRONMENT;
  for (const name of engine.credentialVars) fromParent(name);
  // A non-secret variable such as ANTHROPIC_BASE_URL can still carry a credential in its URL (https://user:key@proxy):
  // then it is withheld like any secret.
  for (const name of engine.passVars) if (!hasUrlCredentials(parentEnv[name])) fromParent(name);

  const providerAllowed = new Set([...engine.credentialVars, ...names(options.providerEnvAllowlist)]);
  const refusedProviderEnvKeys = new Set<string>();
  for (const name of names(options.providerEnvKeys)) {
    if (providerAllowed.has(name)) fromParent(name);
    else refusedProviderEnvKeys.add(name);
  }

  const refusedPassthrough = new Set<string>();
  for (const name of names(options.passthrough)) {
    if (mayPass(name)) fromParent(name);
    else refusedPassthrough.add(name);
  }
  if (push) for (const name of GITHUB_TOKEN_VARS) fromParent(name);

  // Override templates are the operator's, but a secret-looking name there is a mistake: drop it like the rest.
  for (const [name, value] of Object.entries(options.runtimeEnv)) if (mayPass(name)) env[name] = value;
  Object.assign(env, options.proxyEnv ?? {});
  Object.assign(env, engine.fixedEnv);
  env[engine.homeVar] = options.codexHome;
  env.HOME = join(options.runtimeDir, 'home');
  if (push) {
    for (const name of Object.keys(env)) if (name.startsWith('GIT_CONFIG_')) delete env[name];
    Object.assign(env, gitCredentialConfig());
  }

  const withheld = Object.keys(parentEnv)
    .filter((name) => parentEnv[name] !== undefined && !(name in env))
    .sort();
  return { env, withheld, refusedPassthrough: [...refusedPassthrough].sort(), refusedProviderEnvKeys: [...refusedProviderEnvKeys].sort() };
}

/** True for a value that is a URL with a user name or password in it. */
function hasUrlCredentials(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const url = new URL(value.trim());
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** `GIT_CONFIG_*` variables installing {@link GIT_CREDENTIAL_HELPER} for https://github.com only. */
function gitCredentialConfig(): Record<string, string> {
  const key = 'credential.https://github.com.helper';
  return { GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: key, GIT_CONFIG_VALUE_0: '', GIT_CONFIG_KEY_1: key, GIT_CONFIG_VALUE_1: GIT_CREDENTIAL_HELPER };
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
  const key = selectedCodexProvider(text)?.envKey;
  return key ? [key] : [];
}

/**
 * The custom model provider selected in a codex config.toml (`model_provider = "x"` and `[model_providers.x]`): its
 * `env_key` and `base_url`, or null when none is selected. A tiny reader for just these keys: it understands top-level
 * `key = "value"`, `[table]` headers and `#` comments, nothing else.
 */
export function selectedCodexProvider(text: string): { name: string; envKey: string | null; baseUrl: string | null } | null {
  let table: string[] = [];
  let provider: string | null = null;
  const fields = new Map<string, Map<string, string>>();
  for (const raw of text.split('\n')) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const header = /^\[\s*([^[\]]+?)\s*\]$/.exec(line);
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
    if (path.length === 3 && path[0] === 'model_providers') {
      const entry = fields.get(path[1]!) ?? new Map<string, string>();
      entry.set(path[2]!, value);
      fields.set(path[1]!, entry);
    }
  }
  if (!provider) return null;
  const entry = fields.get(provider);
  return { name: provider, envKey: entry?.get('env_key') ?? null, baseUrl: entry?.get('base_url') ?? null };
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
 * An engine's home directory: the variable's value expanded (`~`, `~/…`) and resolved, else `~/<fallback>`. Pure.
 * @example resolveEngineHome({ HOME: '/home/me' }, 'CLAUDE_CONFIG_DIR', '.claude') // '/home/me/.claude'
 */
export function resolveEngineHome(env: Readonly<Record<string, string | undefined>>, variable: string, fallback: string): string {
  const home = env.HOME?.trim() ?? '';
  const explicit = env[variable]?.trim();
  if (explicit) {
    const expanded = explicit === '~' ? home : explicit.startsWith('~/') ? join(home, explicit.slice(2)) : explicit;
    return resolve(expanded);
  }
  return join(home || '/', fallback);
}

/**
 * The codex home: `CODEX_HOME` expanded (`~`) and resolved, else `~/.codex`. Pure.
 * @example resolveCodexHome({ HOME: '/home/me' }) // '/home/me/.codex'
 */
export function resolveCodexHome(env: Readonly<Record<string, string | undefined>>): string {
  return resolveEngineHome(env, 'CODEX_HOME', '.codex');
}
