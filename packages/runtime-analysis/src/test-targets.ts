import { basename, normalizeDir } from './shell-segments.js';
import { EMPTY, PYTHON, skipOptions, unwrapRunners } from './unwrap-runners.js';

/** What a validation command checks. */
export type TestKind = 'test' | 'lint' | 'typecheck';

/** The tool family of a validation command; a `make` target may stand for any family. */
export type TestFamily = 'python' | 'js' | 'make' | 'go' | 'rust';

/** One validation (test, lint or typecheck) segment of a command, and what it targets. */
export interface TestTarget {
  kind: TestKind;
  family: TestFamily;
  /** Directory the segment runs in, relative to the command's start. */
  dir: string;
  /** Paths the run is limited to (empty = the whole suite). */
  paths: string[];
  /** Selectors that limit the run other than by path (`-k expr`, `-e py311`, `--filter pkg`, …). */
  selectors: string[];
  /** The runner-unwrapped segment, words joined by single spaces. */
  normalized: string;
  /** True when the command's exit status does not prove this segment's (a pipe, `||`, `;` after it). */
  masked: boolean;
}

function scriptKind(name: string | undefined): TestKind | undefined {
  if (!name) return undefined;
  const n = name.toLowerCase();
  if (/^tests?([:_.-].*)?$/.test(n)) return 'test';
  if (/^lint([:_.-].*)?$/.test(n)) return 'lint';
  if (/^(typecheck|type-check|types|check-types|tsc)([:_.-].*)?$/.test(n)) return 'typecheck';
  return undefined;
}

function makeTargetKind(name: string): TestKind | undefined {
  const n = name.toLowerCase();
  if (/^(tests?|check)([:_.-].*)?$/.test(n)) return 'test';
  if (/^lint([:_.-].*)?$/.test(n)) return 'lint';
  if (/^(typecheck|type-check|types|mypy)([:_.-].*)?$/.test(n)) return 'typecheck';
  return undefined;
}

const PYTEST_VALUES = new Set(['-k', '-m', '-c', '-p', '-o', '-n', '-r', '-W', '--rootdir', '--maxfail', '--tb', '--junitxml', '--junit-xml', '--durations', '--log-level', '--ignore', '--ignore-glob', '--deselect', '--basetemp', '--confcutdir', '--import-mode', '--timeout', '--reruns', '--cov', '--cov-report', '--cov-config', '--override-ini', '--capture', '--dist', '--numprocesses']);
const PYTEST_SELECTORS = new Set(['-k', '-m', '--deselect', '--lf', '--last-failed', '--ff', '--failed-first', '--sw', '--stepwise', '--nf', '--new-first']);
const PYTEST_NOT_A_RUN = new Set(['-V', '-h', '--collect-only', '--co', '--fixtures', '--markers', '--fixtures-per-test']);

function cleanPath(p: string): string {
  const hash = p.indexOf('::');
  const path = hash >= 0 ? p.slice(0, hash) : p;
  const rest = hash >= 0 ? p.slice(hash) : '';
  return normalizeDir(path) + rest;
}

/** Paths and selectors of a pytest-like argument list. */
function pytestScope(args: readonly string[]): { paths: string[]; selectors: string[] } {
  const paths: string[] = [];
  const selectors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      const eq = a.indexOf('=');
      const flag = eq > 0 ? a.slice(0, eq) : a;
      const hasValue = PYTEST_VALUES.has(flag) && eq < 0;
      const value = eq > 0 ? a.slice(eq + 1) : hasValue ? args[i + 1] : undefined;
      if (PYTEST_SELECTORS.has(flag)) selectors.push(value === undefined ? flag : `${flag}=${value}`);
      else if (/^-k./.test(a) || /^-m./.test(a)) selectors.push(`${a.slice(0, 2)}=${a.slice(2)}`);
      if (hasValue) i++;
      continue;
    }
    if (a === '{args}') continue;
    paths.push(cleanPath(a));
  }
  return { paths, selectors };
}

function positionalScope(args: readonly string[], valueOptions: ReadonlySet<string> = EMPTY): { paths: string[]; selectors: string[] } {
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (valueOptions.has(a)) i++;
      continue;
    }
    paths.push(cleanPath(a));
  }
  return { paths, selectors: [] };
}

function target(
  kind: TestKind,
  family: TestFamily,
  scope: { paths: string[]; selectors: string[] },
  words: readonly string[],
  dir: string,
  masked: boolean,
): TestTarget {
  return { kind, family, dir, paths: scope.paths, selectors: scope.selectors, normalized: words.join(' '), masked };
}

const NONE = { paths: [] as string[], selectors: [] as string[] };
const NOT_A_RUN = new Set(['--version', '--help']);

/** Package-manager script runs (`npm test`, `pnpm run lint`, `yarn typecheck`, `bun run test:unit`). */
function packageScript(p: string, args: readonly string[], words: readonly string[], dir: string, masked: boolean): TestTarget | undefined {
  let i = 0;
  let d = dir;
  const selectors: string[] = [];
  // global options before the sub-command
  while (i < args.length && args[i]!.startsWith('-')) {
    const o = args[i]!;
    const eq = o.indexOf('=');
    const flag = eq > 0 ? o.slice(0, eq) : o;
    const value = eq > 0 ? o.slice(eq + 1) : args[i + 1];
    if (flag === '--prefix' || flag === '-C' || flag === '--dir' || flag === '--cwd') {
      if (value) d = normalizeDir(d === '.' ? value : `${d}/${value}`);
      i += eq > 0 ? 1 : 2;
      continue;
    }
    if (flag === '-w' || flag === '--workspace' || flag === '--filter' || flag === '-F') {
      if (value) selectors.push(`${flag}=${value}`);
      i += eq > 0 ? 1 : 2;
      continue;
    }
    i++;
  }
  let sub = args[i];
  if (p === 'yarn' && sub === 'workspace' && args[i + 1]) {
    selectors.push(`workspace=${args[i + 1]}`);
    i += 2;
    sub = args[i];
  }
  if (sub === undefined) return undefined;
  let kind: TestKind | undefined;
  let rest: readonly string[];
  if (sub === 'test' || sub === 't' || sub === 'tst') {
    if (p === 'bun') {
      const scope = positionalScope(args.slice(i + 1), new Set(['-t', '--test-name-pattern', '--timeout', '--preload']));
      return target('test', 'js', { paths: scope.paths, selectors }, words, d, masked);
    }
    kind = 'test';
    rest = args.slice(i + 1);
  } else if (sub === 'run' || sub === 'run-script') {
    const j = skipOptions(args, i + 1, EMPTY);
    kind = scriptKind(args[j]);
    rest = args.slice(j + 1);
  } else if (p !== 'npm' && p !== 'bun') {
    kind = scriptKind(sub);
    rest = args.slice(i + 1);
  } else return undefined;
  if (!kind) return undefined;
  const dash = rest.indexOf('--');
  const extra = dash >= 0 ? rest.slice(dash + 1) : p === 'npm' ? [] : rest;
  const scope = positionalScope(extra);
  return target(kind, 'js', { paths: scope.paths, selectors }, words, d, masked);
}

/**
 * The validation target of one simple command, or undefined when it runs no test, lint or typecheck.
 * Arguments `--version`/`--help` (and per-tool equivalents such as `pytest --collect-only`) mean it is no
 * run. The patterns below are the test runners agentpr knows (each has a test).
 */
export function testTargetOf(stripped: readonly string[], dir: string, masked: boolean): TestTarget | undefined {
  const unwrapped = unwrapRunners(stripped);
  const words = unwrapped.words;
  if (words.length === 0) return undefined;
  const d = unwrapped.chdir ? normalizeDir(dir === '.' ? unwrapped.chdir : `${dir}/${unwrapped.chdir}`) : dir;
  const args = words.slice(1);
  for (const a of args) if (NOT_A_RUN.has(a)) return undefined;
  if (unwrapped.hatchScript) return target(unwrapped.hatchScript.kind, 'python', pytestScope(unwrapped.hatchScript.args), words, d, masked);
  const p = basename(words[0]!);
  const sub = args[0];
  switch (p) {
    case 'pytest':
    case 'py.test':
      if (args.some((a) => PYTEST_NOT_A_RUN.has(a))) return undefined;
      return target('test', 'python', pytestScope(args), words, d, masked);
    case 'tox':
    case 'nox': {
      if (args.some((a) => a === '-l' || a === '--list' || a === '--listenvs' || a === '-a' || a === '--listenvs-all' || a === '--showconfig' || a === '--list-sessions')) return undefined;
      const selectors: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-e' || a === '-s' || a === '--sessions' || a === '--session' || a === '-f' || a === '--factor') selectors.push(`${a}=${args[++i] ?? ''}`);
        else if (a.startsWith('-e') && a.length > 2) selectors.push(`-e=${a.slice(2)}`);
      }
      return target('test', 'python', { paths: [], selectors }, words, d, masked);
    }
    case 'unittest':
      return target('test', 'python', positionalScope(args), words, d, masked);
    case 'hatch':
      if (sub === 'test') return target('test', 'python', pytestScope(args.slice(1)), words, d, masked);
      return undefined;
    case 'make':
    case 'gmake': {
      let md = d;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-n' || a === '--dry-run' || a === '--just-print' || a === '-q' || a === '--question' || a === '-p' || a === '--print-data-base') return undefined;
        if (a === '-C' || a === '--directory') {
          const v = args[++i];
          if (v) md = normalizeDir(md === '.' ? v : `${md}/${v}`);
          continue;
        }
        if (a.startsWith('-C') && a.length > 2) {
          md = normalizeDir(md === '.' ? a.slice(2) : `${md}/${a.slice(2)}`);
          continue;
        }
        if (a === '-f' || a === '--file' || a === '-o' || a === '-W' || a === '-I') {
          i++;
          continue;
        }
        if (a === '-j' || a === '-l') {
          if (/^\d+$/.test(args[i + 1] ?? '')) i++;
          continue;
        }
        if (a.startsWith('-') || a.includes('=')) continue;
        const kind = makeTargetKind(a);
        if (kind) return target(kind, 'make', NONE, words, md, masked);
      }
      return undefined;
    }
    case 'bun':
      if (sub === 'test' || sub === 'run') return packageScript(p, args, words, d, masked);
      return undefined;
    case 'npm':
    case 'pnpm':
    case 'yarn':
      return packageScript(p, args, words, d, masked);
    case 'vitest': {
      const rest = sub === 'run' || sub === 'related' ? args.slice(1) : args;
      if (sub === 'list' || sub === 'bench' || sub === 'init') return undefined;
      return target('test', 'js', positionalScope(rest, new Set(['-t', '--testNamePattern', '--project', '--config', '-c', '--reporter', '--root', '-r', '--dir'])), words, d, masked);
    }
    case 'jest':
    case 'mocha':
    case 'ava':
      if (args.includes('--listTests') || args.includes('--showConfig')) return undefined;
      return target('test', 'js', positionalScope(args, new Set(['-t', '--testNamePattern', '-c', '--config', '--reporter', '--timeout'])), words, d, masked);
    case 'playwright':
      if (sub === 'test') return target('test', 'js', positionalScope(args.slice(1)), words, d, masked);
      return undefined;
    case 'go':
      if (sub === 'test') return target('test', 'go', positionalScope(args.slice(1), new Set(['-run', '-count', '-timeout', '-tags', '-p', '-parallel', '-coverprofile'])), words, d, masked);
      if (sub === 'vet') return target('lint', 'go', positionalScope(args.slice(1)), words, d, masked);
      return undefined;
    case 'cargo':
      if (sub === 'test' || sub === 'nextest') return target('test', 'rust', NONE, words, d, masked);
      if (sub === 'clippy') return target('lint', 'rust', NONE, words, d, masked);
      return undefined;
    case 'ruff': {
      if (sub === 'check') return target('lint', 'python', positionalScope(args.slice(1)), words, d, masked);
      if (sub === 'format') return args.includes('--check') ? target('lint', 'python', positionalScope(args.slice(1)), words, d, masked) : undefined;
      if (sub === undefined || (!sub.startsWith('-') && ['rule', 'config', 'linter', 'version', 'server', 'clean', 'analyze'].includes(sub))) return undefined;
      return target('lint', 'python', positionalScope(args), words, d, masked);
    }
    case 'flake8':
    case 'pylint':
      return target('lint', 'python', positionalScope(args), words, d, masked);
    case 'eslint':
      return target('lint', 'js', positionalScope(args, new Set(['-c', '--config', '--ext', '-f', '--format', '--max-warnings'])), words, d, masked);
    case 'black':
    case 'isort':
      return args.includes('--check') || args.includes('--check-only') || args.includes('-c') ? target('lint', 'python', positionalScope(args), words, d, masked) : undefined;
    case 'prettier':
      return args.includes('--check') || args.includes('-c') ? target('lint', 'js', positionalScope(args), words, d, masked) : undefined;
    case 'biome':
      return sub === 'check' || sub === 'lint' || sub === 'ci' ? target('lint', 'js', positionalScope(args.slice(1)), words, d, masked) : undefined;
    case 'golangci-lint':
      return sub === 'run' ? target('lint', 'go', positionalScope(args.slice(1)), words, d, masked) : undefined;
    case 'pre-commit':
      return sub === 'run' ? target('lint', 'python', NONE, words, d, masked) : undefined;
    case 'mypy':
    case 'pyright':
    case 'basedpyright':
    case 'pytype':
      return target('typecheck', 'python', positionalScope(args, new Set(['--config-file', '-p', '--package', '-m', '--module', '--python-version'])), words, d, masked);
    case 'tsc':
    case 'vue-tsc':
      if (args.includes('--init') || args.includes('-v') || args.includes('--showConfig')) return undefined;
      return target('typecheck', 'js', NONE, words, d, masked);
    default:
      // `python manage.py test` (Django)
      if ((PYTHON.test(p) || p === 'py') && args[0] !== undefined && basename(args[0]) === 'manage.py' && args[1] === 'test') {
        return target('test', 'python', positionalScope(args.slice(2)), words, d, masked);
      }
      return undefined;
  }
}

/**
 * True when a later successful run of `success` shows that the failed validation `failed` is fixed: the same
 * normalised segment, or the same kind of check in the same directory and tool family (a
 * `make` target stands for any family) whose scope covers the failed one (a whole-suite run covers any
 * subset; a path covers the files and test ids below it).
 */
export function targetCovers(success: TestTarget, failed: TestTarget): boolean {
  if (success.normalized === failed.normalized && success.dir === failed.dir) return true;
  if (success.kind !== failed.kind || success.dir !== failed.dir) return false;
  if (success.family !== failed.family && success.family !== 'make' && failed.family !== 'make') return false;
  if (success.selectors.length > 0) return false;
  if (success.paths.length === 0) return true;
  if (failed.paths.length === 0) return false;
  return failed.paths.every((fp) => success.paths.some((sp) => sp === '.' || fp === sp || fp.startsWith(`${sp}/`) || fp.startsWith(`${sp}::`)));
}
