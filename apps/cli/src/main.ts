import { flagLine, gateOptionsFor, GLOBAL_FLAGS, readFlagValues, resolveGlobals, secretFlagValues } from '@agentpr/app-kit';
import type { AppContext, AppPorts } from '@agentpr/orchestrator';
import { createSecretRedactor, dataDirPaths, prepareDataDir, redactingStream } from '@agentpr/orchestrator/context';
import type { CommandContext, CommandSpec, OptionValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { describeError, exitCodeFor } from './errors.js';
import { renderValue } from './render.js';
import { VERSION } from './version.js';

/** Where the CLI writes and what it reads; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

function findCommand(argv: string[]): { index: number; name: string | undefined } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0]!;
      if (!arg.includes('=') && GLOBAL_FLAGS[name]?.type === 'string') i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return { index: i, name: arg };
  }
  return { index: -1, name: undefined };
}

function generalHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'agentpr — drive coding agents to land small, reviewed integration PRs',
    '',
    'Usage: agentpr [global options] <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`),
    '',
    'Global options:',
    ...Object.entries(GLOBAL_FLAGS).map(([n, s]) => flagLine(n, s)),
    '',
    'Example:',
    '  agentpr create-run --owner octo-org --repo widgets --prompt-version v1',
    '',
    'Output is JSON when stdout is not a terminal or with --json. Exit codes: 0 ok, 1 refused, 2 usage.',
    'Run `agentpr <command> --help` for the flags of one command.',
  ].join('\n');
}

function commandHelp(spec: CommandSpec): string {
  return [
    `agentpr ${spec.name} — ${spec.summary}`,
    '',
    `Usage: agentpr ${spec.name}${spec.positional ? ` [${spec.positional.toUpperCase()}]` : ''} [options]`,
    '',
    'Options:',
    ...Object.entries(spec.options).map(([n, s]) => flagLine(n, s)),
    '',
    'Global options (also accepted here): --data-dir --db --database-url --workspace-root --campaign-dir --policy-file --skip-doctor --offline --json --debug',
    '',
    'Example:',
    `  ${spec.example}`,
  ].join('\n');
}

/**
 * Runs one CLI invocation and returns its exit code. Parses arguments, opens the store lazily, runs the
 * startup gate, calls the command and prints its result; every error becomes one line (and the JSON envelope).
 * Everything written to stdout and stderr, by the CLI or by a command, has agentpr's secrets (from `io.env` and
 * the secret flags) replaced by `***`; the same redactor is the app context's `redactor`.
 */
export async function main(argv: string[], cliIo: CliIo): Promise<number> {
  const redactor = createSecretRedactor(cliIo.env, secretFlagValues(argv));
  const io: CliIo = { ...cliIo, stdout: redactingStream(cliIo.stdout, redactor.redact), stderr: redactingStream(cliIo.stderr, redactor.redact) };
  const jsonWanted = argv.includes('--json') || !io.stdout.isTTY;
  const fail = (message: string, exitCode: number, extra: Record<string, unknown> = {}) => {
    io.stderr.write(`agentpr: ${message}\n`);
    if (jsonWanted) io.stdout.write(`${JSON.stringify({ ok: false, error: message, ...extra })}\n`);
    return exitCode;
  };
  const { index, name } = findCommand(argv);
  if (name === undefined) {
    if (argv.includes('--version') || argv.includes('-v')) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      io.stdout.write(`${generalHelp()}\n`);
      return 0;
    }
    return fail('no command given. Run `agentpr --help` to list commands.', 2, { code: 'usage' });
  }
  const entry = COMMANDS[name];
  if (!entry) return fail(`unknown command "${name}". Run \`agentpr --help\` to list commands.`, 2, { code: 'usage' });
  let spec: CommandSpec;
  try {
    spec = (await entry.load()).command;
  } catch (error) {
    return fail(`command ${name} failed to load: ${(error as Error).message}`, 1);
  }
  const rest = [...argv.slice(0, index), ...argv.slice(index + 1)];
  let values: OptionValues;
  try {
    values = readFlagValues(rest, { ...GLOBAL_FLAGS, ...spec.options }, { command: name, program: `agentpr ${name}`, positional: spec.positional });
  } catch (error) {
    return fail((error as Error).message, 2, { code: 'usage' });
  }
  if (values.help === true) {
    io.stdout.write(`${commandHelp(spec)}\n`);
    return 0;
  }
  for (const [flagName, s] of Object.entries(spec.options)) {
    if (s.required && (values[flagName] === undefined || values[flagName] === '')) {
      return fail(`${name}: --${flagName} is required. Run \`agentpr ${name} --help\` for usage.`, 2, { code: 'usage' });
    }
  }
  const globals = resolveGlobals(values, io.env);
  const env = values.offline === true ? { ...io.env, AGENTPR_OFFLINE: '1' } : io.env;
  const controller = new AbortController();
  const signal = io.signal ?? controller.signal;
  const base: Omit<AppContext, 'db' | 'dialect' | keyof AppPorts> = {
    clock: () => new Date(),
    env,
    redactor,
    actor: 'operator',
    log: {
      info: () => {},
      warn: (m) => io.stderr.write(`agentpr: warning: ${m}\n`),
      error: (m) => io.stderr.write(`agentpr: ${m}\n`),
    },
    paths: dataDirPaths(globals.dataDir, {
      workspaceRoot: globals.workspaceRoot,
      campaignDir: globals.campaignDir,
      skillsDir: globals.skillsDir,
      policyFile: globals.policyFile,
    }),
  };
  let opened: { close(): Promise<void> } | undefined;
  let app: AppContext | undefined;
  // Commands may explain a failure themselves; remember whether they did so the fallback line is not doubled.
  let commandWroteStderr = false;
  const commandStderr: NodeJS.WritableStream = Object.create(io.stderr, {
    write: {
      value: (...args: Parameters<NodeJS.WritableStream['write']>) => {
        commandWroteStderr = true;
        return (io.stderr.write as (...a: unknown[]) => boolean)(...args);
      },
    },
  });
  const ctx: CommandContext = {
    base,
    globals,
    json: jsonWanted,
    stdout: io.stdout,
    stderr: commandStderr,
    signal,
    async app(options = {}) {
      if (app) return app;
      const [{ openAppStore, openReadOnlyAppStore }, { makeDirectory }, { createAppPorts }] = await Promise.all([
        import('@agentpr/orchestrator/open-app-store'),
        import('@agentpr/workspace/directories'),
        import('@agentpr/orchestrator'),
      ]);
      const location = { databaseUrl: globals.databaseUrl, sqlitePath: globals.db };
      const store = options.readOnly ? await openReadOnlyAppStore(location) : await openAppStore(location);
      opened = store;
      try {
        makeDirectory(globals.workspaceRoot, { mode: 0o700 });
      } catch {
        // the doctor reports an unwritable root; commands that need it fail with their own message
      }
      app = { ...base, ...createAppPorts(base.env, { clock: base.clock, redactor, log: base.log }), db: store.db, dialect: store.dialect };
      return app;
    },
  };
  try {
    // The data dir and its report folders are private (0700) before anything writes there.
    prepareDataDir(base.paths);
  } catch {
    // A data dir that cannot be made is left to the command that needs it, which fails with its own message.
  }
  try {
    const profile = typeof spec.gate === 'function' ? spec.gate(values) : spec.gate;
    if (profile && !globals.skipDoctor) await (await import('@agentpr/orchestrator')).doctorGate(base, profile, gateOptionsFor(values));
    const result = await spec.run(ctx, values);
    const exitCode = exitCodeFor(result.status ?? 'ok');
    if (exitCode !== 0 && !commandWroteStderr) {
      // A command that failed with a result (not an exception) still says why in one line on stderr.
      const why = failureSummary(result.output);
      if (why) io.stderr.write(`agentpr: ${name}: ${why.split('\n')[0]}\n`);
    }
    if (result.output !== undefined) {
      if (jsonWanted) io.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
      else io.stdout.write(`${result.text ?? renderValue(result.output)}\n`);
    }
    return exitCode;
  } catch (error) {
    const described = describeError(error);
    if (globals.debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return fail(described.message, described.exitCode, { code: described.code, ...described.details });
  } finally {
    await opened?.close().catch(() => {});
  }
}

/** One line for a failed command result (`{ ok: false, … }`): its error, its failed checks, or its verdict. */
function failureSummary(output: unknown): string | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const failed = output as { ok?: unknown; error?: unknown; failures?: unknown; classification?: { reason_code?: unknown } };
  if (failed.ok !== false) return undefined;
  if (typeof failed.error === 'string') return failed.error;
  if (Array.isArray(failed.failures) && failed.failures.length > 0) {
    const n = failed.failures.length;
    return `${n} check${n === 1 ? '' : 's'} failed: ${failed.failures.map(String).join('; ')}`;
  }
  if (failed.classification?.reason_code) return `not passed: ${String(failed.classification.reason_code)}`;
  return 'failed';
}
