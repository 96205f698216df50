import { tokenize, type RawItem, type ShellRedirect } from './shell-tokenize.js';

export type { SegmentOperator, ShellRedirect } from './shell-tokenize.js';

/** One simple command of a shell script, as the shell would run it. */
export interface ShellSegment {
  /** The words after shell quoting, with redirections removed. */
  words: string[];
  /** Words after removing env assignments and prefix commands (`sudo`, `env`, `time`, …). */
  stripped: string[];
  /** Basename of the first stripped word, lower-cased; `""` when there is none. */
  program: string;
  /** True when a `sudo` prefix was removed (or the program is `sudo`). */
  sudo: boolean;
  /** Working directory relative to the command's start (`.`), from `cd` segments and `env -C`. */
  dir: string;
  /**
   * True when the command's overall exit status does not prove this segment succeeded: a following
   * `||`, `;`, `&` or newline (without `set -e`), or a pipe (without `pipefail`).
   */
  masked: boolean;
  /** How deeply this segment was nested in `sh -c` wrappers or command substitutions (0 = top level). */
  depth: number;
  /**
   * The file redirections of this segment, in order (`>`, `>>`, `2>`, `&>`, `>|`, `<`, `<>`); fd duplications
   * (`2>&1`, `>&-`), here-documents and here-strings are not listed.
   */
  redirects: ShellRedirect[];
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);
const MAX_DEPTH = 4;
const MAX_SEGMENTS = 400;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
const RESERVED_LEADING = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'fi', 'done', 'esac']);
const NOT_COMMANDS = new Set(['for', 'case', 'select', 'function', 'in']);

/** Basename of a path-like word, lower-cased. */
export function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return (slash >= 0 ? word.slice(slash + 1) : word).toLowerCase();
}

/** If `words` are `<shell> [-opts] -…c <script> …`, the script; otherwise undefined. */
export function shellWrapperScript(words: readonly string[]): string | undefined {
  if (words.length < 3 || !SHELLS.has(basename(words[0]!))) return undefined;
  for (let k = 1; k < words.length - 1; k++) {
    const w = words[k]!;
    if (w.startsWith('--')) continue;
    if (!w.startsWith('-')) return undefined;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(w)) return words[k + 1];
  }
  return undefined;
}

function joinDir(dir: string, target: string): string {
  if (!target || target === '-') return dir;
  // `cd ~`: kept as a `~`-rooted directory so later relative paths are known to be under the home
  if (target === '~' || target.startsWith('~/')) return normalizeDir(target);
  if (target.startsWith('/')) return normalizeDir(target);
  return normalizeDir(dir === '.' ? target : `${dir}/${target}`);
}

/** Normalises a relative or absolute directory: no `.` parts, `..` resolved, no trailing slash. */
export function normalizeDir(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

/** Options of prefix commands that take a value. */
const PREFIX_VALUE_OPTIONS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-h', '-p', '-D', '-r', '-t', '-U', '-T']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  time: new Set(['-f', '-o', '--format', '--output']),
  exec: new Set(['-a']),
  nice: new Set(['-n', '--adjustment']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e']),
  nohup: new Set(),
  command: new Set(),
};

/**
 * Removes leading env assignments, reserved words and prefix commands (`sudo`, `env`, `time`, `command`,
 * `exec`, `nohup`, plus `nice`, `timeout`, `stdbuf`). Returns the remaining words, whether `sudo` was seen
 * and a directory change made by `env -C`.
 */
function stripPrefixes(words: readonly string[]): { rest: string[]; sudo: boolean; chdir: string | undefined } {
  let i = 0;
  let sudo = false;
  let chdir: string | undefined;
  let guard = 0;
  while (i < words.length && guard++ < 64) {
    const w = words[i]!;
    if (ASSIGNMENT.test(w)) {
      i++;
      continue;
    }
    if (RESERVED_LEADING.has(w)) {
      i++;
      continue;
    }
    const name = w.toLowerCase();
    const values = PREFIX_VALUE_OPTIONS[name];
    if (!values) break;
    if (name === 'command' && (words[i + 1] === '-v' || words[i + 1] === '-V')) break; // a lookup, not a run
    if (name === 'sudo') sudo = true;
    i++;
    // options of the prefix command
    while (i < words.length) {
      const o = words[i]!;
      if (o === '--') {
        i++;
        break;
      }
      if (!o.startsWith('-') || o === '-') {
        if (name === 'env' && o === '-') {
          i++;
          continue;
        }
        break;
      }
      const eq = o.indexOf('=');
      const flag = eq > 0 ? o.slice(0, eq) : o;
      if ((name === 'env' && (flag === '-C' || flag === '--chdir')) || (name === 'sudo' && flag === '-D')) {
        chdir = eq > 0 ? o.slice(eq + 1) : words[i + 1];
      }
      i += values.has(flag) && eq < 0 ? 2 : 1;
    }
    if (name === 'timeout' && i < words.length && /^\d/.test(words[i]!)) i++; // the duration
  }
  return { rest: words.slice(i), sudo, chdir };
}

function maskingFlags(items: RawItem[]): { errexit: boolean; pipefail: boolean } {
  let errexit = false;
  let pipefail = false;
  for (const item of items) {
    const w = item.words;
    if (w[0] !== 'set') continue;
    for (let k = 1; k < w.length; k++) {
      const o = w[k]!;
      if (/^-[a-z]*e[a-z]*$/.test(o)) errexit = true;
      if (o === '-o' || o === '-euo' || /^-[a-z]*o$/.test(o)) {
        const v = w[k + 1];
        if (v === 'pipefail') pipefail = true;
        if (v === 'errexit') errexit = true;
      }
    }
  }
  return { errexit, pipefail };
}

function expand(script: string, depth: number, baseDir: string, parentMasked: boolean, out: ShellSegment[]): void {
  const { items } = tokenize(script);
  const { errexit, pipefail } = maskingFlags(items);
  // wordsAfter[m]: some item after m has words (so a `;` at m is followed by another command)
  const wordsAfter: boolean[] = new Array<boolean>(items.length).fill(false);
  for (let m = items.length - 2; m >= 0; m--) wordsAfter[m] = wordsAfter[m + 1]! || items[m + 1]!.words.length > 0;
  let dir = baseDir;
  for (let k = 0; k < items.length && out.length < MAX_SEGMENTS; k++) {
    const item = items[k]!;
    if (item.words.length === 0 && item.substitutions.length === 0 && item.redirects.length === 0) continue;
    // Masked when a later operator lets the command succeed although this segment failed.
    let masked = parentMasked;
    if (!masked) {
      let adjacent = true;
      for (let m = k; m < items.length; m++) {
        const op = items[m]!.op;
        if (op === '(' || op === ')') continue;
        if (op === '|' && adjacent && !pipefail) masked = true;
        if (op === '||' || op === '&') masked = true;
        if ((op === ';' || op === '\n') && !errexit && wordsAfter[m]) masked = true;
        if (masked) break;
        if (items[m + 1] && items[m + 1]!.words.length > 0) adjacent = false;
      }
    }
    for (const sub of item.substitutions) {
      if (depth < MAX_DEPTH) expand(sub, depth + 1, dir, true, out);
    }
    if (item.words.length === 0) {
      // `> file` alone still creates the file
      if (item.redirects.length > 0) out.push({ words: [], stripped: [], program: '', sudo: false, dir, masked, depth, redirects: item.redirects });
      continue;
    }
    const { rest, sudo, chdir } = stripPrefixes(item.words);
    if (chdir) dir = joinDir(dir, chdir);
    const first = rest[0];
    if (first === undefined && !sudo) {
      // `HOME=/elsewhere` alone changes the environment of what follows (HOME is exported already)
      if (item.redirects.length > 0 || item.words.some((w) => ASSIGNMENT.test(w))) out.push({ words: item.words, stripped: [], program: '', sudo: false, dir, masked, depth, redirects: item.redirects });
      continue;
    }
    if (first !== undefined && NOT_COMMANDS.has(first)) continue;
    const program = first === undefined ? (sudo ? 'sudo' : '') : basename(first);
    const inner = shellWrapperScript(rest);
    if (inner !== undefined && depth < MAX_DEPTH) {
      if (sudo || item.redirects.length > 0) out.push({ words: item.words, stripped: rest, program, sudo, dir, masked, depth, redirects: item.redirects });
      expand(inner, depth + 1, dir, masked, out);
      continue;
    }
    out.push({ words: item.words, stripped: rest, program, sudo: sudo || program === 'sudo', dir, masked, depth, redirects: item.redirects });
    if ((program === 'cd' || program === 'pushd') && rest.length <= 2) dir = joinDir(dir, rest[1] ?? '');
  }
}

/**
 * Parses a command as codex reports it (`/bin/zsh -lc '…'`, `/bin/bash -c "…"`, or plain) into the simple
 * commands it runs. Shell wrappers and `$(…)` substitutions are expanded (up to 4 levels); each segment
 * carries its program, the words after prefix stripping, its directory and whether its exit status is
 * masked. Pure and bounded: scripts longer than 64 KiB are cut, at most 400 segments are returned.
 *
 * @example
 * parseShellCommand(`/bin/zsh -lc 'cd api && FOO=1 make test | tail'`)
 * // → [{program: 'cd', …}, {program: 'make', stripped: ['make','test'], dir: 'api', masked: true, …}, {program: 'tail', …}]
 */
export function parseShellCommand(command: string): ShellSegment[] {
  const out: ShellSegment[] = [];
  expand(command, 0, '.', false, out);
  return out;
}

/** Joins argv words into one shell command string, quoting where needed (used for legacy `exec_command_begin`). */
export function shellJoin(argv: readonly unknown[]): string {
  return argv
    .map((a) => {
      const w = String(a);
      if (w === '') return "''";
      if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
      return `'${w.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

/** The words of the first simple command of `command`, after shell quoting, without expanding wrappers. */
export function shellWords(command: string): string[] {
  for (const item of tokenize(command).items) if (item.words.length > 0) return item.words;
  return [];
}
