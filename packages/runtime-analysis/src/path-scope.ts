import { normalizeDir } from './shell-segments.js';

/** Where an agent's commands may write, and which paths are secrets; built once per analysis. */
export interface PathScope {
  /** The normalised absolute workspace (the agent's working directory), when known. */
  workspaceDir: string | undefined;
  /** Normalised absolute roots writes may go to: the workspace, `/tmp`, the tmp dirs, extra roots. */
  allowedRoots: string[];
  /** The agent's home, when known; `~` and `$HOME` resolve to it. Unknown homes count as outside. */
  homeDir: string | undefined;
  /** Normalised absolute paths that are secrets of their own (agentpr's data dir, database, policy file). */
  secretPaths: string[];
}

/** Options that describe a {@link PathScope}; every path is normalised, relative ones are ignored. */
export interface PathScopeOptions {
  workspaceDir?: string | undefined;
  tmpDirs?: readonly string[];
  allowedWriteRoots?: readonly string[];
  homeDir?: string | undefined;
  secretPaths?: readonly string[];
}

/** The resolved form of a path word: absolute, `~`-relative (home unknown), or not resolvable. */
export type ResolvedPath = { kind: 'absolute'; path: string } | { kind: 'home'; path: string } | { kind: 'relative'; path: string } | { kind: 'unknown' };

/** Write targets that are never files of the host: the null device, the process's own streams and ttys. */
const SPECIAL_TARGETS = /^\/dev\/(?:null|stdout|stderr|stdin|tty|zero|fd\/\d+)$|^\/proc\/self\/fd\/\d+$/;

/** System roots that never hold a workspace: judged even when the workspace is unknown. */
const SYSTEM_ROOTS = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/root', '/opt', '/srv', '/sys', '/proc', '/dev', '/var', '/run', '/snap', '/System', '/Library', '/Applications', '/private/etc', '/private/var'];

function absolute(list: readonly string[] | undefined): string[] {
  return (list ?? []).filter((p) => typeof p === 'string' && p.startsWith('/')).map(normalizeDir);
}

/** Builds a {@link PathScope}: `/tmp` and `/private/tmp` are always allowed (private to the sandbox). */
export function buildPathScope(options: PathScopeOptions): PathScope {
  const workspaceDir = options.workspaceDir && options.workspaceDir.startsWith('/') ? normalizeDir(options.workspaceDir) : undefined;
  const homeDir = options.homeDir && options.homeDir.startsWith('/') ? normalizeDir(options.homeDir) : undefined;
  const allowedRoots = ['/tmp', '/private/tmp', ...absolute(options.tmpDirs), ...absolute(options.allowedWriteRoots)];
  if (workspaceDir) allowedRoots.unshift(workspaceDir);
  return { workspaceDir, allowedRoots: [...new Set(allowedRoots)], homeDir, secretPaths: absolute(options.secretPaths) };
}

/** True when `path` is `root` or below it. */
export function isUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

const HOME_WORD = /^(?:~|\$HOME|\$\{HOME\})(?=\/|$)/;
const TMP_WORD = /^(?:\$TMPDIR|\$\{TMPDIR\}|\$TMP|\$\{TMP\})(?=\/|$)/;
const PWD_WORD = /^(?:\$PWD|\$\{PWD\})(?=\/|$)/;
const OTHER_USER_HOME = /^~([a-z_][a-z0-9_.-]*)(?=\/|$)/i;

/**
 * Resolves a path word as the shell would for a command started in the workspace and run in `dir` (the
 * segment's directory relative to the start, possibly absolute or `~`-rooted). `~`, `$HOME`, `$TMPDIR` and
 * `$PWD` are expanded; any other leading `$…` makes the path unknown. Relative results mean the workspace is
 * unknown: they escape it when they start with `..`.
 */
export function resolvePathWord(word: string, dir: string, scope: PathScope): ResolvedPath {
  let w = word;
  if (!w || w === '-' || w.includes('://') || /^[A-Za-z0-9_.-]+(?:@[A-Za-z0-9_.-]+)?:/.test(w)) return { kind: 'unknown' };
  if (HOME_WORD.test(w)) {
    const rest = w.replace(HOME_WORD, '');
    return scope.homeDir ? { kind: 'absolute', path: normalizeDir(scope.homeDir + rest) } : { kind: 'home', path: normalizeDir(`~${rest}`) };
  }
  const other = OTHER_USER_HOME.exec(w);
  if (other) {
    const user = other[1]!;
    return { kind: 'absolute', path: normalizeDir(`${user === 'root' ? '/root' : `/home/${user}`}${w.slice(other[0].length)}`) };
  }
  if (TMP_WORD.test(w)) return { kind: 'absolute', path: normalizeDir(`/tmp${w.replace(TMP_WORD, '')}`) };
  if (PWD_WORD.test(w)) w = `.${w.replace(PWD_WORD, '')}`;
  if (w.startsWith('$') || w.startsWith('`')) return { kind: 'unknown' };
  if (w.startsWith('/')) return { kind: 'absolute', path: normalizeDir(w) };
  // relative to the segment's directory
  if (dir.includes('$')) return { kind: 'unknown' };
  if (dir.startsWith('/')) return { kind: 'absolute', path: normalizeDir(`${dir}/${w}`) };
  if (dir === '~' || dir.startsWith('~/')) return resolvePathWord(`${dir}/${w}`, '.', scope);
  const rel = dir === '.' ? w : `${dir}/${w}`;
  if (scope.workspaceDir) return { kind: 'absolute', path: normalizeDir(`${scope.workspaceDir}/${rel}`) };
  return { kind: 'relative', path: normalizeDir(rel) };
}

/**
 * Whether a write to the resolved path leaves the allowed roots: `outside` (with the shown path), or null when
 * it stays inside or cannot be judged (an unknown variable; an absolute path outside the system roots while
 * the workspace is unknown).
 */
export function writeEscape(resolved: ResolvedPath, scope: PathScope): string | null {
  switch (resolved.kind) {
    case 'unknown':
      return null;
    case 'home':
      return resolved.path;
    case 'relative':
      return resolved.path === '..' || resolved.path.startsWith('../') ? resolved.path : null;
    case 'absolute': {
      const p = resolved.path;
      if (SPECIAL_TARGETS.test(p)) return null;
      if (scope.allowedRoots.some((r) => isUnder(p, r))) return null;
      if (scope.workspaceDir) return p;
      return SYSTEM_ROOTS.some((r) => isUnder(p, r)) || (scope.homeDir !== undefined && isUnder(p, scope.homeDir)) ? p : null;
    }
    default: {
      const never: never = resolved;
      return never;
    }
  }
}

/** Home-relative credential stores (the part after the home directory). */
const HOME_SECRETS = /^(?:\.ssh|\.aws|\.gnupg|\.config\/gh|\.config\/gcloud|\.config\/agentpr|\.docker\/config\.json|\.kube\/config|\.git-credentials|\.config\/git\/credentials|\.netrc|\.npmrc|\.pypirc|\.yarnrc\.yml|\.cargo\/credentials(?:\.toml)?|\.codex\/auth\.json)(?:\/|$)/;
const HOME_PREFIX = /^(?:~|\/root|\/home\/[^/]+|\/Users\/[^/]+)(?:\/|$)/;
const PROC_ENVIRON = /^\/proc\/[^/]+\/(?:task\/[^/]+\/)?environ$/;
const SYSTEM_SECRETS = new Set(['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers']);

/**
 * What secret a resolved path points into, as a short label, or null. Home-level stores (`~/.ssh`,
 * `~/.git-credentials`, `~/.config/gh`, `~/.netrc`, `~/.npmrc`, `~/.aws`, …) in any home, any process's
 * `environ`, `/etc/shadow`, and the configured secret paths (agentpr's data dir and database).
 */
export function credentialLabel(resolved: ResolvedPath, scope: PathScope): string | null {
  if (resolved.kind === 'unknown' || resolved.kind === 'relative') return null;
  const p = resolved.path;
  if (resolved.kind === 'absolute') {
    if (PROC_ENVIRON.test(p)) return 'a process environment';
    if (SYSTEM_SECRETS.has(p)) return 'a system password or sudo file';
    for (const s of scope.secretPaths) if (isUnder(p, s)) return `agentpr's own data (${s})`;
    if (scope.homeDir && isUnder(p, scope.homeDir) && HOME_SECRETS.test(p.slice(scope.homeDir.length + 1))) return 'a credential store';
  }
  const m = HOME_PREFIX.exec(p);
  if (m && HOME_SECRETS.test(p.slice(m[0].length))) return 'a credential store';
  // Any other home-style credential store outside the workspace (an operator's HOME may live anywhere, /tmp included).
  if (resolved.kind === 'absolute' && !(scope.workspaceDir && isUnder(p, scope.workspaceDir))) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const rest = parts.slice(i).join('/');
      // Project-level package manager files are common outside homes; only home-level ones count there.
      if (HOME_SECRETS.test(rest) && !/^\.(?:npmrc|yarnrc\.yml)$/.test(rest)) return 'a credential store';
    }
  }
  return null;
}

/** True when the resolved path is `/proc` itself or one process's directory (a recursive search there reads environments). */
export function isProcRoot(resolved: ResolvedPath): boolean {
  return resolved.kind === 'absolute' && (resolved.path === '/proc' || /^\/proc\/[^/]+$/.test(resolved.path));
}

/** True when the path is inside a repository's `.git/hooks`, `.git/info` or is its `.git/config`. */
export function isGitInternal(path: string): boolean {
  return /(?:^|\/)\.git\/(?:hooks|info)(?:\/|$)|(?:^|\/)\.git\/config$/.test(path);
}
