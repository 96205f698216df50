import { unwrapRunners } from './command-facts.js';
import { credentialLabel, isGitInternal, isProcRoot, resolvePathWord, writeEscape, type PathScope, type ResolvedPath } from './path-scope.js';
import { basename, normalizeDir, parseShellCommand, shellWrapperScript, type ShellSegment } from './shell-segments.js';

/**
 * What an agent command tried that a human must see: a write outside the allowed roots, an environment
 * override that moves a home or cache outside, a read of a credential store, or a change to git configuration
 * that runs code or leaves the repository.
 */
export type SafetyFindingKind = 'write_outside' | 'env_outside' | 'credential_access' | 'git_config';

/** One finding of one command, before it is placed in a stream. */
export interface CommandSafetyFinding {
  kind: SafetyFindingKind;
  /** The path the finding is about, as resolved (`~/…` when the home is unknown); absent for key-only git findings. */
  path?: string;
  /** The simple command that did it, words joined by spaces, with its redirections. */
  segment: string;
  /** What it did, in one clause (`writes /etc/x (redirection \`>\`)`). */
  note: string;
}

/** A finding placed in the stream: the command execution event it came from. */
export interface SafetyFinding {
  kind: SafetyFindingKind;
  path?: string;
  /** The full command as codex reported it. */
  command: string;
  /** 1-based line of the stream (0 for the text fallback). */
  line: number;
  item_id: string | null;
  /** `\`segment\` <what it did> → <kind>`. */
  note: string;
  /**
   * Set when the call never ran or the write never happened (Claude Code denied it, the file tool failed): how, e.g.
   * `denied by claude at line 3 ("Path is outside allowed working directories")`. The note says so too.
   */
  refused?: string;
}

interface Target {
  word: string;
  how: string;
}

const MAX_FINDINGS_PER_COMMAND = 16;

/** Skips options (and the values of `valueOptions`) and returns the operands; `--` ends the options. */
function operands(args: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (options && a === '--') {
      options = false;
      continue;
    }
    if (options && a.startsWith('-') && a !== '-') {
      if (valueOptions.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** The value of `-x VALUE`, `-xVALUE`, `--long VALUE` or `--long=VALUE` options, every occurrence. */
function optionValues(args: readonly string[], short: readonly string[], long: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    for (const s of short) {
      if (a === s && args[i + 1] !== undefined) out.push(args[i + 1]!);
      else if (a.startsWith(s) && a.length > s.length && !a.startsWith('--')) out.push(a.slice(s.length));
      // bundled flags ending in the option: `curl -sSLo FILE`, `cp -rt DIR`
      else if (/^-[A-Za-z]+$/.test(a) && a.endsWith(s.slice(1)) && args[i + 1] !== undefined) out.push(args[i + 1]!);
    }
    for (const l of long) {
      if (a === l && args[i + 1] !== undefined) out.push(args[i + 1]!);
      else if (a.startsWith(`${l}=`)) out.push(a.slice(l.length + 1));
    }
  }
  return out;
}

const set = (...xs: string[]): ReadonlySet<string> => new Set(xs);

/** Programs whose operands are all written (created, deleted, truncated, …), with their value options. */
const ALL_OPERANDS: Record<string, { how: string; values: ReadonlySet<string> }> = {
  tee: { how: 'writes', values: set() },
  touch: { how: 'creates or touches', values: set('-r', '-d', '-t', '--reference', '--date') },
  mkdir: { how: 'creates', values: set('-m', '--mode', '--context') },
  rm: { how: 'deletes', values: set() },
  rmdir: { how: 'deletes', values: set() },
  unlink: { how: 'deletes', values: set() },
  shred: { how: 'shreds', values: set('-n', '-s', '--iterations', '--size', '--random-source') },
  truncate: { how: 'truncates', values: set('-s', '-r', '--size', '--reference') },
  mv: { how: 'moves', values: set('-S', '--suffix', '-t', '--target-directory') },
};

/** Programs that write their destination (last operand or `-t DIR`). */
const DESTINATION: Record<string, { how: string; values: ReadonlySet<string> }> = {
  cp: { how: 'copies into', values: set('-S', '--suffix', '-t', '--target-directory') },
  install: { how: 'installs into', values: set('-m', '-o', '-g', '-S', '-t', '--mode', '--owner', '--group', '--suffix', '--target-directory') },
  ln: { how: 'links into', values: set('-S', '-t', '--suffix', '--target-directory') },
  rsync: { how: 'syncs into', values: set('-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--files-from', '--log-file', '--backup-dir', '-T', '--temp-dir', '--partial-dir', '--chmod', '--chown', '--exclude-from', '--include-from', '--compare-dest', '--link-dest', '--copy-dest') },
  scp: { how: 'copies into', values: set('-i', '-P', '-o', '-F', '-c', '-l', '-S', '-J') },
};

const SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'find', 'tar', 'zip', 'cp', 'rsync', 'du', 'ls']);

/** Write targets of one simple command: redirections and the operands its program writes. */
function writeTargets(seg: ShellSegment, words: readonly string[]): Target[] {
  const out: Target[] = [];
  for (const r of seg.redirects) if (r.write) out.push({ word: r.target, how: `writes (redirection \`${r.op}\`)` });
  const p = words[0] === undefined ? '' : seg.program;
  const args = words.slice(1);
  const all = ALL_OPERANDS[p];
  if (all) {
    for (const w of operands(args, all.values)) out.push({ word: w, how: all.how });
    for (const w of optionValues(args, ['-t'], ['--target-directory'])) if (p === 'mv') out.push({ word: w, how: 'moves into' });
    return out;
  }
  const dest = DESTINATION[p];
  if (dest) {
    const targetDirs = optionValues(args, ['-t'], ['--target-directory']);
    const ops = operands(args, dest.values);
    if (targetDirs.length > 0) for (const w of targetDirs) out.push({ word: w, how: dest.how });
    else if (p === 'install' && args.some((a) => a === '-d' || a === '--directory')) for (const w of ops) out.push({ word: w, how: 'creates' });
    else if (ops.length >= 2) out.push({ word: ops[ops.length - 1]!, how: dest.how });
    return out;
  }
  switch (p) {
    case 'chmod':
    case 'chown':
    case 'chgrp': {
      const ops = operands(args, set('--reference'));
      const modeAsOption = p === 'chmod' && args.some((a) => /^-[rwxXst]+$/.test(a));
      const reference = args.some((a) => a.startsWith('--reference'));
      for (const w of modeAsOption || reference ? ops : ops.slice(1)) out.push({ word: w, how: p === 'chmod' ? 'changes the mode of' : 'changes the owner of' });
      return out;
    }
    case 'dd':
      for (const a of args) if (a.startsWith('of=')) out.push({ word: a.slice(3), how: 'writes (`dd of=`)' });
      return out;
    case 'sed':
    case 'gsed': {
      const inPlace = args.some((a) => a === '--in-place' || a.startsWith('--in-place=') || /^-[a-zA-Z]*i/.test(a));
      if (!inPlace) return out;
      // `sed -i '' …` (BSD) takes the empty suffix as a word
      const cleaned = args.filter((a, i) => !(a === '' && args[i - 1] === '-i'));
      const hasScriptOption = cleaned.some((a) => a === '-e' || a === '-f' || a.startsWith('--expression') || a.startsWith('--file'));
      const ops = operands(cleaned, set('-e', '-f', '-l', '--expression', '--file', '--line-length'));
      for (const w of hasScriptOption ? ops : ops.slice(1)) out.push({ word: w, how: 'edits in place (`sed -i`)' });
      return out;
    }
    case 'curl':
      for (const w of optionValues(args, ['-o'], ['--output'])) out.push({ word: w, how: 'downloads to' });
      for (const w of optionValues(args, [], ['--output-dir'])) out.push({ word: w, how: 'downloads into' });
      return out;
    case 'wget':
      for (const w of optionValues(args, ['-O'], ['--output-document'])) out.push({ word: w, how: 'downloads to' });
      for (const w of optionValues(args, ['-P'], ['--directory-prefix'])) out.push({ word: w, how: 'downloads into' });
      return out;
    default:
      return out;
  }
}

/** Variables that move a home, cache, prefix or config location: pointing them outside writes outside. */
const ENV_DIR_VARS = /^(?:HOME|XDG_[A-Z]+_HOME|XDG_RUNTIME_DIR|TMPDIR|PIP_CACHE_DIR|PIP_TARGET|PIP_PREFIX|PYTHONUSERBASE|CARGO_HOME|RUSTUP_HOME|GOPATH|GOCACHE|GOMODCACHE|GOBIN|GEM_HOME|BUNDLE_PATH|UV_CACHE_DIR|UV_TOOL_DIR|POETRY_CACHE_DIR|POETRY_HOME|YARN_CACHE_FOLDER|PNPM_HOME|BUN_INSTALL|DENO_DIR|CODEX_HOME|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM)$|^npm_config_(?:cache|prefix|userconfig|globalconfig)$/i;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=(.*)$/s;
const EXPORTERS = new Set(['export', 'declare', 'typeset', 'readonly', 'local']);

/** `NAME=value` words that set the environment of this segment or of what follows. */
function assignments(seg: ShellSegment, words: readonly string[]): Array<{ name: string; value: string; word: string }> {
  const out: Array<{ name: string; value: string; word: string }> = [];
  const prefix = seg.words.slice(0, Math.max(seg.words.length - seg.stripped.length, 0));
  const candidates = EXPORTERS.has(seg.program) ? [...prefix, ...words.slice(1)] : seg.program === 'env' ? [...prefix, ...words.slice(1)] : prefix;
  for (const w of candidates) {
    const m = ASSIGNMENT.exec(w);
    if (m) out.push({ name: m[1]!, value: m[2]!, word: w });
  }
  return out;
}

/** Git config keys that make git run a program, fetch or push elsewhere, or read another config. */
const DANGEROUS_GIT_KEY = /^(?:core\.(?:hookspath|fsmonitor|sshcommand|askpass|pager|editor|gitproxy|worktree|attributesfile|excludesfile)|credential\..*|filter\..*|diff\..*\.(?:textconv|command)|diff\.external|merge\..*\.driver|include\.path|includeif\..*|url\..*|alias\..*|sequence\.editor|uploadpack\.packobjectshook|gpg\.program|gpg\..*\.program)$/i;
const GIT_GLOBAL_VALUES = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--super-prefix', '--config-env']);
const GIT_CONFIG_READS = new Set(['--get', '--get-all', '--get-regexp', '--get-urlmatch', '--get-color', '--get-colorbool', '--list', '-l', 'get', 'list']);
const GIT_CONFIG_VALUES = new Set(['-f', '--file', '--blob', '--type', '--default', '--comment', '--value']);

interface GitFinding {
  kind: SafetyFindingKind;
  path?: string;
  note: string;
}

function gitFindings(words: readonly string[], seg: ShellSegment, scope: PathScope): GitFinding[] {
  const out: GitFinding[] = [];
  let i = 1;
  while (i < words.length && words[i]!.startsWith('-')) {
    const o = words[i]!;
    if ((o === '-c' || o === '--config-env') && words[i + 1] !== undefined) {
      const key = words[i + 1]!.split('=')[0]!;
      if (DANGEROUS_GIT_KEY.test(key)) out.push({ kind: 'git_config', note: `runs git with \`-c ${key}\`, which can make git run a program or reach elsewhere` });
    }
    i += GIT_GLOBAL_VALUES.has(o) ? 2 : 1;
  }
  if (words[i] !== 'config') return out;
  const args = words.slice(i + 1);
  if (args.some((a) => GIT_CONFIG_READS.has(a))) return out;
  const scopeFlag = args.find((a) => a === '--global' || a === '--system');
  if (scopeFlag) {
    out.push({ kind: 'git_config', note: `changes the ${scopeFlag.slice(2)} git configuration (\`git config ${scopeFlag}\`), outside the workspace` });
    return out;
  }
  for (const file of optionValues(args, ['-f'], ['--file'])) {
    const resolved = resolvePathWord(file, seg.dir, scope);
    const escape = writeEscape(resolved, scope);
    if (escape !== null) out.push({ kind: 'git_config', path: escape, note: `writes git configuration to ${escape} (\`git config --file\`), outside the workspace` });
  }
  const ops = operands(args, GIT_CONFIG_VALUES);
  const key = ops[0] === 'set' || ops[0] === 'unset' ? ops[1] : ops[0];
  if (key !== undefined && DANGEROUS_GIT_KEY.test(key)) out.push({ kind: 'git_config', note: `sets \`${key}\` in the repository's git configuration, which can make git run a program or reach elsewhere` });
  return out;
}

function shown(resolved: ResolvedPath, word: string): string {
  return resolved.kind === 'unknown' ? word : resolved.path;
}

/** The segment as text for evidence: its words and its redirections. */
function segmentText(seg: ShellSegment): string {
  const parts = [...seg.words];
  for (const r of seg.redirects) parts.push(`${r.op} ${r.target}`);
  // one line: evidence notes are rendered as Markdown list items
  const text = parts.join(' ').replace(/\s*\n\s*/g, ' ⏎ ').replace(/[\u0000-\u001f\u007f]/g, '?');
  return text.length <= 300 ? text : `${text.slice(0, 299)}…`;
}

function visit(seg: ShellSegment, scope: PathScope, out: CommandSafetyFinding[], seen: Set<string>, depth: number): void {
  const add = (f: CommandSafetyFinding): void => {
    const key = `${f.kind}\u0000${f.path ?? f.note}`;
    if (seen.has(key) || out.length >= MAX_FINDINGS_PER_COMMAND) return;
    seen.add(key);
    out.push(f);
  };
  const text = segmentText(seg);
  const unwrapped = unwrapRunners(seg.stripped).words;
  // a runner around a shell (`uv run bash -c '…'`)
  const inner = unwrapped.length !== seg.stripped.length ? shellWrapperScript(unwrapped) : undefined;
  if (inner !== undefined && depth < 3) {
    for (const sub of parseShellCommand(inner)) visit({ ...sub, dir: sub.dir.startsWith('/') || sub.dir.startsWith('~') ? sub.dir : sub.dir === '.' ? seg.dir : normalizeDir(`${seg.dir}/${sub.dir}`) }, scope, out, seen, depth + 1);
  }
  const words = unwrapped.length > 0 ? unwrapped : seg.stripped;
  const program = words[0] === undefined ? seg.program : basename(words[0]);
  const s: ShellSegment = program === seg.program ? seg : { ...seg, program };

  // credential stores named anywhere in the command (arguments, assignments, `--opt=value`, redirections)
  const programIndex = seg.stripped.length > 0 ? seg.words.length - seg.stripped.length : -1;
  const pathWords = [...seg.words.filter((_, k) => k !== programIndex), ...seg.redirects.map((r) => r.target)];
  for (const w of pathWords) {
    const eq = w.indexOf('=');
    for (const candidate of eq > 0 && !w.startsWith('/') ? [w, w.slice(eq + 1)] : [w]) {
      const resolved = resolvePathWord(candidate, seg.dir, scope);
      const label = credentialLabel(resolved, scope);
      if (label) add({ kind: 'credential_access', path: shown(resolved, candidate), segment: text, note: `touches ${shown(resolved, candidate)} (${label})` });
    }
  }
  if (SEARCHERS.has(s.program)) {
    for (const w of words.slice(1)) {
      const resolved = resolvePathWord(w, seg.dir, scope);
      if (isProcRoot(resolved)) add({ kind: 'credential_access', path: shown(resolved, w), segment: text, note: `searches ${shown(resolved, w)}, where every process's environment can be read` });
    }
  }

  for (const t of writeTargets(s, words)) {
    const resolved = resolvePathWord(t.word, seg.dir, scope);
    const escape = writeEscape(resolved, scope);
    if (escape !== null) {
      add({ kind: 'write_outside', path: escape, segment: text, note: `${t.how} ${escape}, outside the workspace and the allowed roots` });
    } else if (resolved.kind !== 'unknown' && isGitInternal(resolved.path)) {
      add({ kind: 'git_config', path: resolved.path, segment: text, note: `${t.how} ${resolved.path}, inside the repository's git internals (hooks, info, config)` });
    }
  }

  for (const a of assignments(s, words)) {
    if (!ENV_DIR_VARS.test(a.name) || a.value === '') continue;
    for (const part of /^GOPATH$/i.test(a.name) ? a.value.split(':') : [a.value]) {
      const resolved = resolvePathWord(part, seg.dir, scope);
      const escape = writeEscape(resolved, scope);
      if (escape !== null) add({ kind: 'env_outside', path: escape, segment: text, note: `sets ${a.name}=${escape}, moving a home or cache outside the workspace` });
    }
  }

  if (s.program === 'git') for (const g of gitFindings(words, seg, scope)) add({ ...g, segment: text });
}

/**
 * The safety findings of one command as codex reports it (`/bin/bash -lc '…'`): writes outside the allowed
 * roots (redirections, `tee`, `touch`, `mkdir`, `cp`/`mv`/`install`/`ln`/`rsync` destinations, `rm`, `dd of=`,
 * `sed -i`, `chmod`/`chown`, `curl -o`, after `cd` and `~`/`$HOME`/`..` resolution), environment overrides
 * that move a home or cache outside, credential stores named anywhere in it, recursive searches of `/proc`,
 * and git configuration changes (`--global`, hook paths, writes into `.git/hooks`). Pure and bounded (at most
 * 16 findings); paths behind unknown variables are not judged.
 *
 * @example
 * commandSafetyFindings(`/bin/bash -lc 'echo x > /etc/agentpr/x'`, buildPathScope({ workspaceDir: '/w' }))
 * // → [{kind: 'write_outside', path: '/etc/agentpr/x', segment: 'echo x > /etc/agentpr/x', note: 'writes (redirection `>`) /etc/agentpr/x, …'}]
 */
export function commandSafetyFindings(command: string, scope: PathScope): CommandSafetyFinding[] {
  const out: CommandSafetyFinding[] = [];
  const seen = new Set<string>();
  for (const seg of parseShellCommand(command)) {
    if (out.length >= MAX_FINDINGS_PER_COMMAND) break;
    visit(seg, scope, out, seen, 0);
  }
  return out;
}
