import { isAbsolute, resolve } from 'node:path';
import { githubClientFor, type AppContext } from '@agentpr/orchestrator';
import { DEFAULT_MAX_PAYLOAD_BYTES, startWebhookServer, type WebhookServerOptions } from './webhook-server.js';

/** The audit log's default place, relative to the data directory (policy `github_webhook.audit_log_file`). */
export const DEFAULT_AUDIT_LOG_FILE = 'reports/github_webhook_audit.jsonl';

/** The `run-github-webhook` / `agentpr-webhook` flags, already validated. */
export interface RunWebhookOptions {
  host?: string | undefined;
  port?: number | undefined;
  path?: string | undefined;
  /** Else env `AGENTPR_GITHUB_WEBHOOK_SECRET`. */
  secret?: string | undefined;
  /** Else env `AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS`: still accepted while the hook's secret is rotated. */
  previousSecret?: string | undefined;
  allowUnsigned?: boolean | undefined;
  maxPayloadBytes?: number | undefined;
  /** Relative paths are resolved against the data directory. */
  auditLogFile?: string | undefined;
  auditMaxBytes?: number | undefined;
  auditKeepFiles?: number | undefined;
  /** `--github-api-url`, else `GITHUB_API_URL` (for the roll-up after a successful check). */
  githubApiUrl?: string | undefined;
  /** The SQLite file of the store, when it is SQLite: deliveries are then processed on a worker thread with its own connection. */
  sqliteDbPath?: string | undefined;
  /** `--max-connections`: open connections at most. */
  maxConnections?: number | undefined;
  /** `--max-concurrent-per-client`: requests one client may have in flight (429 past it). */
  maxConcurrentPerClient?: number | undefined;
  /** `--max-unverified-bytes`: body bytes not yet signature-checked, all clients together (503 past it). */
  maxUnverifiedBytes?: number | undefined;
  /** `--trusted-proxy`: proxies whose `X-Real-IP` names the client (nginx on loopback: 127.0.0.1). */
  trustedProxies?: readonly string[] | undefined;
  /** `--metrics-port`: serve /metrics on its own listener; none when omitted. */
  metricsPort?: number | undefined;
  /** `--metrics-host`; default 127.0.0.1. A non-loopback host needs a token. */
  metricsHost?: string | undefined;
  /** `--metrics-token`, else env `AGENTPR_WEBHOOK_METRICS_TOKEN`: /metrics then needs `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** `--delivery-thread` on SQLite: a worker thread (default) or the HTTP thread. */
  deliveryThread?: 'worker' | 'in-process' | undefined;
}

/** What the running server reports once it listens. */
export interface WebhookListening {
  ok: true;
  listening: string;
  pid: number;
  audit_log_file: string;
  signatures: 'required' | 'not checked';
  rollups: 'enabled' | 'disabled (no GitHub token)';
  /** The metrics URL, or `disabled`. */
  metrics: string;
  /** Where deliveries are processed: `worker` (a thread with its own SQLite connection) or `in-process`. */
  delivery_thread: 'worker' | 'in-process';
}

/**
 * Runs the webhook server until `signal` aborts, then shuts down gracefully (in-flight requests and roll-ups
 * finish, new ones are refused). Returns how it ended (`interrupted` after SIGINT, Ctrl-C; else `ok`) and the
 * delivery counts.
 *
 * @example
 * const { status } = await runWebhook(ctx, { port: 8787 }, { signal, onListening: (l) => console.log(JSON.stringify(l)) });
 */
export async function runWebhook(
  appCtx: AppContext,
  options: RunWebhookOptions,
  io: { signal: AbortSignal; onListening?: (info: WebhookListening) => void },
): Promise<{ status: 'ok' | 'interrupted'; deliveries: Record<string, number> }> {
  const ctx: AppContext = { ...appCtx, actor: 'webhook' };
  const secret = options.secret ?? ctx.env.AGENTPR_GITHUB_WEBHOOK_SECRET?.trim() ?? undefined;
  const previousSecret = options.previousSecret ?? ctx.env.AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS?.trim() ?? undefined;
  const auditFile = options.auditLogFile ?? DEFAULT_AUDIT_LOG_FILE;
  const auditLogFile = isAbsolute(auditFile) ? auditFile : resolve(ctx.paths.dataDir, auditFile);
  const github = await githubClientFor(ctx, { apiUrl: options.githubApiUrl });
  if (!github) ctx.log.warn('no GitHub token (GITHUB_TOKEN/GH_TOKEN/gh): successful checks are not rolled up here; run sync-github to decide them.');
  const metricsToken = options.metricsToken ?? (ctx.env.AGENTPR_WEBHOOK_METRICS_TOKEN?.trim() || undefined);
  const limits: Partial<WebhookServerOptions> = {
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.maxConcurrentPerClient !== undefined ? { maxConcurrentPerClient: options.maxConcurrentPerClient } : {}),
    ...(options.maxUnverifiedBytes !== undefined ? { maxUnverifiedBytes: options.maxUnverifiedBytes } : {}),
    ...(options.trustedProxies?.length ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.metricsPort !== undefined ? { metrics: { port: options.metricsPort, host: options.metricsHost ?? '127.0.0.1', token: metricsToken } } : {}),
  };
  const server = await startWebhookServer({
    ctx,
    // On SQLite, deliveries are processed on a worker thread with its own connection.
    ...(ctx.dialect === 'sqlite' && options.sqliteDbPath ? { sqliteDeliveryPath: options.sqliteDbPath } : {}),
    ...(options.deliveryThread ? { deliveryThread: options.deliveryThread } : {}),
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8787,
    path: options.path ?? '/github/webhook',
    secret: secret || undefined,
    previousSecret: previousSecret || undefined,
    allowUnsigned: options.allowUnsigned === true,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    auditLogFile,
    ...(options.auditMaxBytes ? { auditMaxBytes: options.auditMaxBytes } : {}),
    ...(options.auditKeepFiles ? { auditKeepFiles: options.auditKeepFiles } : {}),
    github,
    ...limits,
  });
  io.onListening?.({
    ok: true,
    listening: `${server.url}${server.path}`,
    pid: process.pid,
    audit_log_file: auditLogFile,
    signatures: secret ? 'required' : 'not checked',
    rollups: github ? 'enabled' : 'disabled (no GitHub token)',
    metrics: server.metricsUrl ?? 'disabled',
    delivery_thread: server.deliveryThread,
  });
  if (!io.signal.aborted) await new Promise<void>((done) => io.signal.addEventListener('abort', () => done(), { once: true }));
  await server.close();
  return { status: io.signal.reason === 'SIGINT' ? 'interrupted' : 'ok', deliveries: server.metrics.counts() };
}
