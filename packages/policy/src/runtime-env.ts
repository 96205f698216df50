import * as v from 'valibot';
import { PolicyError } from './errors.js';
import { parseJsonText, readTextFile, shownValue, type ReadTextFile } from './read-text-file.js';

/** The placeholders a runtime env template may use. */
export const RUNTIME_ENV_PLACEHOLDERS = ['repo_dir', 'runtime_dir', 'cache_dir', 'data_dir', 'tmp_dir'] as const;

/** Values for the placeholders. */
export type RuntimeEnvDirs = Record<(typeof RUNTIME_ENV_PLACEHOLDERS)[number], string>;

/** The 28 built-in runtime environment templates, in table order. */
export const BUILTIN_RUNTIME_ENV_TEMPLATES: Readonly<Record<string, string>> = Object.freeze({
  AGENTPR_RUNTIME_DIR: '{runtime_dir}',
  AGENTPR_WORKSPACE_DIR: '{repo_dir}',
  XDG_CACHE_HOME: '{cache_dir}',
  XDG_DATA_HOME: '{data_dir}',
  TMPDIR: '{tmp_dir}',
  PIP_CACHE_DIR: '{cache_dir}/pip',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PIP_REQUIRE_VIRTUALENV: 'true',
  UV_CACHE_DIR: '{cache_dir}/uv',
  UV_TOOL_DIR: '{runtime_dir}/uv-tools',
  POETRY_CACHE_DIR: '{cache_dir}/poetry',
  POETRY_DATA_DIR: '{data_dir}/poetry',
  POETRY_VIRTUALENVS_IN_PROJECT: 'true',
  HATCH_CACHE_DIR: '{cache_dir}/hatch',
  HATCH_DATA_DIR: '{data_dir}/hatch',
  RYE_HOME: '{runtime_dir}/rye-home',
  RYE_CACHE_DIR: '{cache_dir}/rye',
  TOX_WORK_DIR: '{runtime_dir}/tox',
  NPM_CONFIG_CACHE: '{cache_dir}/npm',
  NPM_CONFIG_PREFIX: '{runtime_dir}/npm-global',
  BUN_INSTALL_CACHE_DIR: '{cache_dir}/bun',
  BUN_INSTALL_GLOBAL_DIR: '{runtime_dir}/bun-global',
  YARN_CACHE_FOLDER: '{cache_dir}/yarn',
  PNPM_HOME: '{runtime_dir}/pnpm-home',
  RUFF_CACHE_DIR: '{cache_dir}/ruff',
  MYPY_CACHE_DIR: '{cache_dir}/mypy',
  PYTHONPYCACHEPREFIX: '{runtime_dir}/pycache',
  COVERAGE_FILE: '{runtime_dir}/coverage/.coverage',
});

const NOT_DIRECTORIES = new Set(['PIP_DISABLE_PIP_VERSION_CHECK', 'PIP_REQUIRE_VIRTUALENV', 'POETRY_VIRTUALENVS_IN_PROJECT', 'COVERAGE_FILE']);

/** The 24 built-in keys whose value is a directory to create (all built-ins but the flags and `COVERAGE_FILE`). */
export const RUNTIME_ENV_DIRECTORY_KEYS: readonly string[] = Object.keys(BUILTIN_RUNTIME_ENV_TEMPLATES).filter((k) => !NOT_DIRECTORIES.has(k));

/** The runtime directories of a workspace: `<repo>/.agentpr_runtime` and its `cache`, `data`, `tmp`. */
export function runtimeDirsFor(repoDir: string): RuntimeEnvDirs {
  const repo = repoDir.replace(/\/+$/, '') || '/';
  const runtime = `${repo === '/' ? '' : repo}/.agentpr_runtime`;
  return { repo_dir: repo, runtime_dir: runtime, cache_dir: `${runtime}/cache`, data_dir: `${runtime}/data`, tmp_dir: `${runtime}/tmp` };
}

/** A template that cannot be expanded. */
export interface TemplateError {
  variable: string;
  token: string;
  message: string;
}

/**
 * Expands `{placeholder}` tokens; `{{` and `}}` stand for literal braces. An unknown placeholder or an
 * unbalanced brace is an error naming the variable and the token.
 *
 * @example
 * expandTemplate('PIP_CACHE_DIR', '{cache_dir}/pip', runtimeDirsFor('/ws')) // → {ok: true, value: '/ws/.agentpr_runtime/cache/pip'}
 */
export function expandTemplate(variable: string, template: string, dirs: RuntimeEnvDirs): { ok: true; value: string } | { ok: false; error: TemplateError } {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    if (c === '}' && template[i + 1] === '}') {
      out += '}';
      i += 2;
      continue;
    }
    if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end < 0) return { ok: false, error: { variable, token: template.slice(i), message: `${variable}: unclosed "{" in ${JSON.stringify(template)}; write {{ for a literal brace` } };
      const token = template.slice(i, end + 1);
      const name = template.slice(i + 1, end);
      if (!(RUNTIME_ENV_PLACEHOLDERS as readonly string[]).includes(name)) {
        return { ok: false, error: { variable, token, message: `${variable}: unknown placeholder ${token}; use one of ${RUNTIME_ENV_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} or {{ }} for literal braces` } };
      }
      out += dirs[name as keyof RuntimeEnvDirs];
      i = end + 1;
      continue;
    }
    if (c === '}') return { ok: false, error: { variable, token: '}', message: `${variable}: unmatched "}" in ${JSON.stringify(template)}; write }} for a literal brace` } };
    out += c;
    i++;
  }
  return { ok: true, value: out };
}

/** The valibot schema of the runtime env override file: a JSON object of environment variable names to string templates. */
export const RuntimeEnvOverridesSchema = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, _)')),
    v.string('must be a string'),
    'must be a JSON object whose keys and values are strings',
  ),
  v.title('agentpr runtime environment overrides'),
  v.description('Environment templates for the codex worker, merged over the 28 built-ins. Placeholders: {repo_dir}, {runtime_dir}, {cache_dir}, {data_dir}, {tmp_dir}; {{ and }} are literal braces.'),
);

/**
 * Validates an override object: string keys (env var names) and string values whose placeholders are all
 * known. Issues are `KEY: message`.
 */
export function parseRuntimeEnvOverrides(value: unknown): { ok: true; overrides: Record<string, string> } | { ok: false; issues: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, issues: [`(top level): must be a JSON object whose keys and values are strings (got ${shownValue(value)})`] };
  const r = v.safeParse(RuntimeEnvOverridesSchema, value);
  if (!r.success) {
    return {
      ok: false,
      issues: r.issues.map((i) => {
        const path = i.path?.map((p) => String(p.key)).join('.') ?? '';
        return `${path || '(top level)'}: ${i.message} (got ${shownValue(i.input)})`;
      }),
    };
  }
  const probe = runtimeDirsFor('/repo');
  const issues: string[] = [];
  for (const [key, template] of Object.entries(r.output)) {
    const e = expandTemplate(key, template, probe);
    if (!e.ok) issues.push(e.error.message);
  }
  return issues.length ? { ok: false, issues } : { ok: true, overrides: r.output };
}

/** What {@link loadRuntimeEnvOverrides} returns. */
export type RuntimeEnvLoadResult = { ok: true; overrides: Record<string, string>; loaded: boolean; path: string } | { ok: false; error: PolicyError };

/**
 * Loads the optional runtime env override file. Missing → no overrides (`loaded: false`). Errors
 * name the file and the rule that was broken.
 */
export async function loadRuntimeEnvOverrides(path: string, readFile: ReadTextFile = readTextFile): Promise<RuntimeEnvLoadResult> {
  let text: string | undefined;
  try {
    text = await readFile(path);
  } catch (err) {
    return { ok: false, error: new PolicyError('unreadable', `${path}: cannot read the runtime env override file: ${(err as Error).message}`, { file: path, cause: err }) };
  }
  if (text === undefined) return { ok: true, overrides: {}, loaded: false, path };
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, error: new PolicyError('invalid_json', `invalid JSON: ${path}: ${parsed.message}`, { file: path }) };
  const r = parseRuntimeEnvOverrides(parsed.value);
  if (!r.ok) return { ok: false, error: new PolicyError('invalid_env_overrides', `${path}: ${r.issues.join('; ')}`, { file: path, issues: r.issues }) };
  return { ok: true, overrides: r.overrides, loaded: true, path };
}

/** The worker's runtime environment for a workspace. */
export interface ResolvedRuntimeEnv {
  /** Every built-in and override variable, expanded. */
  env: Record<string, string>;
  /** Directories to create (`mkdir -p`): the built-in path keys plus the parent of `COVERAGE_FILE`. Override-only keys never. */
  directories: string[];
  /** Sorted override keys (the report's `runtime.policy.env_keys`). */
  overrideKeys: string[];
}

/**
 * Merges the overrides over the built-ins and expands every template for `repoDir`. Pure: the
 * caller creates the directories.
 */
export function resolveRuntimeEnv(
  repoDir: string,
  overrides: Readonly<Record<string, string>> = {},
): { ok: true; value: ResolvedRuntimeEnv } | { ok: false; error: TemplateError } {
  const dirs = runtimeDirsFor(repoDir);
  const templates = { ...BUILTIN_RUNTIME_ENV_TEMPLATES, ...overrides };
  const env: Record<string, string> = {};
  for (const [key, template] of Object.entries(templates)) {
    const e = expandTemplate(key, template, dirs);
    if (!e.ok) return e;
    env[key] = e.value;
  }
  const directories = RUNTIME_ENV_DIRECTORY_KEYS.map((k) => env[k]!).filter((p) => p !== '');
  const coverage = env.COVERAGE_FILE;
  if (coverage) {
    const slash = coverage.lastIndexOf('/');
    if (slash > 0) directories.push(coverage.slice(0, slash));
  }
  return { ok: true, value: { env, directories: [...new Set(directories)], overrideKeys: Object.keys(overrides).sort() } };
}
