import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One place where a test reaches outside the repository. */
export interface NonHermeticPath {
  /** Repository-relative path of the test file. */
  file: string;
  /** 1-based line. */
  line: number;
  /** What it reaches for. */
  reason: string;
  /** The offending line, trimmed. */
  text: string;
}

/** Directories never scanned: dependencies, build output and caches. */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.nx', '.reports', 'coverage', 'tmp']);

/** Test code: `*.test.*` files and everything under `__tests__/` or `test/`. */
function isTestFile(relPath: string): boolean {
  if (!/\.(?:ts|mts|cts|js|mjs|cjs)$/.test(relPath) || relPath.endsWith('.d.ts')) return false;
  return /\.test\.[cm]?[jt]s$/.test(relPath) || relPath.split(sep).some((part) => part === '__tests__' || part === 'test');
}

/** Literal paths that are outside any checkout: the shared folder beside it, the machine's work tree, home dirs. */
const FORBIDDEN: ReadonlyArray<{ pattern: RegExp; reason: string }> = [
  { pattern: /\.\.\/shared\b/, reason: 'reads the shared folder beside the checkout (outside the repository; vendor the file into tools/fixtures)' },
  { pattern: /['"`]\/work\//, reason: 'absolute /work/ path (a machine path, not the repository)' },
  { pattern: /\bhomedir\(\)/, reason: 'reads the real home directory (os.homedir()); pass a temp dir as HOME' },
];

/** A home-directory path is test data (the safety analyzers classify them) unless the same line reads it. */
const HOME_PATH = /['"`](?:\/home\/[\w.-]+|\/Users\/[\w.-]+|\/root|~)(?:\/|['"`])/;
const READS = /\b(?:readFile|readFileSync|readdir|readdirSync|existsSync|stat|statSync|lstat|lstatSync|createReadStream|open|openSync|access|accessSync|copyFile|copyFileSync|cp|cpSync|realpath|realpathSync)\s*\(/;

/** A path expression based on the test file's own location. */
const SELF_BASE = /import\.meta\.(?:dirname|url|filename)|__dirname|__filename/;

/**
 * The most directories one path expression in `code` climbs: a `'../..'` chain, or `'..'` arguments in a row to
 * join/resolve (`join(import.meta.dirname, '..', '..', 'x')` climbs 2).
 */
function climbs(code: string): number {
  let most = 0;
  let run = 0;
  let end = -1;
  for (const literal of code.matchAll(/(['"`])([^'"`\n]*)\1/g)) {
    const chain = /^(?:\.\.(?:\/|$))+/.exec(literal[2]!)?.[0] ?? '';
    const up = chain.split('..').length - 1;
    const adjacent = end >= 0 && /^\s*,\s*$/.test(code.slice(end, literal.index));
    run = up === 0 ? 0 : (adjacent ? run : 0) + up;
    most = Math.max(most, run);
    end = chain === literal[2] ? literal.index + literal[0].length : -1;
  }
  return most;
}

/** The statement starting at `lines[index]`, up to where its parentheses balance (at most 6 lines). */
function statementAt(lines: readonly string[], index: number): string {
  let text = '';
  let depth = 0;
  for (let i = index; i < Math.min(lines.length, index + 6); i++) {
    text += `${lines[i]}\n`;
    for (const ch of lines[i]!) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth <= 0) break;
  }
  return text;
}

function isComment(line: string): boolean {
  const t = line.trim();
  return t.startsWith('//') || t.startsWith('*') || t.startsWith('/*');
}

/** Problems in one test file; `root` is the repository root, `file` an absolute path under it. */
export function scanTestFile(root: string, file: string, source: string = readFileSync(file, 'utf8')): NonHermeticPath[] {
  const found: NonHermeticPath[] = [];
  const rel = relative(root, file);
  const depth = relative(root, dirname(file)).split(sep).filter(Boolean).length;
  const lines = source.split('\n');
  lines.forEach((line, index) => {
    if (isComment(line)) return;
    const report = (reason: string) => found.push({ file: rel, line: index + 1, reason, text: line.trim() });
    for (const { pattern, reason } of FORBIDDEN) if (pattern.test(line)) report(reason);
    if (HOME_PATH.test(line) && READS.test(line)) report('reads a path in a home directory');
    const specifier = /(?:\bfrom\s+|\bimport\s*\(\s*|\bvi\.mock\(\s*|\brequire\(\s*)(['"])(\.\.?\/[^'"]*)\1/.exec(line);
    if (specifier && !inside(root, resolve(dirname(file), specifier[2]!))) report(`module path ${specifier[2]} escapes the repository`);
    else if (SELF_BASE.test(line) && climbs(statementAt(lines, index)) > depth) report('a path climbs out of the repository from the test file');
  });
  return found;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

/**
 * Every place a test file under `root` reaches outside the repository: the shared folder beside the checkout, `/work/`, home directories,
 * module specifiers or `import.meta.dirname`-based paths that climb above the root. Tests must read only what the
 * repository holds (fixtures are vendored into tools/fixtures).
 */
export function findNonHermeticPaths(root: string): NonHermeticPath[] {
  const found: NonHermeticPath[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.isFile() && isTestFile(relative(root, join(dir, entry.name)))) {
        found.push(...scanTestFile(root, join(dir, entry.name)));
      }
    }
  };
  walk(root);
  return found;
}
