import { flagLines, type FlagSpec } from './flag-spec.js';
import { GLOBAL_FLAGS } from './global-flags.js';

/** What a service binary's `--help` says. */
export interface ServiceHelp {
  /** The CLI command it is (`run-telegram-bot`): the first line names it. */
  command: string;
  summary: string;
  bin: string;
  flags: Record<string, FlagSpec>;
  /** What goes to stdout (`The stop summary goes to stdout.`). */
  stdout: string;
  /** A complete invocation of the binary. */
  example: string;
}

/**
 * The `--help` of a service binary: the command it is, its flags, the global flags, where logs and output go, and
 * an example. Its first line is the CLI command's, so `agentpr-bot --help` and `agentpr run-telegram-bot --help` open alike.
 */
export function serviceHelp(help: ServiceHelp): string {
  return [
    `agentpr ${help.command} — ${help.summary}`,
    '',
    `Usage: ${help.bin} [options]   (the same as: agentpr ${help.command} [options])`,
    '',
    'Options:',
    ...flagLines(help.flags),
    '',
    'Global options:',
    ...flagLines(GLOBAL_FLAGS),
    '',
    'Logs go to stderr through pino: JSON lines, or one readable line per event on a terminal (AGENTPR_LOG_FORMAT=json|pretty,',
    `AGENTPR_LOG_LEVEL=debug|info|warn|error). ${help.stdout} SIGTERM stops cleanly (exit 0); Ctrl-C exits 130.`,
    '',
    'Example:',
    `  ${help.example}`,
  ].join('\n');
}
