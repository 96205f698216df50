import { delimiter, isAbsolute, join } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** Where the codex binary was found (the runtime report's `codex_bin_source`). */
export type CodexBinarySource = 'env:AGENTPR_CODEX_BIN' | 'PATH' | 'cursor-extension';

/** The result of {@link resolveCodexBinary}: the binary and where it came from, or why none was found. */
export type ResolveCodexBinaryResult =
  | { ok: true; path: string; source: CodexBinarySource }
  | { ok: false; reason: string; source: CodexBinarySource | null };

const CURSOR_SUBPATHS = ['bin/macos-aarch64/codex', 'bin/linux-x64/codex'];

/**
 * Finds the codex binary: `AGENTPR_CODEX_BIN` if non-blank (no fallback when it is wrong), then `codex`
 * on `PATH`, then the Cursor editor extension binaries under `~/.cursor/extensions` (newest first). Never throws.
 * @example
 * const bin = resolveCodexBinary(env);
 * if (!bin.ok) return fail(bin.reason);
 */
export function resolveCodexBinary(env: Record<string, string | undefined>, fs: FileProbe = nodeFileProbe): ResolveCodexBinaryResult {
  const home = env.HOME?.trim() ?? '';
  const explicit = env.AGENTPR_CODEX_BIN?.trim();
  if (explicit) {
    const path = expandHome(explicit, home);
    if (fs.isExecutableFile(path)) return { ok: true, path, source: 'env:AGENTPR_CODEX_BIN' };
    return {
      ok: false,
      source: 'env:AGENTPR_CODEX_BIN',
      reason: `AGENTPR_CODEX_BIN=${explicit} does not point to an executable file; fix or unset it.`,
    };
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'codex');
    if (fs.isExecutableFile(candidate)) return { ok: true, path: candidate, source: 'PATH' };
  }
  const cursor = cursorExtensionBinaries(home, fs);
  if (cursor[0]) return { ok: true, path: cursor[0], source: 'cursor-extension' };
  return {
    ok: false,
    source: null,
    reason: 'codex was found neither on PATH nor in the known editor extension paths; install it (npm i -g @openai/codex) or set AGENTPR_CODEX_BIN.',
  };
}

/** Executable codex binaries shipped inside Cursor's OpenAI extension, de-duplicated, newest modification first. */
export function cursorExtensionBinaries(home: string, fs: FileProbe = nodeFileProbe): string[] {
  if (!home) return [];
  const root = join(home, '.cursor', 'extensions');
  const found = new Map<string, number>();
  for (const entry of fs.listDir(root)) {
    if (!entry.startsWith('openai.chatgpt-')) continue;
    for (const sub of CURSOR_SUBPATHS) {
      const candidate = join(root, entry, sub);
      if (!found.has(candidate) && fs.isExecutableFile(candidate)) found.set(candidate, fs.mtimeMs(candidate) ?? 0);
    }
  }
  return [...found.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([path]) => path);
}

/** Expands a leading `~` or `~/` with `home`. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home || path;
  if (path.startsWith('~/') && home) return join(home, path.slice(2));
  return path;
}
