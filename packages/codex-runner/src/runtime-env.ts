import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The agent's scratch layout inside a workspace (SPEC §4.4). */
export interface RuntimePaths {
  repoDir: string;
  /** `<repo>/.agentpr_runtime` */
  runtimeDir: string;
  /** `<runtime_dir>/cache` */
  cacheDir: string;
  /** `<runtime_dir>/data` */
  dataDir: string;
  /** `<runtime_dir>/tmp` */
  tmpDir: string;
  /** `<runtime_dir>/home`, the agent's `HOME` unless agent push is allowed */
  homeDir: string;
  /** `<runtime_dir>/codex_last_message.txt` */
  lastMessagePath: string;
}

/** The name of the runtime directory inside a workspace. */
export const RUNTIME_DIR_NAME = '.agentpr_runtime';

/** The file codex writes its last message to, inside the runtime directory. */
export const LAST_MESSAGE_FILE_NAME = 'codex_last_message.txt';

/** The runtime layout for a workspace. Pure: nothing is created. */
export function runtimePaths(repoDir: string): RuntimePaths {
  const runtimeDir = join(repoDir, RUNTIME_DIR_NAME);
  return {
    repoDir,
    runtimeDir,
    cacheDir: join(runtimeDir, 'cache'),
    dataDir: join(runtimeDir, 'data'),
    tmpDir: join(runtimeDir, 'tmp'),
    homeDir: join(runtimeDir, 'home'),
    lastMessagePath: join(runtimeDir, LAST_MESSAGE_FILE_NAME),
  };
}

/**
 * The 28 built-in runtime environment templates (SPEC §4.4). They keep caches, tool homes and temp files inside the
 * workspace. An override file may replace any value and add keys.
 */
export const RUNTIME_ENV_TEMPLATES: Readonly<Record<string, string>> = Object.freeze({
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

/** Built-in keys whose values are not directories (flags, and `COVERAGE_FILE`, a file whose parent is created). */
const NON_DIRECTORY_KEYS = new Set(['PIP_DISABLE_PIP_VERSION_CHECK', 'PIP_REQUIRE_VIRTUALENV', 'POETRY_VIRTUALENVS_IN_PROJECT', 'COVERAGE_FILE']);

/** The 24 built-in keys whose rendered values are created as directories. */
export const RUNTIME_PATH_KEYS: readonly string[] = Object.freeze(Object.keys(RUNTIME_ENV_TEMPLATES).filter((key) => !NON_DIRECTORY_KEYS.has(key)));

/** The placeholders a template may use. */
export const RUNTIME_PLACEHOLDERS = ['repo_dir', 'runtime_dir', 'cache_dir', 'data_dir', 'tmp_dir'] as const;

/** The result of {@link renderRuntimeEnv}: the rendered variables, or one message per bad template. */
export type RenderRuntimeEnvResult = { ok: true; env: Record<string, string> } | { ok: false; errors: string[] };

/**
 * Renders runtime templates (the built-ins with the override file's entries merged over them) for a workspace.
 * `{repo_dir}`, `{runtime_dir}`, `{cache_dir}`, `{data_dir}`, `{tmp_dir}` are replaced; `{{` and `}}` are literal
 * braces. An unknown placeholder or a lone brace is an error naming the variable and the token. Pure.
 * @example renderRuntimeEnv({ ...RUNTIME_ENV_TEMPLATES, ...overrides }, runtimePaths(repo))
 */
export function renderRuntimeEnv(templates: Readonly<Record<string, string>>, paths: RuntimePaths): RenderRuntimeEnvResult {
  const values: Record<string, string> = {
    repo_dir: paths.repoDir,
    runtime_dir: paths.runtimeDir,
    cache_dir: paths.cacheDir,
    data_dir: paths.dataDir,
    tmp_dir: paths.tmpDir,
  };
  const env: Record<string, string> = {};
  const errors: string[] = [];
  for (const [key, template] of Object.entries(templates)) {
    let out = '';
    let error: string | null = null;
    for (let i = 0; i < template.length && !error; ) {
      const ch = template[i]!;
      if (ch === '{' && template[i + 1] === '{') {
        out += '{';
        i += 2;
      } else if (ch === '}' && template[i + 1] === '}') {
        out += '}';
        i += 2;
      } else if (ch === '{') {
        const end = template.indexOf('}', i + 1);
        const name = end < 0 ? null : template.slice(i + 1, end);
        if (name === null) {
          error = `runtime env ${key}: unclosed "{" in "${template}"; write {{ for a literal brace.`;
        } else if (!(name in values)) {
          error = `runtime env ${key}: unknown placeholder {${name}}; use one of ${RUNTIME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;
        } else {
          out += values[name];
          i = end + 1;
        }
      } else if (ch === '}') {
        error = `runtime env ${key}: lone "}" in "${template}"; write }} for a literal brace.`;
      } else {
        out += ch;
        i += 1;
      }
    }
    if (error) errors.push(error);
    else env[key] = out;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, env };
}

/**
 * Creates the runtime directories: the runtime, cache, data, tmp and home dirs, `mkdir -p` of each built-in path key
 * present in `env` (SPEC §4.4), and the parent of `COVERAGE_FILE`. Keys added by an override file are never created.
 * Returns the directories it ensured.
 */
export function createRuntimeDirectories(paths: RuntimePaths, env: Readonly<Record<string, string>>): string[] {
  const dirs = new Set<string>([paths.runtimeDir, paths.cacheDir, paths.dataDir, paths.tmpDir, paths.homeDir]);
  for (const key of RUNTIME_PATH_KEYS) {
    const value = env[key];
    if (value) dirs.add(value);
  }
  if (env.COVERAGE_FILE) dirs.add(dirname(env.COVERAGE_FILE));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  return [...dirs];
}
