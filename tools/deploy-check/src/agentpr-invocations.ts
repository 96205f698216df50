import { basename } from 'node:path';
import type { UnitFile } from './parse-unit-file.js';
import { splitCommandLine } from './split-command-line.js';

/**
 * The service binaries and the `agentpr` command each one stands for: `agentpr-webhook [flags]` is
 * `agentpr run-github-webhook [flags]`, and so on.
 */
export const SERVICE_BINARIES: Readonly<Record<string, string>> = Object.freeze({
  'agentpr-webhook': 'run-github-webhook',
  'agentpr-bot': 'run-telegram-bot',
  'agentpr-manager': 'run-manager-loop',
  'agentpr-dashboard': 'dashboard',
});

/** One agentpr program a template starts: where it is written and its argv (argv[0] as written). */
export interface Invocation {
  /** e.g. `agentpr-github-webhook.service ExecStartPre (line 21)`. */
  where: string;
  argv: string[];
}

const EXEC_KEYS = ['ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost', 'ExecCondition'];
const SHELLS = new Set(['sh', 'bash', 'dash']);
const OPERATORS = new Set(['&&', '||', ';']);

/** True for `agentpr` and the service binaries, by file name. */
export function isAgentprProgram(program: string): boolean {
  const name = basename(program);
  return name === 'agentpr' || name in SERVICE_BINARIES;
}

/**
 * The `agentpr` CLI arguments an invocation amounts to: `agentpr X …` → `[X, …]`, `agentpr-webhook …` →
 * `['run-github-webhook', …]`.
 */
export function cliArguments(argv: readonly string[]): string[] {
  const name = basename(argv[0] ?? '');
  const command = SERVICE_BINARIES[name];
  return command ? [command, ...argv.slice(1)] : argv.slice(1);
}

/**
 * The agentpr programs one command line starts. A `sh -c SCRIPT` line is looked into: SCRIPT is split on
 * `&&`, `||` and `;` (written as separate words, or `;` ending a word), and a leading `exec` is dropped. Other programs are skipped.
 */
export function commandInvocations(commandLine: string, where: string): Invocation[] {
  const argv = splitCommandLine(commandLine);
  if (SHELLS.has(basename(argv[0] ?? '')) && argv[1] === '-c' && argv[2] !== undefined) {
    const words = splitCommandLine(argv[2]);
    const parts: string[][] = [[]];
    for (const w of words) {
      if (OPERATORS.has(w)) parts.push([]);
      else if (w.length > 1 && w.endsWith(';')) {
        parts.at(-1)!.push(w.slice(0, -1));
        parts.push([]);
      } else parts.at(-1)!.push(w);
    }
    return parts
      .map((p) => (p[0] === 'exec' ? p.slice(1) : p))
      .filter((p) => p.length > 0 && isAgentprProgram(p[0]!))
      .map((p) => ({ where, argv: p }));
  }
  return argv.length > 0 && isAgentprProgram(argv[0]!) ? [{ where, argv }] : [];
}

/** The agentpr programs a systemd unit runs, from its `Exec*=` lines (the `-@:+!` prefixes are dropped). */
export function unitInvocations(unit: UnitFile, file: string): Invocation[] {
  const out: Invocation[] = [];
  for (const entry of unit.sections.Service ?? []) {
    if (!EXEC_KEYS.includes(entry.key)) continue;
    const line = entry.value.replace(/^[-@:+!]+/, '');
    out.push(...commandInvocations(line, `${file} ${entry.key} (line ${entry.line})`));
  }
  return out;
}
