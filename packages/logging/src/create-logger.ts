import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { sanitizeFields, type RedactText } from './sanitize-fields.js';
import { REDACTED, secretRedactPaths } from './secret-keys.js';

/**
 * What a use case logs through: the same shape as the orchestrator's `Logger` (info/warn/error with a message and
 * optional fields), plus `debug` and `child` for apps. Defined here, not imported, so logging depends on nothing.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (redacted like any others) to every line it writes. */
  child(fields: Record<string, unknown>): Logger;
}

/** `json`: one JSON object per line (daemons); `pretty`: one readable line per event (a terminal); `auto`: by isTTY. */
export type LogFormat = 'json' | 'pretty' | 'auto';

/** The lowest level written; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where lines go: anything with a synchronous-enough `write`, e.g. `process.stderr` or a file stream. */
export interface LogDestination {
  write(line: string): unknown;
  /** A terminal: `format: 'auto'` picks `pretty` and colours are on. */
  readonly isTTY?: boolean;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The role or program writing (`webhook`, `bot`, `manager-loop`, `cli`): the `name` field of every line. */
  name?: string;
  /** Default `info`. */
  level?: LogLevel;
  /** Default `auto`. */
  format?: LogFormat;
  /** Default `process.stderr` (stdout stays free for a command's output). */
  destination?: LogDestination;
  /** agentpr's `SecretRedactor.redact`: applied to the message and to every string field, at any depth. */
  redact?: RedactText;
  /** Colours in the pretty format. Default: the destination is a TTY. */
  colorize?: boolean;
  /** The wall clock for the `time` field. Default `() => new Date()`. */
  now?: () => Date;
  /** Fields on every line (e.g. `{ instance: 'a' }`); redacted like any other fields. */
  base?: Record<string, unknown>;
}

/** Keys a line already has; a field with one of these names is written as `_<name>` instead of clobbering it. */
const RESERVED = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/**
 * A {@link Logger} on pino. Secrets are redacted twice: the logger walks every field (values under a known secret
 * key such as `token`, `password` or `authorization` become `***`, and `redact` runs over every string and the
 * message), then pino's own `redact` paths censor the same keys again.
 * @example
 * const log = createLogger({ name: 'webhook', format: 'json', redact: redactor.redact.bind(redactor) });
 * log.info('delivery accepted', { delivery: id });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const redact = options.redact ?? ((text: string) => text);
  const now = options.now ?? (() => new Date());
  const format = options.format === 'auto' || options.format === undefined ? (destination.isTTY ? 'pretty' : 'json') : options.format;
  const pinoLogger = pino(
    {
      level: options.level ?? 'info',
      ...(options.name === undefined ? {} : { name: options.name }),
      base: { pid: process.pid },
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: secretRedactPaths(), censor: REDACTED },
    },
    format === 'pretty' ? prettyStream(destination, options.colorize ?? destination.isTTY === true) : (destination as DestinationStream),
  );
  const root = options.base ? pinoLogger.child(safeFields(options.base, redact)) : pinoLogger;
  return wrap(root, redact);
}

function wrap(target: PinoLogger, redact: RedactText): Logger {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (!target.isLevelEnabled(level)) return;
    target[level](fields ? safeFields(fields, redact) : {}, redact(message));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => wrap(target.child(safeFields(fields, redact)), redact),
  };
}

function safeFields(fields: Record<string, unknown>, redact: RedactText): Record<string, unknown> {
  const clean = sanitizeFields(fields, redact);
  for (const key of Object.keys(clean)) {
    if (!RESERVED.has(key)) continue;
    clean[`_${key}`] = clean[key];
    delete clean[key];
  }
  return clean;
}

/** One readable line per event, written synchronously (a CLI may exit right after logging). */
function prettyStream(destination: LogDestination, colorize: boolean): DestinationStream {
  const pretty = prettyFactory({ colorize, singleLine: true, ignore: 'pid,hostname', translateTime: 'UTC:HH:MM:ss.l' });
  return { write: (line: string) => destination.write(pretty(line)) };
}
