import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { execa } from 'execa';
import { CodexRunnerError } from './errors.js';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** How the agent is confined: `none` (the advisory safety contract only) or `bwrap` (bubblewrap). */
export type IsolationLevel = 'none' | 'bwrap';

/** The isolation levels, for argument validation. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = Object.freeze(['none', 'bwrap']);

/**
 * The agent's network under bwrap: `off` (a private namespace with only loopback), `on` (the host's network), or
 * `allowlist` (no network of its own; it reaches the outside only through an egress bridge's unix socket).
 */
export type NetworkMode = 'off' | 'on' | 'allowlist';

/** The network modes, for argument validation. */
export const NETWORK_MODES: readonly NetworkMode[] = Object.freeze(['off', 'on', 'allowlist']);

/** The egress bridge of network mode `allowlist`: where its unix socket lives and the argv that runs in front of the agent. */
export interface EgressBridge {
  /** The directory holding the bridge's unix socket; bound (read-only: connecting needs no write) at the same path. */
  socketDir: string;
  /** Runs inside the sandbox in front of the command, e.g. `['node', '/opt/bridge.js', '--socket', s, '--']`. */
  wrapper: readonly string[];
}

/** System directories bound read-only when the host has them (a merged-usr symlink is reproduced as a symlink). */
export const SYSTEM_READ_ONLY_DIRS: readonly string[] = Object.freeze(['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']);

/**
 * The `/etc` entries the sandbox sees (read-only, when present): TLS roots, name resolution, users and groups (no
 * password hashes), the dynamic loader, time zone and OS identity. Nothing else of `/etc`: never `shadow`,
 * `gshadow`, `sudoers`, ssh host keys, `ssl/private`, `agentpr/`, `gitconfig` or `npmrc`.
 */
export const ETC_READ_ONLY_ENTRIES: readonly string[] = Object.freeze([
  'ssl/certs',
  'ssl/openssl.cnf',
  'ca-certificates',
  'ca-certificates.conf',
  'pki/tls/certs',
  'pki/ca-trust/extracted',
  'crypto-policies',
  'resolv.conf',
  'hosts',
  'host.conf',
  'gai.conf',
  'nsswitch.conf',
  'protocols',
  'services',
  'passwd',
  'group',
  'localtime',
  'timezone',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'mime.types',
  'os-release',
  'debian_version',
]);

/**
 * The agent's uid and gid inside the sandbox (mapped to the operator's own outside). Never 0: when agentpr runs as
 * root, a root agent could not start the nested user namespace codex's own sandbox needs, and with `--cap-drop ALL`
 * it could not unmount the read-only `.git` either way, but a non-root uid keeps both true without relying on caps.
 */
export const SANDBOX_UID = 1000;

/** The sandbox's host name (bwrap's UTS namespace). */
export const SANDBOX_HOSTNAME = 'agentpr-sandbox';

/** What is at a path on the host, without following a final symlink. */
export type HostEntry =
  | { kind: 'missing' }
  | { kind: 'directory' }
  | { kind: 'file' }
  | { kind: 'symlink'; target: string }
  | { kind: 'other' };

/** The one file-system question the sandbox builder asks about the host; injectable so the builder is testable. */
export interface HostView {
  /** `lstat` of `path`: its kind, and a symlink's target text. */
  lookup(path: string): HostEntry;
}

/** {@link HostView} over the real file system. */
export const nodeHostView: HostView = {
  lookup(path) {
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(path) };
      if (stat.isDirectory()) return { kind: 'directory' };
      if (stat.isFile()) return { kind: 'file' };
      return { kind: 'other' };
    } catch {
      return { kind: 'missing' };
    }
  },
};

/** Inputs of {@link buildIsolatedCommand}. Paths are absolute host paths, made visible at the same path. */
export interface IsolationOptions {
  level: IsolationLevel;
  /** The program to confine and its arguments. */
  command: string;
  args: readonly string[];
  /** The working directory inside the sandbox (the workspace). */
  cwd: string;
  /**
   * Directories the agent may write: the workspace and the per-attempt codex home. A `.git` (directory, or a worktree's
   * `.git` file) directly inside one of them is re-bound read-only on top, so hooks and config cannot be planted.
   */
  writablePaths: readonly string[];
  /**
   * Extra paths visible read-only: toolchains outside `/usr` ({@link toolchainReadOnlyPaths}), the integration root,
   * `--allow-read-path`s, the egress bridge's script. Paths already inside a system dir or a writable path are skipped.
   */
  readOnlyPaths?: readonly string[];
  /** The network mode; `true`/`false` are the old spelling of `on`/`off`. */
  network: NetworkMode | boolean;
  /** Required with network `allowlist`: the egress bridge's socket dir and wrapper argv. */
  egress?: EgressBridge;
  /** The bwrap binary; default `bwrap` (found on the agent's PATH). */
  bwrapPath?: string;
  /** How the host looks (system dir symlinks, `/etc` entries, `.git`); default the real file system. */
  host?: HostView;
}

/** One step of the sandbox's mount plan, in bwrap's order. */
type Mount =
  | { op: 'bind' | 'ro-bind' | 'ro-bind-try'; path: string }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'dev' | 'proc' | 'tmpfs' | 'dir'; path: string };

/**
 * Wraps a command in the isolation level (issue 12). `none` returns it unchanged. `bwrap` builds the agent's file
 * system from what toolchains need, not the host minus holes: read-only system dirs (merged-usr symlinks reproduced),
 * a curated non-secret part of `/etc`, the caller's read-only toolchain paths, a fresh `/dev`, a `/proc` of its own PID
 * namespace, a private `/tmp`, an empty read-only `/run` and root, the writable paths with any `.git` in them re-bound read-only, every
 * namespace unshared (`--share-net` only for network `on`), uid/gid {@link SANDBOX_UID}, `--die-with-parent`,
 * `--new-session`, `--cap-drop ALL` (as root bwrap would otherwise keep every capability in the sandbox's namespace,
 * enough to unmount the read-only `.git`).
 * Never visible: `/root`, `/home`, agentpr's data dir, the host's `/proc`, `/sys`, `/run`, `/etc/shadow`. With network
 * `allowlist` the egress bridge's socket dir is bound and its wrapper runs in front of the command. Pure apart from
 * `lstat` lookups through `host`. Throws {@link CodexRunnerError} (`invalid_option`) on unusable paths.
 * @example
 * buildIsolatedCommand({
 *   level: 'bwrap', command: codex, args, cwd: ws, writablePaths: [ws, attemptHome.path],
 *   readOnlyPaths: toolchainReadOnlyPaths({ codexBin: codex, nodeExecPath: process.execPath }), network: 'on',
 * })
 */
export function buildIsolatedCommand(options: IsolationOptions): { command: string; args: string[] } {
  if (options.level === 'none') return { command: options.command, args: [...options.args] };
  const network = networkMode(options.network);
  const args: string[] = [];
  for (const mount of planMounts(options, network)) {
    if (mount.op === 'symlink') args.push('--symlink', mount.target, mount.path);
    else if (mount.op === 'bind' || mount.op === 'ro-bind' || mount.op === 'ro-bind-try') args.push(`--${mount.op}`, mount.path, mount.path);
    else args.push(`--${mount.op}`, mount.path);
  }
  // bwrap's own root is a writable tmpfs; after the last mount point is made, nothing outside the binds is writable.
  args.push('--remount-ro', '/', '--unshare-all');
  if (network === 'on') args.push('--share-net');
  args.push('--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--hostname', SANDBOX_HOSTNAME, '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--chdir', resolve(options.cwd), '--');
  if (network === 'allowlist') args.push(...options.egress!.wrapper);
  args.push(options.command, ...options.args);
  return { command: options.bwrapPath ?? 'bwrap', args };
}

/** A short account of what the agent can see and touch, for `doctor` and reports (see {@link describeIsolation}). */
export interface IsolationSummary {
  level: IsolationLevel;
  /** Host paths visible read-only (system dirs, `/etc` entries, toolchains, re-bound `.git`s, the egress socket dir). */
  readOnly: string[];
  /** Host paths the agent can write. `['/']` stands for "whatever the operator's user can write" under `none`. */
  writable: string[];
  /** Reproduced symlinks, as `path -> target`. */
  symlinks: string[];
  /** Fresh, sandbox-only mounts (`/dev`, `/proc`, `/tmp`, `/run`). */
  private: string[];
  network: NetworkMode;
  /** True when the agent has its own PID namespace (it cannot see or signal agentpr). */
  pidNamespace: boolean;
}

/**
 * Summarises {@link buildIsolatedCommand}'s view for the same options: what is read-only, writable, private, and the
 * network mode. Under `none` the agent sees everything its user can (`writable: ['/']`, network `on`).
 * @example describeIsolation({ level: 'bwrap', command: 'true', args: [], cwd: '/', writablePaths: [], network: 'off' })
 */
export function describeIsolation(options: IsolationOptions): IsolationSummary {
  if (options.level === 'none') return { level: 'none', readOnly: [], writable: ['/'], symlinks: [], private: [], network: 'on', pidNamespace: false };
  const network = networkMode(options.network);
  const summary: IsolationSummary = { level: 'bwrap', readOnly: [], writable: [], symlinks: [], private: [], network, pidNamespace: true };
  for (const mount of planMounts(options, network)) {
    if (mount.op === 'symlink') summary.symlinks.push(`${mount.path} -> ${mount.target}`);
    else if (mount.op === 'bind') summary.writable.push(mount.path);
    else if (mount.op === 'ro-bind' || mount.op === 'ro-bind-try') summary.readOnly.push(mount.path);
    else summary.private.push(mount.path);
  }
  return summary;
}

function networkMode(value: NetworkMode | boolean): NetworkMode {
  if (value === true) return 'on';
  if (value === false) return 'off';
  if (!NETWORK_MODES.includes(value)) throw new CodexRunnerError('invalid_option', `network must be one of ${NETWORK_MODES.join(', ')}, got ${JSON.stringify(value)}.`);
  return value;
}

/** The ordered mount plan shared by the builder and the summary. */
function planMounts(options: IsolationOptions, network: NetworkMode): Mount[] {
  const host = options.host ?? nodeHostView;
  const mounts: Mount[] = [
    { op: 'dev', path: '/dev' },
    { op: 'proc', path: '/proc' },
    { op: 'tmpfs', path: '/tmp' },
    { op: 'dir', path: '/run' },
  ];
  const systemRoots: string[] = [];
  for (const dir of SYSTEM_READ_ONLY_DIRS) {
    const entry = host.lookup(dir);
    if (entry.kind === 'directory') {
      mounts.push({ op: 'ro-bind', path: dir });
      systemRoots.push(dir);
    } else if (entry.kind === 'symlink') {
      mounts.push({ op: 'symlink', path: dir, target: entry.target });
    }
  }
  for (const name of ETC_READ_ONLY_ENTRIES) {
    const path = `/etc/${name}`;
    // -try: a symlinked entry (resolv.conf -> /run/...) whose target is gone is left out instead of failing the launch.
    if (host.lookup(path).kind !== 'missing') mounts.push({ op: 'ro-bind-try', path });
  }

  const writable = outermost(checkedPaths(options.writablePaths, 'writable path'));
  const egressDir = network === 'allowlist' ? egressSocketDir(options.egress) : null;
  const readOnly = outermost(checkedPaths([...(options.readOnlyPaths ?? []), ...(egressDir ? [egressDir] : [])], 'read-only path')).filter(
    // Inside a system dir it is visible already; inside a writable path it is writable anyway, and binding a path the
    // agent could have replaced by a symlink would let it choose what the host mounts.
    (path) => !systemRoots.some((root) => isUnder(path, root)) && !writable.some((root) => isUnder(path, root)),
  );
  const callerBinds: Mount[] = [
    ...readOnly.map((path): Mount => ({ op: 'ro-bind', path })),
    ...writable.flatMap((path): Mount[] => {
      const binds: Mount[] = [{ op: 'bind', path }];
      const git = join(path, '.git');
      const entry = host.lookup(git);
      if (entry.kind === 'directory' || entry.kind === 'file') binds.push({ op: 'ro-bind', path: git });
      else if (entry.kind !== 'missing') throw new CodexRunnerError('invalid_option', `${git} is a ${entry.kind}, not a directory or a worktree file; refusing to build a sandbox that would mount where it points. Recreate the workspace.`);
      return binds;
    }),
  ];
  // Parents before children: a later mount covers an earlier one, so `<ws>/.git` (ro) must follow `<ws>` (rw).
  callerBinds.sort((a, b) => depth(a.path) - depth(b.path));
  return [...mounts, ...callerBinds];
}

function egressSocketDir(egress: EgressBridge | undefined): string {
  if (!egress || !egress.socketDir?.trim() || egress.wrapper.length === 0) {
    throw new CodexRunnerError('invalid_option', 'network allowlist needs egress: { socketDir, wrapper } (the egress bridge); pass it or use network on/off.');
  }
  return egress.socketDir;
}

/** Absolute, normalised, de-duplicated; `/` and relative paths are refused. */
function checkedPaths(paths: readonly string[], what: string): string[] {
  const out: string[] = [];
  for (const raw of paths) {
    if (!raw.trim()) continue;
    if (!isAbsolute(raw)) throw new CodexRunnerError('invalid_option', `${what} ${JSON.stringify(raw)} must be absolute.`);
    const path = resolve(raw);
    if (path === '/') throw new CodexRunnerError('invalid_option', `${what} / would expose the whole host; name the directories the agent needs.`);
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/** Drops paths inside another path of the list. */
function outermost(paths: readonly string[]): string[] {
  return paths.filter((path) => !paths.some((other) => other !== path && isUnder(path, other)));
}

function depth(path: string): number {
  return path.split(sep).filter(Boolean).length;
}

/**
 * The directory to bind read-only so a codex binary stays runnable inside the sandbox: for an npm install, the
 * outermost `node_modules` above the real binary (the launcher needs its platform package next to it); otherwise the
 * real binary's directory.
 * @example codexInstallRoot('/home/op/.npm/lib/node_modules/@openai/codex/bin/codex.js') // '/home/op/.npm/lib/node_modules'
 */
export function codexInstallRoot(bin: string): string {
  const real = realOrResolved(bin);
  const parts = real.split(sep);
  const index = parts.indexOf('node_modules');
  return index > 0 ? parts.slice(0, index + 1).join(sep) : dirname(real);
}

/**
 * The read-only paths codex and node need inside the sandbox when they live outside the system dirs: the codex
 * install root ({@link codexInstallRoot}) and node's install prefix (`<prefix>/bin/node` → `<prefix>`). Paths under
 * `/usr` (or another system dir) are left out: they are visible anyway.
 * @example toolchainReadOnlyPaths({ codexBin: bin, nodeExecPath: process.execPath })
 */
export function toolchainReadOnlyPaths(options: { codexBin: string; nodeExecPath?: string | null }): string[] {
  const out = [codexInstallRoot(options.codexBin)];
  if (options.nodeExecPath) {
    const node = realOrResolved(options.nodeExecPath);
    const dir = dirname(node);
    out.push(dir.endsWith(`${sep}bin`) ? dirname(dir) : dir);
  }
  return [...new Set(out)].filter((path) => path !== '/' && !SYSTEM_READ_ONLY_DIRS.some((root) => isUnder(path, root)));
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The result of {@link checkIsolation}: ok with the bwrap path, or a one-line reason and a hint. */
export type CheckIsolationResult =
  | { ok: true; level: IsolationLevel; bwrapPath: string | null; version: string | null }
  | { ok: false; level: IsolationLevel; reason: string; hint: string };

/**
 * Doctor check for an isolation level. `none` always passes. `bwrap` needs the `bwrap` binary on `PATH` (or
 * `AGENTPR_BWRAP_BIN`) and must be able to create its namespaces here: it runs `true` inside the same kind of sandbox
 * the agent gets (built by {@link buildIsolatedCommand}, network off). Never throws.
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
  // An absolute `true` from the read-only system dirs, so the probe does not depend on the caller's PATH.
  const trueBin = ['/usr/bin/true', '/bin/true'].find((candidate) => fs.isExecutableFile(candidate)) ?? 'true';
  const probe = buildIsolatedCommand({ level, command: trueBin, args: [], cwd: '/', writablePaths: [], network: 'off', bwrapPath: bwrap });
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

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}
