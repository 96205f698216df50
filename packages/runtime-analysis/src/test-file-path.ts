import { posix } from 'node:path';

/** A path a test runner printed, as agentpr compares it: `file://` and `:line:col` removed, quotes trimmed. */
export function testFilePath(raw: string): string | null {
  let p = raw.trim().replace(/^['"]|['"]$/g, '');
  if (p.startsWith('file://')) p = p.slice('file://'.length);
  p = p.replace(/(?::\d+){1,2}$/, '');
  if (p === '' || p.length > 500 || /[\u0000-\u001f]/.test(p)) return null;
  return p;
}

/** A name that is itself a test file's path (node:test reports a whole file by its path): a path ending in a source extension, no spaces. */
export function looksLikeTestFile(name: string): boolean {
  return name.length <= 500 && /^(?:file:\/\/)?[\w./@+-]+\.(?:[cm]?[jt]sx?|py|rb)$/.test(name);
}

/**
 * A test file's path relative to the repository root, so that two runs in different directories (the baseline's
 * throwaway copy, the agent's workspace) compare: an absolute path under one of `roots` becomes relative to it; a
 * relative path is normalised (`./test/a.js` → `test/a.js`); anything else (absolute outside every root, or escaping
 * it) is returned as null, since it cannot be related to the repository. Pure (no file system access).
 *
 * @example repoRelativePath('/ws/alpha/test/a.test.js', ['/ws/alpha']) // → 'test/a.test.js'
 */
export function repoRelativePath(path: string, roots: readonly string[]): string | null {
  const p = posix.normalize(path);
  if (!posix.isAbsolute(p)) return p.startsWith('../') || p === '..' ? null : p;
  for (const root of roots) {
    if (!root) continue;
    const rel = posix.relative(posix.normalize(root), p);
    if (rel !== '' && !rel.startsWith('../') && rel !== '..' && !posix.isAbsolute(rel)) return rel;
  }
  return null;
}
