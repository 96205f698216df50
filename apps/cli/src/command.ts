import type { AppContext, AppPorts } from '@agentpr/orchestrator';
import type { CommandStatus } from './errors.js';

/** One command-line option. Names are the long flag without dashes. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable flag; the value becomes an array. */
  multiple?: boolean;
  /** Placeholder for help, e.g. `ID`, `N`, `PATH`. */
  value?: string;
  description: string;
  required?: boolean;
  /** The only values allowed (case-insensitive); any other is a usage error before anything runs, the doctor gate included. */
  choices?: readonly string[];
}

/** Startup doctor gate profiles (SPEC §3.3). */
export type GateProfile = 'basic' | 'github' | 'agent' | 'manager' | 'telegram' | 'webhook';

/** Parsed option values: strings, booleans and string arrays, keyed by flag name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

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

/** The environment a command runs in. `app()` opens the store on first use. */
export interface CommandContext {
  app(): Promise<AppContext>;
  /** The paths and env without opening the store (for commands that do not need it). */
  base: Omit<AppContext, 'db' | 'dialect' | keyof AppPorts>;
  globals: GlobalOptions;
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Aborted on SIGINT/SIGTERM, for long-running commands. */
  signal: AbortSignal;
}

/** Global flags, accepted before or after the command name. */
export interface GlobalOptions {
  dataDir: string;
  db: string;
  databaseUrl: string | undefined;
  workspaceRoot: string;
  campaignDir: string;
  policyFile: string;
  skipDoctor: boolean;
  json: boolean;
  debug: boolean;
}

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
