import type { AppContext, GateProfileName, Logger as AppLogger } from '@agentpr/orchestrator';
import { createSecretRedactor, dataDirPaths, prepareDataDir, redactingStream } from '@agentpr/orchestrator/context';
import type { LogFormat, Logger, LogLevel } from '@agentpr/logging';
import { describeError, exitCodeFor } from './exit-codes.js';
import type { FlagSpec, FlagValues } from './flag-spec.js';
import { GLOBAL_FLAGS, resolveGlobals, type AppGlobals } from './global-flags.js';
import { readFlagValues } from './read-flag-values.js';
import { secretFlagValues } from './secret-flags.js';
import { runStartupGate } from './startup-gate.js';

/** Where a service binary writes and what it reads; tests pass their own. */
export interface ServiceIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted with reason `SIGTERM` (clean stop, exit 0) or `SIGINT` (exit 130). */
  signal: AbortSignal;
}

/** What a running service may print: its own documents on stdout, log lines, and one-line announcements. */
export interface ServiceRunIo {
  /** Redacted stdout, for documents the service prints while it runs (tick reports, the listening line). */
  stdout: NodeJS.WritableStream;
  /** Print JSON (stdout is not a terminal, or `--json`). */
  json: boolean;
  log: AppLogger;
  signal: AbortSignal;
  /** One line for the operator (started, stopping): a log line from a service binary, an `agentpr: …` line from the CLI. */
  announce(line: string): void;
}

/** How a service opens the store (see {@link ServiceSpec.store}). */
export type StoreAccess = 'read-write' | 'read-only';

/** How a service run ended; mapped to an exit code by `exitCodeFor` like every command status. */
export type ServiceStatus = 'ok' | 'failed' | 'interrupted';

/** What the service hands back: an optional result document (printed as JSON, or `text` on a terminal). */
export interface ServiceOutcome {
  status: ServiceStatus;
  output?: unknown;
  text?: string | undefined;
}

/**
 * A service (webhook, bot, manager loop): its flags, doctor gate and run function. The service binary runs it with
 * {@link runService}; the CLI command it also is (`agentpr run-telegram-bot`) runs the same `parse` and `run`.
 */
export interface ServiceSpec<A> {
  /** The binary (`agentpr-manager`): the logger's `bin` field and where usage errors point. */
  bin: string;
  /** The logger's `name` (`manager-loop`, `bot`, `webhook`). */
  name: string;
  /** The CLI command the binary is (`run-manager-loop`): usage errors start with it. */
  command: string;
  help: string;
  /** The service's own flags; the {@link GLOBAL_FLAGS} are added. */
  flags: Record<string, FlagSpec>;
  gate: GateProfileName;
  /**
   * How the service opens the store: `read-write` (default) migrates it first; `read-only` (the dashboard) opens a
   * connection that cannot write and refuses a schema with pending migrations instead of migrating it.
   */
  store?: StoreAccess;
  /** Reads the flag values into the service's arguments; a bad value throws `AgentprError('usage')`. */
  parse(values: FlagValues, globals: AppGlobals): A;
  run(app: AppContext, args: A, io: ServiceRunIo): Promise<ServiceOutcome>;
}

/**
 * The daemon's pino logger: level and format from `AGENTPR_LOG_LEVEL` / `AGENTPR_LOG_FORMAT` (default info, auto).
 * Loaded on first use, so an app that only imports the flag helpers (the CLI) does not load pino at start.
 */
export async function serviceLogger(name: string, io: ServiceIo, redact: (text: string) => string): Promise<Logger> {
  const { createLogger } = await import('@agentpr/logging');
  const level = (['debug', 'info', 'warn', 'error', 'silent'] as const).find((l) => l === io.env.AGENTPR_LOG_LEVEL?.trim().toLowerCase()) ?? 'info';
  const format = (['json', 'pretty', 'auto'] as const).find((f) => f === io.env.AGENTPR_LOG_FORMAT?.trim().toLowerCase()) ?? 'auto';
  return createLogger({ name, level: level as LogLevel, format: format as LogFormat, destination: io.stderr, redact });
}

/** Opens the store and builds the service's app context (actor `operator`; services switch it themselves). */
async function openApp(globals: AppGlobals, io: ServiceIo, redactor: AppContext['redactor'], log: AppLogger, paths: AppContext['paths'], access: StoreAccess) {
  const [{ createAppPorts }, { openAppStore, openReadOnlyAppStore }, { makeDirectory }] = await Promise.all([
    import('@agentpr/orchestrator'),
    import('@agentpr/orchestrator/open-app-store'),
    import('@agentpr/workspace/directories'),
  ]);
  const location = { databaseUrl: globals.databaseUrl, sqlitePath: globals.db };
  const store = access === 'read-only' ? await openReadOnlyAppStore(location) : await openAppStore(location);
  try {
    makeDirectory(globals.workspaceRoot, { mode: 0o700 });
  } catch {
    // the doctor reports an unwritable root; actions that need it fail with their own message
  }
  const clock = () => new Date();
  const app: AppContext = {
    ...createAppPorts(io.env, { clock, redactor, log }),
    db: store.db,
    dialect: store.dialect,
    clock,
    env: io.env,
    redactor,
    actor: 'operator',
    log,
    paths,
  };
  return { app, store };
}

/**
 * Runs a service binary the way `agentpr <command>` runs it: secrets redacted from everything printed, the global and
 * the service's flags parsed (exit 2 on a bad one), `--help`, the data dir made private, the startup doctor gate
 * (unless `--skip-doctor`), the store opened, then the service until it ends. Errors are one `agentpr: …` line on
 * stderr and `{ok:false,error,code}` on stdout when stdout is not a terminal (or `--json`). Logs are pino lines on stderr.
 *
 * @example
 * export const main = (argv: string[], io: ServiceIo) => runService(MANAGER_LOOP_SERVICE, argv, io);
 */
export async function runService<A>(spec: ServiceSpec<A>, argv: string[], rawIo: ServiceIo): Promise<number> {
  const redactor = createSecretRedactor(rawIo.env, secretFlagValues(argv));
  const stdout = redactingStream(rawIo.stdout, redactor.redact);
  const stderr = redactingStream(rawIo.stderr, redactor.redact);
  const json = argv.includes('--json') || !rawIo.stdout.isTTY;
  let store: { close(): Promise<void> } | undefined;
  let debug = false;
  try {
    const values = readFlagValues(argv, { ...GLOBAL_FLAGS, ...spec.flags }, { command: spec.command, program: spec.bin });
    const globals = resolveGlobals(values, rawIo.env);
    debug = globals.debug;
    if (values.help === true) {
      stdout.write(`${spec.help}\n`);
      return 0;
    }
    const args = spec.parse(values, globals);
    const log = (await serviceLogger(spec.name, rawIo, redactor.redact)).child({ bin: spec.bin });
    const g = globals;
    const paths = dataDirPaths(g.dataDir, { workspaceRoot: g.workspaceRoot, campaignDir: g.campaignDir, skillsDir: g.skillsDir, policyFile: g.policyFile });
    try {
      prepareDataDir(paths);
    } catch {
      // A data dir that cannot be made is left to the store, which fails with its own message.
    }
    if (!g.skipDoctor) await runStartupGate({ paths, env: rawIo.env }, spec.gate, values);
    const opened = await openApp(g, rawIo, redactor, log, paths, spec.store ?? 'read-write');
    store = opened.store;
    const outcome = await spec.run(opened.app, args, { stdout, json, log, signal: rawIo.signal, announce: (line) => log.info(line) });
    if (outcome.output !== undefined) stdout.write(json || outcome.text === undefined ? `${JSON.stringify(outcome.output, null, 2)}\n` : `${outcome.text}\n`);
    return exitCodeFor(outcome.status);
  } catch (error) {
    const d = describeError(error);
    if (debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    stderr.write(`agentpr: ${d.message}\n`);
    if (json) stdout.write(`${JSON.stringify({ ok: false, error: d.message, code: d.code, ...d.details })}\n`);
    return d.exitCode;
  } finally {
    await store?.close().catch(() => {});
  }
}
