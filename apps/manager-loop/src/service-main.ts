import type { AppContext, DoctorGateOptions, GateProfileName } from '@agentpr/orchestrator';
import { createSecretRedactor, dataDirPaths, prepareDataDir, redactingStream } from '@agentpr/orchestrator/context';
import { createLogger, type LogFormat, type Logger, type LogLevel } from '@agentpr/logging';
import { describeError } from '@agentpr/app-kit';
import type { ServiceGlobals } from './service-options.js';

/** Where a service binary writes and what it reads; tests pass their own. */
export interface ServiceIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted with reason `SIGTERM` (clean stop, exit 0) or `SIGINT` (exit 130). */
  signal: AbortSignal;
}

/** How a service run ended; {@link runService} is the one place that turns it into an exit code. */
export type ServiceStatus = 'ok' | 'failed' | 'interrupted';

/** What the service hands back: an optional result document (printed as JSON, or `text` on a terminal). */
export interface ServiceOutcome {
  status: ServiceStatus;
  output?: unknown;
  text?: string | undefined;
}

/** What a service binary is: its flags, its doctor gate and the function that runs it. */
export interface ServiceSpec<A extends { help: boolean; globals: ServiceGlobals }> {
  /** `agentpr-manager`: the logger's `bin` field. */
  bin: string;
  /** The logger's `name` (`manager-loop`, `bot`). */
  name: string;
  help: string;
  gate: GateProfileName;
  /** Secret flag values in argv, known before parsing so not even a usage error can echo them. */
  secretFlags: readonly string[];
  parse(argv: string[], env: Readonly<Record<string, string | undefined>>): A;
  gateOptions(args: A): DoctorGateOptions;
  run(app: AppContext, args: A, io: { stdout: NodeJS.WritableStream; json: boolean; log: Logger; signal: AbortSignal }): Promise<ServiceOutcome>;
}

const EXIT: Record<ServiceStatus, number> = { ok: 0, failed: 1, interrupted: 130 };

/** `--name VALUE` / `--name=VALUE` values of `names` in argv. */
function secretValues(argv: readonly string[], names: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!names.includes(name)) continue;
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value !== undefined) found[`--${name}#${i}`] = value;
  }
  return found;
}

/** The daemon's pino logger: level and format from `AGENTPR_LOG_LEVEL` / `AGENTPR_LOG_FORMAT` (default info, auto). */
export function serviceLogger(name: string, io: ServiceIo, redact: (text: string) => string): Logger {
  const level = (['debug', 'info', 'warn', 'error', 'silent'] as const).find((l) => l === io.env.AGENTPR_LOG_LEVEL?.trim().toLowerCase()) ?? 'info';
  const format = (['json', 'pretty', 'auto'] as const).find((f) => f === io.env.AGENTPR_LOG_FORMAT?.trim().toLowerCase()) ?? 'auto';
  return createLogger({ name, level: level as LogLevel, format: format as LogFormat, destination: io.stderr, redact });
}

/** The exit code and one-line message of an error that ends a service (`@agentpr/app-kit`, as the CLI maps it). */
function describe(error: unknown): { code: string; message: string; exit: number } {
  const described = describeError(error);
  return { code: described.code, message: described.message, exit: described.exitCode };
}

/**
 * Runs a service binary the way `agentpr <command>` runs it: secrets redacted from everything printed, flags
 * parsed (exit 2 on a bad one), `--help`, the store opened, the data dir made private, the startup doctor gate
 * (unless `--skip-doctor`), then the service until it ends. Errors are one `agentpr: …` line on stderr and
 * `{ok:false,error,code}` on stdout when stdout is not a terminal (or `--json`). Logs are pino lines on stderr.
 */
export async function runService<A extends { help: boolean; globals: ServiceGlobals }>(
  spec: ServiceSpec<A>,
  argv: string[],
  rawIo: ServiceIo,
): Promise<number> {
  const redactor = createSecretRedactor(rawIo.env, secretValues(argv, spec.secretFlags));
  const stdout = redactingStream(rawIo.stdout, redactor.redact);
  const stderr = redactingStream(rawIo.stderr, redactor.redact);
  const json = argv.includes('--json') || !rawIo.stdout.isTTY;
  let store: { close(): Promise<void> } | undefined;
  let debug = false;
  try {
    const args = spec.parse(argv, rawIo.env);
    debug = args.globals.debug;
    if (args.help) {
      stdout.write(`${spec.help}\n`);
      return 0;
    }
    const log = serviceLogger(spec.name, rawIo, redactor.redact).child({ bin: spec.bin });
    const g = args.globals;
    const paths = dataDirPaths(g.dataDir, { workspaceRoot: g.workspaceRoot, campaignDir: g.campaignDir, skillsDir: g.skillsDir, policyFile: g.policyFile });
    try {
      prepareDataDir(paths);
    } catch {
      // A data dir that cannot be made is left to the store, which fails with its own message.
    }
    const { doctorGate, createAppPorts } = await import('@agentpr/orchestrator');
    if (!g.skipDoctor) await doctorGate({ paths, env: rawIo.env }, spec.gate, spec.gateOptions(args));
    const [{ openAppStore }, { makeDirectory }] = await Promise.all([import('@agentpr/orchestrator/open-app-store'), import('@agentpr/workspace/directories')]);
    const opened = await openAppStore({ databaseUrl: g.databaseUrl, sqlitePath: g.db });
    store = opened;
    try {
      makeDirectory(g.workspaceRoot, { mode: 0o700 });
    } catch {
      // the doctor reports an unwritable root; actions that need it fail with their own message
    }
    const clock = () => new Date();
    const app: AppContext = {
      ...createAppPorts(rawIo.env, { clock, redactor, log }),
      db: opened.db,
      dialect: opened.dialect,
      clock,
      env: rawIo.env,
      redactor,
      actor: 'operator',
      log,
      paths,
    };
    const outcome = await spec.run(app, args, { stdout, json, log, signal: rawIo.signal });
    if (outcome.output !== undefined) stdout.write(json || outcome.text === undefined ? `${JSON.stringify(outcome.output, null, 2)}\n` : `${outcome.text}\n`);
    return EXIT[outcome.status];
  } catch (error) {
    const d = describe(error);
    if (debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    stderr.write(`agentpr: ${d.message}\n`);
    if (json) stdout.write(`${JSON.stringify({ ok: false, error: d.message, code: d.code, ...detailsOf(error) })}\n`);
    return d.exit;
  } finally {
    await store?.close().catch(() => {});
  }
}

function detailsOf(error: unknown): Record<string, unknown> {
  const details = (error as { details?: unknown })?.details;
  return details && typeof details === 'object' ? (details as Record<string, unknown>) : {};
}

/** Installs SIGINT/SIGTERM handlers that abort the returned signal with the signal's name; a second signal exits 130. */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  let signals = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      signals++;
      if (signals > 1) process.exit(130);
      controller.abort(sig);
    });
  }
  return controller.signal;
}
