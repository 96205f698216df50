import { join } from 'node:path';
import { describeError, exitCodeFor } from '@agentpr/app-kit';
import type { AppContext } from '@agentpr/orchestrator';
import { createSecretRedactor, dataDirPaths } from '@agentpr/orchestrator/context';
import { createAppPorts, redactingStream } from '@agentpr/orchestrator';
import { openAppStore } from '@agentpr/orchestrator/open-app-store';
import { createLogger } from '@agentpr/logging';
import { parseWebhookFlags, WEBHOOK_HELP } from './parse-flags.js';
import { runWebhook } from './run-webhook.js';

/** Where the binary writes and what it reads. */
export interface WebhookIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGTERM (graceful stop, exit 0) or SIGINT (exit 130). */
  signal: AbortSignal;
}

/**
 * `agentpr-webhook`: parses flags, opens the store, runs the webhook server until stopped. Prints one JSON line
 * when listening and one when stopped; errors are one line on stderr and `{ok:false,error}` on stdout. Exit 2
 * for bad flags, 1 for other failures, 130 after Ctrl-C.
 */
export async function main(argv: string[], rawIo: WebhookIo): Promise<number> {
  // Secrets given as flags are known before parsing, so not even a usage error can echo them.
  const flagValue = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
  };
  const redactor = createSecretRedactor(rawIo.env, { '--secret': flagValue('--secret'), '--previous-secret': flagValue('--previous-secret'), '--metrics-token': flagValue('--metrics-token'), '--database-url': flagValue('--database-url') });
  const io: WebhookIo = { ...rawIo, stdout: redactingStream(rawIo.stdout, redactor.redact), stderr: redactingStream(rawIo.stderr, redactor.redact) };
  const fail = (message: string, code: number) => {
    io.stderr.write(`agentpr-webhook: ${message}\n`);
    io.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    return code;
  };
  let store: Awaited<ReturnType<typeof openAppStore>> | undefined;
  try {
    const flags = parseWebhookFlags(argv, io.env);
    if (flags.help) {
      io.stdout.write(`${WEBHOOK_HELP}\n`);
      return 0;
    }
    store = await openAppStore({ databaseUrl: flags.databaseUrl, sqlitePath: flags.db });
    const ctx: AppContext = {
      db: store.db,
      dialect: store.dialect,
      clock: () => new Date(),
      env: io.env,
      ...createAppPorts(io.env, { redactor }),
      redactor,
      actor: 'webhook',
      // Structured logs on stderr (JSON lines, or one readable line on a terminal), secrets redacted by pino.
      log: createLogger({ name: 'webhook', destination: io.stderr as NodeJS.WriteStream, redact: (text) => redactor.redact(text) }),
      paths: dataDirPaths(flags.dataDir, { campaignDir: join(flags.dataDir, 'campaign'), skillsDir: join(flags.dataDir, 'skills') }),
    };
    const result = await runWebhook(ctx, { ...flags, sqliteDbPath: flags.databaseUrl ? undefined : flags.db }, { signal: io.signal, onListening: (info) => io.stdout.write(`${JSON.stringify(info)}\n`) });
    io.stdout.write(`${JSON.stringify({ ok: true, stopped: true, deliveries: result.deliveries })}\n`);
    return exitCodeFor(result.status);
  } catch (error) {
    const described = describeError(error);
    return fail(described.message, described.exitCode);
  } finally {
    await store?.close().catch(() => {});
  }
}
