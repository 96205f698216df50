import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Citations a reader of this repository cannot follow: a spec's sections, work items numbered with a W, the codex
 * notes file and a reference codebase the reader lacks. A comment states the rule itself instead. A section of an
 * RFC is public and stays; identifiers such as `SPECS` or `MAX_PATHSPEC_BYTES` are not citations. The sources below
 * are spelled so that this file does not match itself.
 */
export const UNFOLLOWABLE_REFERENCE_PATTERNS: readonly RegExp[] = [
  /\bSPEC\b/,
  /(?<!RFC \d{1,5} )\u00a7/,
  /\bW\d{1,3}\b/,
  /\bCODEX\.md\b/,
  /\bPython\s+reference\b/i,
  /\breference\s+implementation\b/i,
];

/** Tracked files whose text is checked: code, scripts, configuration and docs. */
export const CHECKED_EXTENSIONS: readonly string[] = ['.ts', '.mjs', '.js', '.sh', '.lua', '.json', '.md', '.yml', '.yaml', '.conf', '.service', '.timer'];

/** Path prefixes not checked (none today: every tracked file states its rules instead of citing them). */
export const NOT_YET_CLEANED: readonly string[] = [];

/** One citation found: where, and the line it is on. */
export interface UnfollowableReference {
  file: string;
  line: number;
  text: string;
}

/** Files larger than this are data, not prose, and are skipped. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The 1-based numbers and texts of the lines of `text` that cite something the reader cannot follow. */
export function findUnfollowableReferences(text: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (UNFOLLOWABLE_REFERENCE_PATTERNS.some((p) => p.test(line))) found.push({ line: i + 1, text: line.trim() });
  });
  return found;
}

/** Whether `path` (relative to the repository root) is checked: a checked extension and not on {@link NOT_YET_CLEANED}. */
export function isChecked(path: string, skip: readonly string[] = NOT_YET_CLEANED): boolean {
  return CHECKED_EXTENSIONS.some((ext) => path.endsWith(ext)) && !skip.some((prefix) => path.startsWith(prefix));
}

/**
 * Scans the files git tracks under `root` and returns every citation a reader cannot follow, in path order.
 *
 * @example
 * const found = await scanTrackedFiles('/work/main');
 * for (const f of found) console.log(`${f.file}:${f.line}: ${f.text}`);
 */
export async function scanTrackedFiles(root: string, skip: readonly string[] = NOT_YET_CLEANED): Promise<UnfollowableReference[]> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const files = stdout.split('\0').filter((f) => f !== '' && isChecked(f, skip)).sort();
  const found: UnfollowableReference[] = [];
  for (const file of files) {
    const buf = await readFile(join(root, file)).catch(() => null);
    if (!buf || buf.length > MAX_FILE_BYTES) continue;
    for (const hit of findUnfollowableReferences(buf.toString('utf8'))) found.push({ file, ...hit });
  }
  return found;
}
