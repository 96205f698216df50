import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { makeDirectory } from './directories.js';
import { CheckList, commandCheck, envPresenceCheck, errorText, localRemoteCheck, urlCheck, type DoctorReport, type FetchLike } from './checks.js';
import { createGitRunner, type Git } from './git-runner.js';
import { findExecutable, isExecutableFile } from './find-executable.js';
import { redactSecrets } from './redact.js';

/** Where the codex binary was found, or why it was not. */
export type CodexResolution = { ok: true; path: string; source: string } | { ok: false; reason: string };

/** Resolves the codex binary from an environment (the codex runner provides the full resolution, editor-extension paths included). */
export type CodexResolver = (env: Readonly<Record<string, string | undefined>>) => Promise<CodexResolution> | CodexResolution;

/** URLs the network checks probe; tests point them at local servers. */
export interface DoctorUrls {
  github: readonly string[];
  registries: readonly string[];
}

/** The URLs probed online: GitHub always, the package registries only when codex is required. */
export const DEFAULT_DOCTOR_URLS: DoctorUrls = {
  github: ['https://github.com/', 'https://api.github.com/'],
  registries: ['https://pypi.org/simple/', 'https://registry.npmjs.org/'],
};

/** Input of {@link runtimeDoctor}. */
export interface RuntimeDoctorOptions {
  workspaceRoot: string;
  /** The environment to check (PATH, tokens); never read from `process.env` here. */
  env: Readonly<Record<string, string | undefined>>;
  checkNetwork?: boolean;
  networkTimeoutSec?: number;
  /** `cmd.git`; default true. */
  requireGit?: boolean;
  /** `cmd.gh`; default false (GitHub access is checked by `gh.auth`, which accepts a token without gh). */
  requireGh?: boolean;
  /** `gh.auth`: a `GH_TOKEN`/`GITHUB_TOKEN`, else `gh auth status`; default true. */
  requireGhAuth?: boolean;
  requireCodex?: boolean;
  requireTelegramToken?: boolean;
  requireWebhookSecret?: boolean;
  /** Default: {@link resolveCodexFromEnv}. */
  resolveCodex?: CodexResolver;
  urls?: DoctorUrls;
  fetch?: FetchLike;
  /**
   * Local remotes (paths or `file://` URLs) the command will clone from or push to: each must exist and be a git
   * repository (`remote.<remote>`). Offline mode checks these instead of github.com.
   */
  localRemotes?: readonly string[];
  /** Any HTTP answer proves a URL reachable (offline mode: local stand-ins may answer their root with a 5xx). */
  anyAnswerReachable?: boolean;
  /** The git runner for the remote checks; default the hardened runner over `env`. */
  git?: Git;
  /** A monotonic millisecond clock for `duration_ms`; default `performance.now`. */
  monotonic?: () => number;
}

/**
 * A small codex resolution: `AGENTPR_CODEX_BIN` if set (no fallback when it is not executable), else `codex`
 * on PATH. The codex runner's full resolver (with editor-extension paths) can be passed instead.
 */
export async function resolveCodexFromEnv(env: Readonly<Record<string, string | undefined>>): Promise<CodexResolution> {
  const configured = (env.AGENTPR_CODEX_BIN ?? '').trim();
  if (configured !== '') {
    const path = configured.startsWith('~/') && env.HOME ? join(env.HOME, configured.slice(2)) : configured;
    return (await isExecutableFile(path))
      ? { ok: true, path, source: 'env:AGENTPR_CODEX_BIN' }
      : { ok: false, reason: `AGENTPR_CODEX_BIN=${configured} does not point to an executable file` };
  }
  const onPath = await findExecutable('codex', env);
  return onPath ? { ok: true, path: onPath, source: 'PATH' } : { ok: false, reason: 'codex was found neither on PATH nor in the known extension paths; set AGENTPR_CODEX_BIN or add codex to PATH' };
}

/**
 * The runtime doctor: is this machine ready for the commands of a profile? Checks, in order: the
 * workspace root is writable, git (and gh when asked), codex when asked, GitHub auth, the Telegram token and
 * webhook secret when asked, the local remotes when given, and network reachability. Every error, timeouts included, becomes a failed
 * check; the function itself never throws.
 *
 * @example
 * const report = await runtimeDoctor({ workspaceRoot: '/srv/ws', env: process.env, requireCodex: true });
 * if (!report.ok) console.error(report.failures.join('\n'));
 */
export async function runtimeDoctor(options: RuntimeDoctorOptions): Promise<DoctorReport> {
  const monotonic = options.monotonic ?? (() => performance.now());
  const started = monotonic();
  const env = options.env;
  const checkNetwork = options.checkNetwork ?? true;
  const timeoutSec = Math.max(1, options.networkTimeoutSec ?? 5);
  const requireGhAuth = options.requireGhAuth ?? true;
  const requireCodex = options.requireCodex ?? false;
  const requireTelegramToken = options.requireTelegramToken ?? false;
  const requireWebhookSecret = options.requireWebhookSecret ?? false;
  const urls = options.urls ?? DEFAULT_DOCTOR_URLS;
  const root = resolve(options.workspaceRoot);
  const list = new CheckList();

  await list.run('workspace.write', async () => {
    try {
      makeDirectory(root);
      const probe = join(root, `.agentpr_doctor_probe_${process.pid}_${randomBytes(6).toString('hex')}`);
      await writeFile(probe, 'probe\n');
      await rm(probe, { force: true });
      return { ok: true, detail: root };
    } catch (error) {
      return { ok: false, detail: `${root}: ${errorText(error)}` };
    }
  });
  if (options.requireGit ?? true) await list.run('cmd.git', () => commandCheck('git', env));
  if (options.requireGh ?? false) await list.run('cmd.gh', () => commandCheck('gh', env));
  if (requireCodex) {
    await list.run('cmd.codex', async () => {
      const found = await (options.resolveCodex ?? resolveCodexFromEnv)(env);
      return found.ok ? { ok: true, detail: `${found.path} (${found.source})` } : { ok: false, detail: found.reason };
    });
  }
  if (requireGhAuth) await list.run('gh.auth', () => githubAuthCheck(env, timeoutSec * 1000 + 5_000));
  if (requireTelegramToken) await list.run('env.AGENTPR_TELEGRAM_BOT_TOKEN', () => envPresenceCheck('AGENTPR_TELEGRAM_BOT_TOKEN', env));
  if (requireWebhookSecret) await list.run('env.AGENTPR_GITHUB_WEBHOOK_SECRET', () => envPresenceCheck('AGENTPR_GITHUB_WEBHOOK_SECRET', env));
  const remotes = options.localRemotes ?? [];
  if (remotes.length > 0) {
    const git = options.git ?? createGitRunner({ env, timeoutMs: timeoutSec * 1000 + 5_000 });
    for (const remote of remotes) await list.run(`remote.${remote}`, () => localRemoteCheck(remote, git));
  }
  const warnings: string[] = [];
  if (checkNetwork) {
    const targets = requireCodex ? [...urls.github, ...urls.registries] : [...urls.github];
    for (const url of targets) await list.run(`net.${url}`, () => urlCheck(url, timeoutSec * 1000, options.fetch, options.anyAnswerReachable === true));
    if (!requireCodex) warnings.push('package-registry checks (PyPI, npm) were skipped because codex is not required for this command');
  }
  return list.report(started, monotonic(), {
    workspace_root: root,
    check_network: checkNetwork,
    network_timeout_sec: timeoutSec,
    require_gh_auth: requireGhAuth,
    require_codex: requireCodex,
    require_telegram_token: requireTelegramToken,
    require_webhook_secret: requireWebhookSecret,
    ...(remotes.length > 0 ? { local_remotes: [...remotes] } : {}),
  }, warnings);
}

/**
 * `gh.auth`: a non-blank `GH_TOKEN` or `GITHUB_TOKEN` passes (the value is never shown); otherwise
 * `gh auth status` must exit 0; without gh on PATH the check fails and says how to fix it.
 */
export async function githubAuthCheck(env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  for (const name of ['GH_TOKEN', 'GITHUB_TOKEN']) {
    if ((env[name] ?? '').trim() !== '') return { ok: true, detail: `token in ${name}` };
  }
  const gh = await findExecutable('gh', env);
  if (!gh) return { ok: false, detail: 'neither GH_TOKEN nor GITHUB_TOKEN is set and gh is not on PATH; set GITHUB_TOKEN or install gh and run `gh auth login`' };
  const result = await execa(gh, ['auth', 'status'], { env: { ...env }, extendEnv: false, reject: false, stdin: 'ignore', timeout: timeoutMs, cwd: env.HOME || '/' });
  if (result.timedOut) return { ok: false, detail: `gh auth status timed out after ${timeoutMs} ms` };
  if (result.exitCode === 0) return { ok: true, detail: 'authenticated' };
  if (result.exitCode === undefined) return { ok: false, detail: errorText(result) };
  const pick = (text: unknown) => String(text ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0).slice(0, 3);
  const lines = pick(result.stderr).length > 0 ? pick(result.stderr) : pick(result.stdout);
  const detail = lines.length > 0 ? lines.join(' | ') : `gh auth status exited ${result.exitCode}; run \`gh auth login\``;
  return { ok: false, detail: redactSecrets(detail).slice(0, 240) };
}
