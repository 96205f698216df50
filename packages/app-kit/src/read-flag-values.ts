import { parseArgs } from 'node:util';
import { AgentprError } from '@agentpr/orchestrator/errors';
import type { FlagSpec, FlagValues } from './flag-spec.js';

/** Who is parsing, for the messages: `run-manager-loop: … Run \`agentpr-manager --help\` for usage.` */
export interface FlagUsage {
  /** The command name every parse error starts with (`run-manager-loop`). */
  command: string;
  /** The program whose `--help` the error points at (`agentpr-manager`, `agentpr run-manager-loop`). */
  program: string;
  /** A bare argument accepted as the value of this flag (`agentpr analyze FILE` for `--file`); else none is. */
  positional?: string | undefined;
}

/** One line of a `node:util` parseArgs error, in agentpr's words. */
function parseErrorText(raw: string): string {
  // A value that starts with '-' (a negative number, a group chat id) must be attached: `--allow-chat-id=-100123`.
  const dashed = /Option '(--[\w-]+)' argument is ambiguous/.exec(raw);
  if (dashed) return `${dashed[1]} needs a value; write a value that starts with "-" as ${dashed[1]}=-VALUE`;
  return raw.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
}

/**
 * Parses `argv` against `specs` (strict: an unknown flag, a missing value, a stray argument or a value outside a
 * flag's `choices` is an `AgentprError('usage')` naming it and pointing at `--help`). Values are not checked further:
 * the value parsers (`int`, `choice`, …) do that where they are read.
 *
 * @example
 * readFlagValues(['--limit', '5'], { limit: { type: 'string', description: 'runs per tick' } }, { command: 'manager-tick', program: 'agentpr manager-tick' })
 */
export function readFlagValues(argv: readonly string[], specs: Record<string, FlagSpec>, usage: FlagUsage): FlagValues {
  const hint = `Run \`${usage.program} --help\` for usage.`;
  const options = Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, { type: s.type, ...(s.multiple ? { multiple: true } : {}) }]));
  let values: FlagValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    values = parsed.values as FlagValues;
    positionals = parsed.positionals;
  } catch (error) {
    throw new AgentprError('usage', `${usage.command}: ${parseErrorText((error as Error).message)}. ${hint}`);
  }
  if (positionals.length > 0) {
    const { positional } = usage;
    if (!positional || positionals.length > 1 || values[positional] !== undefined) {
      throw new AgentprError('usage', `${usage.command}: unexpected argument ${JSON.stringify(positionals[positional ? 1 : 0] ?? positionals[0])}. ${hint}`);
    }
    values[positional] = positionals[0];
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value.trim().toLowerCase())) {
      throw new AgentprError('usage', `${usage.command}: --${name} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(value)}. ${hint}`);
    }
  }
  return values;
}
