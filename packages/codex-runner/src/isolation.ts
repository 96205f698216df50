import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { realpathSync } from 'node:fs';
import { execa } from 'execa';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** How the agent is confined: `none` (the advisory safety contract only) or `bwrap` (bubblewrap). */
export type IsolationLevel = 'none' | 'bwrap';

/** The isolation levels, for argument validation. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = Object.freeze(['none', 'bwrap']);

/** Inputs of {@link buildIsolatedCommand}. */
export interface IsolationOptions {
  level: IsolationLevel;
  /** The program to confine and its arguments. */
  command: string;
  args: readonly string[];
  /** The working directory inside the sandbox (the workspace). */
  cwd: string;
  /** Directories the agent may write: the workspace, the runtime dir, `CODEX_HOME`. */
  writablePaths: readonly string[];
  /**
   * Extra paths to make visible read-only. Only paths under `/tmp` need this (the rest of `/` is already visible
   * read-only), e.g. a codex install or external read-only paths living under `/tmp`.
   */
  readOnlyPaths?: readonly string[];
  /** Keep the network (`--share-net`); false unshares it. */
  network: boolean;
  /** The bwrap binary; default `bwrap` (found on the agent's PATH). */
  bwrapPath?: string;
}

/**
 * Wraps a command in the isolation level (issue 5). `none` returns it unchanged. `bwrap` runs it under bubblewrap: the
 * whole file system read-only (`--ro-bind / /`), a fresh `/dev` and `/proc`, a private `/tmp`, writable binds of only
 * the given paths, every namespace unshared (`--unshare-all`, plus `--share-net` when the network is allowed), and
 * `--die-with-parent`. The PID namespace means killing bwrap kills everything the agent started. Pure.
 * @example buildIsolatedCommand({ level: 'bwrap', command: codex, args, cwd: repo, writablePaths: [repo, codexHome], network: true })
 */
export function buildIsolatedCommand(options: IsolationOptions): { command: string; args: string[] } {
  if (options.level === 'none') return { command: options.command, args: [...options.args] };
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  // Parents before children, so a nested bind is not hidden by its parent's bind.
  const readOnly = uniqueAbsolute(options.readOnlyPaths ?? []).filter((path) => isUnder(path, '/tmp'));
  const writable = uniqueAbsolute(options.writablePaths);
  const binds: Array<[string, string]> = [
    ...readOnly.filter((path) => !writable.some((w) => isUnder(path, w))).map((path): [string, string] => ['--ro-bind', path]),
    ...writable.filter((path) => !writable.some((other) => other !== path && isUnder(path, other))).map((path): [string, string] => ['--bind', path]),
  ];
  binds.sort((a, b) => a[1].length - b[1].length);
  for (const [flag, path] of binds) args.push(flag, path, path);
  args.push('--unshare-all');
  if (options.network) args.push('--share-net');
  args.push('--die-with-parent', '--chdir', options.cwd, '--', options.command, ...options.args);
  return { command: options.bwrapPath ?? 'bwrap', args };
}

/**
 * The directory to bind read-only so a codex binary stays runnable under a private `/tmp`: for an npm install, the
 * outermost `node_modules` above it (the launcher needs its platform package next to it); otherwise its directory.
 * Null when the binary is not under `/tmp` (then it is visible anyway).
 */
export function codexInstallRoot(bin: string): string | null {
  let real: string;
  try {
    real = realpathSync(bin);
  } catch {
    real = resolve(bin);
  }
  if (!isUnder(real, '/tmp') && !isUnder(resolve(bin), '/tmp')) return null;
  const parts = real.split(sep);
  const index = parts.indexOf('node_modules');
  return index > 0 ? parts.slice(0, index + 1).join(sep) : dirname(real);
}

/** The result of {@link checkIsolation}: ok with the bwrap path, or a one-line reason and a hint. */
export type CheckIsolationResult =
  | { ok: true; level: IsolationLevel; bwrapPath: string | null; version: string | null }
  | { ok: false; level: IsolationLevel; reason: string; hint: string };

/**
 * Doctor check for an isolation level. `none` always passes. `bwrap` needs the `bwrap` binary on `PATH` (or
 * `AGENTPR_BWRAP_BIN`) and must be able to create its namespaces here: it runs `/bin/true` inside the same kind of
 * sandbox the agent gets. Never throws.
 */
export async function checkIsolation(
  level: IsolationLevel,
  env: Readonly<Record<string, string | undefined>>,
  options: { fs?: FileProbe; timeoutMs?: number } = {},
): Promise<CheckIsolationResult> {
  if (level === 'none') return { ok: true, level, bwrapPath: null, version: null };
  const fs = options.fs ?? nodeFileProbe;
  const bwrap = findBwrap(env, fs);
  if (!bwrap) {
    return {
      ok: false,
      level,
      reason: 'isolation bwrap needs bubblewrap, but no bwrap binary was found on PATH.',
      hint: 'install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) or use --isolation none.',
    };
  }
  const probe = buildIsolatedCommand({ level, command: 'true', args: [], cwd: '/', writablePaths: [], network: false, bwrapPath: bwrap });
  const run = await execa(probe.command, probe.args, { reject: false, timeout: options.timeoutMs ?? 10_000, stdin: 'ignore', cwd: '/', env: { PATH: env.PATH ?? '/usr/bin:/bin' }, extendEnv: false });
  if (run.failed) {
    const detail = String(run.stderr || run.shortMessage).trim().split('\n')[0] ?? 'unknown error';
    return {
      ok: false,
      level,
      reason: `bubblewrap (${bwrap}) cannot create its sandbox here: ${detail}`,
      hint: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or the AppArmor userns rule), run in a container started with user namespaces enabled, or use --isolation none.',
    };
  }
  const version = await execa(bwrap, ['--version'], { reject: false, timeout: 5_000, stdin: 'ignore', env: { PATH: env.PATH ?? '' }, extendEnv: false });
  return { ok: true, level, bwrapPath: bwrap, version: version.failed ? null : String(version.stdout).trim() || null };
}

/** The bwrap binary: `AGENTPR_BWRAP_BIN` if it is executable, else `bwrap` on `PATH`; null if none. */
export function findBwrap(env: Readonly<Record<string, string | undefined>>, fs: FileProbe = nodeFileProbe): string | null {
  const explicit = env.AGENTPR_BWRAP_BIN?.trim();
  if (explicit) return fs.isExecutableFile(explicit) ? explicit : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'bwrap');
    if (fs.isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function uniqueAbsolute(paths: readonly string[]): string[] {
  return [...new Set(paths.filter((path) => path.trim()).map((path) => resolve(path)))];
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}
