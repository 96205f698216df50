import type { AppGlobals, FlagSpec, FlagValues } from '@agentpr/app-kit';
import type { AppContext, AppPorts } from '@agentpr/orchestrator';
import type { CommandStatus } from './errors.js';

/** One command-line option (the shape every app shares, `@agentpr/app-kit`). Names are the long flag without dashes. */
export type OptionSpec = FlagSpec;

/** Startup doctor gate profiles. */
export type GateProfile = 'basic' | 'github' | 'agent' | 'manager' | 'telegram' | 'webhook' | 'read_only';

/** Parsed option values: strings, booleans and string arrays, keyed by flag name. */
export type OptionValues = FlagValues;

/**
 * What a command returns; the CLI prints `output` (JSON, or `text` on a TTY) and exits with
 * `exitCodeFor(status)` (`errors.ts`, the one place that decides exit codes).
 */
export interface CommandResult {
  output: unknown;
  /** Default `ok`. */
  status?: CommandStatus;
  /** Human rendering for a TTY; defaults to a generic rendering of `output`. */
  text?: string;
}

/**
 * The environment a command runs in. `app()` opens the store on first use (migrating it); `app({ readOnly: true })`
 * opens a connection that cannot write and never migrates (the dashboard).
 */
export interface CommandContext {
  app(options?: { readOnly?: boolean }): Promise<AppContext>;
  /** The paths and env without opening the store (for commands that do not need it). */
  base: Omit<AppContext, 'db' | 'dialect' | keyof AppPorts>;
  globals: GlobalOptions;
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Aborted on SIGINT/SIGTERM, for long-running commands. */
  signal: AbortSignal;
}

/** Global flags, accepted before or after the command name, resolved against the environment (`@agentpr/app-kit`). */
export type GlobalOptions = AppGlobals;

/** A CLI command: flags, help and the function that runs it (which calls one use case). */
export interface CommandSpec {
  name: string;
  summary: string;
  /** A complete example invocation shown in `--help`. */
  example: string;
  options: Record<string, OptionSpec>;
  /** A bare argument accepted as the value of this option (e.g. `agentpr analyze FILE` for `--file`). */
  positional?: string;
  /** The startup doctor gate profile, if the command is gated. */
  gate?: GateProfile | ((values: OptionValues) => GateProfile | undefined);
  run(ctx: CommandContext, values: OptionValues): Promise<CommandResult>;
}
