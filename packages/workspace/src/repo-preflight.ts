import { lstat, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CheckList, commandCheck, urlCheck, type DoctorReport, type FetchLike } from './checks.js';
import { detectProject } from './detect-project.js';
import { isInsideRoot } from './inside-root.js';

/** Writes and deletes a probe file inside `.git`; throws when it cannot (EACCES, EROFS, EPERM…). */
export type WriteProbe = (gitDir: string) => Promise<void>;

/** The default {@link WriteProbe}: write `.git/.agentpr_write_probe`, then delete it. */
export const writeProbe: WriteProbe = async (gitDir) => {
  const probe = join(gitDir, '.agentpr_write_probe');
  await writeFile(probe, 'probe\n');
  await rm(probe, { force: true });
};

/** Registry URLs of the preflight network checks; tests point them at local servers. */
export interface PreflightUrls {
  python: string;
  js: string;
}

/** The package indexes the network check reaches: PyPI for Python projects, npm for JS projects. */
export const DEFAULT_PREFLIGHT_URLS: PreflightUrls = { python: 'https://pypi.org/simple/', js: 'https://registry.npmjs.org/' };

/** Input of {@link repoPreflight}. */
export interface RepoPreflightOptions {
  /** The run's workspace directory. */
  repoDir: string;
  /** The scope root the repo must lie inside (symlinks resolved); undefined skips the check. */
  workspaceRoot?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  checkNetwork?: boolean;
  networkTimeoutSec?: number;
  /** The codex sandbox the agent will run with; `read-only` fails. Default `danger-full-access`. */
  codexSandbox?: string;
  /** The Python interpreter required by Python projects; default `python3.11`. */
  pythonCommand?: string;
  urls?: PreflightUrls;
  fetch?: FetchLike;
  /** Injected for tests: how `git.write` probes the `.git` directory. */
  probe?: WriteProbe;
  monotonic?: () => number;
}

/**
 * The repo preflight: can an agent work in this repository? It must exist, lie inside the workspace
 * root (symlinks resolved), have a writable `.git` directory, git on PATH, a sandbox that allows writes, and
 * the interpreter and tools its project files call for; registry reachability is checked only when asked.
 * Every error becomes a failed check; the function never throws.
 *
 * @example
 * const report = await repoPreflight({ repoDir: run.workspace_dir, workspaceRoot, env: process.env, checkNetwork: false });
 */
export async function repoPreflight(options: RepoPreflightOptions): Promise<DoctorReport> {
  const monotonic = options.monotonic ?? (() => performance.now());
  const started = monotonic();
  const env = options.env;
  const repoDir = resolve(options.repoDir);
  const root = options.workspaceRoot === undefined ? undefined : resolve(options.workspaceRoot);
  const checkNetwork = options.checkNetwork ?? true;
  const timeoutSec = Math.max(1, options.networkTimeoutSec ?? 5);
  const sandbox = options.codexSandbox ?? 'danger-full-access';
  const python = options.pythonCommand ?? 'python3.11';
  const urls = options.urls ?? DEFAULT_PREFLIGHT_URLS;
  const list = new CheckList();

  const repoExists = await list.run('repo.exists', async () => {
    try {
      const info = await stat(repoDir);
      return info.isDirectory() ? { ok: true, detail: repoDir } : { ok: false, detail: `${repoDir} is not a directory` };
    } catch (error) {
      return { ok: false, detail: `${repoDir} does not exist (${(error as NodeJS.ErrnoException).code ?? 'error'}); run run-prepare first` };
    }
  });
  await list.run('repo.scope', async () => {
    if (root === undefined) return { ok: true, detail: 'no workspace root given; skipped' };
    let realRoot: string;
    let realRepo: string;
    try {
      realRoot = await realpath(root);
      realRepo = await realpath(repoDir);
    } catch (error) {
      return { ok: false, detail: `cannot resolve ${repoDir} or ${root}: ${(error as Error).message}` };
    }
    return isInsideRoot(realRoot, realRepo)
      ? { ok: true, detail: `${realRepo} is inside ${realRoot}` }
      : { ok: false, detail: `${realRepo} is outside the workspace root ${realRoot}` };
  });
  const gitDir = join(repoDir, '.git');
  const gitDirCheck = await list.run('git.dir', async () => {
    let info;
    try {
      info = await lstat(gitDir);
    } catch {
      return { ok: false, detail: `${gitDir} does not exist` };
    }
    return info.isDirectory() ? { ok: true, detail: gitDir } : { ok: false, detail: `${gitDir} is not a directory (a worktree or submodule .git file is not supported)` };
  });
  if (gitDirCheck.ok) {
    await list.run('git.write', async () => {
      await (options.probe ?? writeProbe)(gitDir);
      return { ok: true, detail: `${gitDir} is writable` };
    });
  }
  await list.run('cmd.git', () => commandCheck('git', env));
  await list.run('policy.codex_sandbox', () =>
    sandbox === 'read-only'
      ? { ok: false, detail: 'mode=read-only blocks environment setup and test runs; use workspace-write or danger-full-access' }
      : { ok: true, detail: `mode=${sandbox}` },
  );

  const project = repoExists.ok ? await detectProject(repoDir) : { uses_python: false, python_tools: [], uses_js: false, js_tools: [], uses_bun: false };
  if (project.uses_python) await list.run(`cmd.${python}`, () => commandCheck(python, env));
  for (const tool of [...project.python_tools, ...project.js_tools]) await list.run(`cmd.${tool}`, () => commandCheck(tool, env));
  if (checkNetwork) {
    if (project.uses_python) await list.run(`net.${urls.python}`, () => urlCheck(urls.python, timeoutSec * 1000, options.fetch));
    if (project.uses_js) await list.run(`net.${urls.js}`, () => urlCheck(urls.js, timeoutSec * 1000, options.fetch));
  }
  const warnings: string[] = [];
  if (!project.uses_python && !project.uses_js) warnings.push('no Python or JavaScript project detected; network and tooling checks may be incomplete');
  return list.report(started, monotonic(), {
    repo_dir: repoDir,
    workspace_root: root ?? null,
    uses_python: project.uses_python,
    python_tools: project.python_tools,
    uses_js: project.uses_js,
    js_tools: project.js_tools,
    uses_bun: project.uses_bun,
    check_network: checkNetwork,
    network_timeout_sec: timeoutSec,
    codex_sandbox: sandbox,
  }, warnings);
}
