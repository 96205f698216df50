import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';
import { expandHome } from './resolve-codex-binary.js';

/** Where the claude binary was found (the runtime report's binary source). */
export type ClaudeBinarySource = 'env:AGENTPR_CLAUDE_BIN' | 'PATH' | 'npm-platform-package' | 'claude-local';

/** The result of {@link resolveClaudeBinary}: the binary and where it came from, or why none was found. */
export type ResolveClaudeBinaryResult =
  | { ok: true; path: string; source: ClaudeBinarySource }
  | { ok: false; reason: string; source: ClaudeBinarySource | null };

/** {@link FileProbe} plus the two questions an npm install of Claude Code needs: where a link really points, and a size. */
export interface ClaudeFileProbe extends FileProbe {
  /** The real path of `path`, or where a dangling symlink would point; null when neither can be told. */
  realPath(path: string): string | null;
  /** The size in bytes of the file at `path` (following links), or null. */
  sizeBytes(path: string): number | null;
}

/** The platform triple that picks the native package: `linux-x64`, `linux-x64-musl`, `darwin-arm64`. */
export interface ClaudePlatform {
  os: string;
  arch: string;
  musl: boolean;
}

/** The npm wrapper package; its `bin/claude.exe` is a placeholder until its postinstall links the native binary over it. */
export const CLAUDE_NPM_PACKAGE = '@anthropic-ai/claude-code';

/**
 * The postinstall treats a `bin/claude.exe` under 4 KiB as its placeholder stub (install.cjs, `placeBinary`); the native
 * binary is hundreds of MiB. The same cut is used here.
 */
export const CLAUDE_PLACEHOLDER_MAX_BYTES = 4096;

const INSTALL_HINT = 'install it (npm i -g @anthropic-ai/claude-code@2.1.332) or set AGENTPR_CLAUDE_BIN';

/** {@link ClaudeFileProbe} over the real file system. */
export const nodeClaudeFileProbe: ClaudeFileProbe = {
  ...nodeFileProbe,
  realPath(path) {
    try {
      return realpathSync(path);
    } catch {
      return danglingTarget(path);
    }
  },
  sizeBytes(path) {
    try {
      return statSync(path).size;
    } catch {
      return null;
    }
  },
};

/**
 * Finds the claude binary: `AGENTPR_CLAUDE_BIN` if non-blank (no fallback when it is wrong), then `claude` on `PATH`,
 * then Claude's own installers' `~/.claude/local/claude` and `~/.local/bin/claude`. An npm install whose
 * `bin/claude.exe` is missing or still the placeholder (its postinstall did not run) resolves to the native binary of
 * the platform package next to it (`@anthropic-ai/claude-code-<os>-<arch>[-musl]/claude`). Never throws.
 * @example
 * const bin = resolveClaudeBinary(env);
 * if (!bin.ok) return fail(bin.reason);
 */
export function resolveClaudeBinary(
  env: Readonly<Record<string, string | undefined>>,
  fs: FileProbe = nodeClaudeFileProbe,
  platform: ClaudePlatform = currentClaudePlatform(),
): ResolveClaudeBinaryResult {
  const probe = withClaudeQuestions(fs);
  const home = env.HOME?.trim() ?? '';
  const explicit = env.AGENTPR_CLAUDE_BIN?.trim();
  if (explicit) {
    const path = expandHome(explicit, home);
    const npm = npmInstallOf(path, probe);
    if (npm && (!probe.isExecutableFile(path) || isPlaceholder(path, probe))) {
      const native = platformBinary(npm, platform, probe);
      const fix = native ? `point it at ${native}` : `reinstall it (npm i -g ${CLAUDE_NPM_PACKAGE}@2.1.332)`;
      const what = `AGENTPR_CLAUDE_BIN=${explicit} is the npm package's missing or placeholder bin/claude.exe (its postinstall did not run)`;
      return { ok: false, source: 'env:AGENTPR_CLAUDE_BIN', reason: `${what}; ${fix}.` };
    }
    if (probe.isExecutableFile(path)) return { ok: true, path, source: 'env:AGENTPR_CLAUDE_BIN' };
    return { ok: false, source: 'env:AGENTPR_CLAUDE_BIN', reason: `AGENTPR_CLAUDE_BIN=${explicit} does not point to an executable file; fix or unset it.` };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const found = candidate(join(dir, 'claude'), 'PATH', platform, probe);
    if (found) return found;
  }
  if (home) {
    const local = join(home, '.claude', 'local');
    const localPackage = join(local, 'node_modules', ...CLAUDE_NPM_PACKAGE.split('/'));
    // The local installer's `claude` is a shell wrapper around its own npm install: use that install's binary directly.
    if (probe.isDirectory(localPackage)) {
      const found = fromPackage(localPackage, 'claude-local', platform, probe);
      if (found) return found;
    }
    for (const path of [join(local, 'claude'), join(home, '.local', 'bin', 'claude')]) {
      const found = candidate(path, 'claude-local', platform, probe);
      if (found) return found;
    }
  }
  return { ok: false, source: null, reason: `claude was found neither on PATH nor in ~/.claude/local or ~/.local/bin; ${INSTALL_HINT}.` };
}

/** The platform this process runs on, as the native package names it (musl told apart like Claude's own installer). */
export function currentClaudePlatform(): ClaudePlatform {
  const report = process.platform === 'linux' && typeof process.report?.getReport === 'function' ? (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }) : null;
  return { os: process.platform, arch: process.arch, musl: report !== null && report.header?.glibcVersionRuntime === undefined };
}

/** The native package's name for a platform: `@anthropic-ai/claude-code-linux-x64-musl`. */
export function claudePlatformPackage(platform: ClaudePlatform): string {
  return `${CLAUDE_NPM_PACKAGE}-${platform.os}-${platform.arch}${platform.musl ? '-musl' : ''}`;
}

/** A candidate path: used as is, unless it is an npm install's missing or placeholder `bin/claude.exe`. */
function candidate(path: string, source: ClaudeBinarySource, platform: ClaudePlatform, fs: ClaudeFileProbe): ResolveClaudeBinaryResult | null {
  const npm = npmInstallOf(path, fs);
  if (npm) return fromPackage(npm, source, platform, fs);
  return fs.isExecutableFile(path) ? { ok: true, path, source } : null;
}

/** The package's own `bin/claude.exe` when it is the real binary, else the platform package's native binary. */
function fromPackage(packageDir: string, source: ClaudeBinarySource, platform: ClaudePlatform, fs: ClaudeFileProbe): ResolveClaudeBinaryResult | null {
  const bin = join(packageDir, 'bin', 'claude.exe');
  if (fs.isExecutableFile(bin) && !isPlaceholder(bin, fs)) return { ok: true, path: bin, source };
  const native = platformBinary(packageDir, platform, fs);
  return native ? { ok: true, path: native, source: 'npm-platform-package' } : null;
}

/** The npm package directory when `path` is (or links to) `<pkg>/bin/claude.exe` of `@anthropic-ai/claude-code`. */
function npmInstallOf(path: string, fs: ClaudeFileProbe): string | null {
  const real = fs.realPath(path) ?? path;
  if (basename(real) !== 'claude.exe' || basename(dirname(real)) !== 'bin') return null;
  const packageDir = dirname(dirname(real));
  return packageDir.endsWith(`${sep}${CLAUDE_NPM_PACKAGE.split('/').join(sep)}`) ? packageDir : null;
}

/** The platform package's `claude`, beside the wrapper package (npm's flat layout) or nested under it. */
function platformBinary(packageDir: string, platform: ClaudePlatform, fs: ClaudeFileProbe): string | null {
  const name = claudePlatformPackage(platform).split('/');
  for (const dir of [join(dirname(packageDir), name[1]!), join(packageDir, 'node_modules', ...name)]) {
    const bin = join(dir, 'claude');
    if (fs.isExecutableFile(bin) && !isPlaceholder(bin, fs)) return bin;
  }
  return null;
}

/** An unknown size is not a placeholder: a missing file is already refused by `isExecutableFile`. */
function isPlaceholder(path: string, fs: ClaudeFileProbe): boolean {
  const size = fs.sizeBytes(path);
  return size !== null && size < CLAUDE_PLACEHOLDER_MAX_BYTES;
}

/** A plain {@link FileProbe} cannot tell links nor sizes: then paths are taken as they are and sizes as unknown. */
function withClaudeQuestions(fs: FileProbe): ClaudeFileProbe {
  const extended = fs as Partial<ClaudeFileProbe>;
  if (typeof extended.realPath === 'function' && typeof extended.sizeBytes === 'function') return fs as ClaudeFileProbe;
  return { ...fs, realPath: (path) => path, sizeBytes: () => null };
}

/** Where a dangling symlink points (npm's bin link to a missing `claude.exe`), resolved against its real directory. */
function danglingTarget(path: string): string | null {
  try {
    if (!lstatSync(path).isSymbolicLink()) return null;
    const target = readlinkSync(path);
    const dir = realpathSync(dirname(path));
    return resolve(dir, target);
  } catch {
    return null;
  }
}
