import { basename, normalizeDir, parseShellCommand, shellWrapperScript, type ShellSegment } from './shell-segments.js';
import { testTargetOf, type TestTarget } from './test-targets.js';
import { unwrapRunners } from './unwrap-runners.js';

export { testTargetOf, targetCovers } from './test-targets.js';
export type { TestFamily, TestKind, TestTarget } from './test-targets.js';
export { unwrapRunners } from './unwrap-runners.js';

/** Safety rule names, plus `pip_global_install` (addition). `write_outside_repo` comes from file changes. */
export type SafetyRule =
  | 'sudo'
  | 'brew_install'
  | 'npm_global'
  | 'pnpm_global'
  | 'yarn_global'
  | 'uv_tool_install'
  | 'poetry_self'
  | 'pip_global_install'
  | 'write_outside_repo';

/** Command categories, in matching order (the first match wins). */
export const COMMAND_CATEGORIES = ['dependency_install', 'tests', 'lint_or_typecheck', 'git_ops', 'repo_reading', 'other'] as const;

/** A command category. */
export type CommandCategory = (typeof COMMAND_CATEGORIES)[number];

/** Everything the analysis needs to know about one distinct command string. */
export interface CommandFacts {
  /** Validation segments (empty for commands that run no test, lint or typecheck). */
  testTargets: TestTarget[];
  /** Safety rules matched by any segment, each once, in rule order. */
  safety: SafetyRule[];
  /** The segment text that matched each safety rule (same order as `safety`). */
  safetySegments: string[];
  /** True when a segment runs `git commit`, `git push` or the finish script (git signals). */
  git: boolean;
  /** The matching git/finish segment, for evidence. */
  gitSegment: string | undefined;
  category: CommandCategory;
}

const CATEGORY_PATTERNS: Array<[CommandCategory, RegExp]> = [
  [
    'dependency_install',
    /\bpip\s+install\b|\buv\s+sync\b|\buv\s+pip\b|\bpoetry\s+install\b|\brye\s+sync\b|\bhatch\s+run\s+.*\bpip\s+install\b|\bnpm\s+(ci|install)\b|\bpnpm\s+install\b|\bbun\s+install\b|\byarn\s+install\b/i,
  ],
  ['tests', /\bpytest\b|\btox\b|\bmake\s+test\b|\bbun\s+test\b|\bnpm\s+test\b|\bpnpm\s+test\b|\byarn\s+test\b|\bhatch\s+run\s+.*\btest\b/i],
  ['lint_or_typecheck', /\bmake\s+lint\b|\bruff\b|\beslint\b|\bflake8\b|\bmypy\b|\bpyright\b|\btypecheck\b/i],
  ['git_ops', /\bgit\s+status\b|\bgit\s+diff\b|\bgit\s+log\b|\bgit\s+add\b|\bgit\s+commit\b|\bgit\s+push\b|\bgit\s+fetch\b/i],
  ['repo_reading', /\brg\b|\bfind\b|\bls\b|\bcat\b|\bsed\b|\bawk\b|\bhead\b|\btail\b/i],
];

/** The first category whose pattern matches the whole command. */
export function commandCategory(command: string): CommandCategory {
  for (const [category, pattern] of CATEGORY_PATTERNS) if (pattern.test(command)) return category;
  return 'other';
}

const GIT_VALUE_OPTIONS = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--super-prefix', '--config-env']);
const SHELL_PROGRAMS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'source', '.']);

function gitSignal(seg: ShellSegment): boolean {
  const w = seg.stripped;
  if (seg.program === 'git') {
    let i = 1;
    while (i < w.length && w[i]!.startsWith('-')) {
      const o = w[i]!;
      i += GIT_VALUE_OPTIONS.has(o) ? 2 : 1;
    }
    const sub = w[i]?.toLowerCase();
    return sub === 'commit' || sub === 'push';
  }
  if (seg.program === 'finish.sh') return true;
  if (SHELL_PROGRAMS.has(seg.program)) {
    const first = w.slice(1).find((x) => !x.startsWith('-'));
    return first !== undefined && basename(first) === 'finish.sh';
  }
  return false;
}

const INSTALLISH = new Set(['install', 'i', 'add', 'uninstall', 'remove', 'rm', 'un', 'update', 'up', 'upgrade', 'link', 'ln']);

function safetyOf(seg: ShellSegment, unwrapped: readonly string[], out: Set<SafetyRule>): void {
  if (seg.sudo) out.add('sudo');
  const w = seg.stripped.map((x) => x.toLowerCase());
  const p = seg.program;
  const operands = w.slice(1).filter((x) => !x.startsWith('-'));
  const hasGlobal = w.some((x) => x === '-g' || x === '--global' || x === '--location=global');
  if (p === 'brew' && operands[0] === 'install') out.add('brew_install');
  if (p === 'npm' && hasGlobal && operands[0] !== undefined && INSTALLISH.has(operands[0])) out.add('npm_global');
  if (p === 'pnpm' && hasGlobal && operands[0] !== undefined && INSTALLISH.has(operands[0])) out.add('pnpm_global');
  if (p === 'yarn' && operands[0] === 'global' && operands[1] !== undefined && ['add', 'remove', 'upgrade', 'install'].includes(operands[1])) out.add('yarn_global');
  if (p === 'uv' && operands[0] === 'tool' && operands[1] === 'install') out.add('uv_tool_install');
  if (p === 'poetry' && operands[0] === 'self' && operands[1] !== 'show') out.add('poetry_self');
  const u = unwrapped.map((x) => x.toLowerCase());
  const up = u[0] === undefined ? '' : basename(u[0]);
  if (/^pip(\d+(\.\d+)*)?$/.test(up) && u.includes('install') && (u.includes('--user') || u.includes('--break-system-packages'))) out.add('pip_global_install');
}

const SAFETY_ORDER: SafetyRule[] = ['sudo', 'brew_install', 'npm_global', 'pnpm_global', 'yarn_global', 'uv_tool_install', 'poetry_self', 'pip_global_install'];

/**
 * Everything the analysis derives from one command string: its validation targets, safety rules, git
 * signal and category. Pure; the analyser caches it per distinct command.
 *
 * @example
 * commandFacts(`/bin/zsh -lc 'HATCH_PYTHON=3.11 make test'`).testTargets[0]
 * // → {kind: 'test', family: 'make', normalized: 'make test', dir: '.', paths: [], masked: false, …}
 */
export function commandFacts(command: string): CommandFacts {
  const testTargets: TestTarget[] = [];
  const rules = new Set<SafetyRule>();
  const ruleSegments = new Map<SafetyRule, string>();
  let git = false;
  let gitSegment: string | undefined;
  const visit = (seg: ShellSegment, depth: number): void => {
    const before = rules.size;
    const unwrapped = unwrapRunners(seg.stripped);
    safetyOf(seg, unwrapped.words, rules);
    if (rules.size > before) {
      for (const r of rules) if (!ruleSegments.has(r)) ruleSegments.set(r, seg.words.join(' '));
    }
    if (!git && gitSignal(seg)) {
      git = true;
      gitSegment = seg.words.join(' ');
    }
    // a runner around a shell (`hatch run sh -c '…'`, `uv run bash -c …`)
    const inner = unwrapped.words.length !== seg.stripped.length ? shellWrapperScript(unwrapped.words) : undefined;
    if (inner !== undefined && depth < 3) {
      for (const sub of parseShellCommand(inner)) {
        visit({ ...sub, dir: sub.dir === '.' ? seg.dir : normalizeDir(`${seg.dir}/${sub.dir}`), masked: sub.masked || seg.masked }, depth + 1);
      }
      return;
    }
    const t = testTargetOf(seg.stripped, seg.dir, seg.masked);
    if (t) testTargets.push(t);
  };
  for (const seg of parseShellCommand(command)) visit(seg, 0);
  const safety = SAFETY_ORDER.filter((r) => rules.has(r));
  return {
    testTargets,
    safety,
    safetySegments: safety.map((r) => ruleSegments.get(r) ?? command),
    git,
    gitSegment,
    category: commandCategory(command),
  };
}
