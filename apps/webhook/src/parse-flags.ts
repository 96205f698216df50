import { flag, int, serviceHelp, str, type AppGlobals, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import { parseTrustedProxies } from '@agentpr/app-kit/client-address';
import { AgentprError } from '@agentpr/orchestrator/errors';
import type { RunWebhookOptions } from './run-webhook.js';

/** The flags of `agentpr-webhook` and `agentpr run-github-webhook` (the global flags come on top). */
export const WEBHOOK_FLAGS: Record<string, FlagSpec> = {
  host: { type: 'string', value: 'HOST', description: 'listen address (default 127.0.0.1)' },
  port: { type: 'string', value: 'N', description: 'port (default 8787; 0 picks a free one)' },
  path: { type: 'string', value: 'PATH', description: 'webhook path (default /github/webhook)' },
  secret: { type: 'string', value: 'S', description: "the hook's secret (default: env AGENTPR_GITHUB_WEBHOOK_SECRET, which keeps it out of `ps`)" },
  'previous-secret': { type: 'string', value: 'S', description: 'the old secret, accepted while the hook is rotated (env AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS)' },
  'allow-unsigned': { type: 'boolean', description: 'local development only: accept unsigned deliveries when no secret is set' },
  'max-payload-bytes': { type: 'string', value: 'N', description: 'largest body (policy github_webhook.max_payload_bytes, default 1048576, at least 1024)' },
  'audit-log-file': { type: 'string', value: 'PATH', description: 'audit JSONL, relative to the data dir (default reports/github_webhook_audit.jsonl)' },
  'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root for check roll-ups (env GITHUB_API_URL)' },
  'max-connections': { type: 'string', value: 'N', description: 'open connections at most (default 256)' },
  'max-concurrent-per-client': { type: 'string', value: 'N', description: 'requests in flight per client address; 429 past it (default 32)' },
  'max-unverified-bytes': { type: 'string', value: 'N', description: 'body bytes not yet signature-checked, all clients together; 503 past it (default 16777216)' },
  'trusted-proxy': { type: 'string', value: 'ADDR[,ADDR]', description: 'proxies whose X-Real-IP names the client (behind the nginx template: 127.0.0.1)' },
  'metrics-port': { type: 'string', value: 'N', description: 'serve GET /metrics on its own listener (default: not served)' },
  'metrics-host': { type: 'string', value: 'HOST', description: 'metrics listen address (default 127.0.0.1; any other needs a token)' },
  'metrics-token': { type: 'string', value: 'T', description: '/metrics needs Authorization: Bearer T (env AGENTPR_WEBHOOK_METRICS_TOKEN)' },
  'delivery-thread': {
    type: 'string',
    value: 'worker|in-process',
    description: 'SQLite: process deliveries on a worker thread (default; two cores) or on the HTTP thread (least CPU per delivery on one core)',
  },
};

/** The one-line summary of `agentpr run-github-webhook`. */
export const WEBHOOK_SUMMARY = 'Run the signed GitHub webhook receiver until stopped (/healthz; /metrics on --metrics-port).';

/** Help of `agentpr-webhook`; its first line names the CLI command it is. */
export const WEBHOOK_HELP = serviceHelp({
  command: 'run-github-webhook',
  summary: WEBHOOK_SUMMARY,
  bin: 'agentpr-webhook',
  flags: WEBHOOK_FLAGS,
  stdout: 'The listening line and the stop summary go to stdout.',
  example: 'AGENTPR_GITHUB_WEBHOOK_SECRET=… agentpr-webhook --host 0.0.0.0 --port 8787',
});

/**
 * The parsed command line of `agentpr-webhook` / `agentpr run-github-webhook`: the webhook options, where the
 * policy's `github_webhook` section (payload limit, audit log) fills what the flags leave undefined.
 */
export type WebhookArgs = Omit<RunWebhookOptions, 'auditMaxBytes' | 'auditKeepFiles'>;

/** Reads and validates the webhook's flag values; a bad one is a `usage` error naming the flag. */
export function parseWebhookArgs(values: FlagValues, globals: Pick<AppGlobals, 'databaseUrl' | 'db'>): WebhookArgs {
  const proxies = parseTrustedProxies(str(values, 'trusted-proxy'));
  const deliveryThread = str(values, 'delivery-thread');
  if (deliveryThread !== undefined && deliveryThread !== 'worker' && deliveryThread !== 'in-process') {
    throw new AgentprError('usage', '--delivery-thread must be worker or in-process');
  }
  const metricsToken = str(values, 'metrics-token')?.trim();
  if (metricsToken !== undefined && metricsToken.length < 16) throw new AgentprError('usage', '--metrics-token must be at least 16 characters');
  return {
    host: str(values, 'host'),
    port: int(values, 'port', { min: 0, max: 65535 }),
    path: str(values, 'path'),
    secret: str(values, 'secret'),
    previousSecret: str(values, 'previous-secret'),
    allowUnsigned: flag(values, 'allow-unsigned'),
    maxPayloadBytes: int(values, 'max-payload-bytes', { min: 1024 }),
    auditLogFile: str(values, 'audit-log-file'),
    githubApiUrl: str(values, 'github-api-url'),
    // SQLite deliveries go through a dedicated writer with cached statements.
    sqliteDbPath: globals.databaseUrl ? undefined : globals.db,
    maxConnections: int(values, 'max-connections', { min: 1, max: 100_000 }),
    maxConcurrentPerClient: int(values, 'max-concurrent-per-client', { min: 1, max: 100_000 }),
    maxUnverifiedBytes: int(values, 'max-unverified-bytes', { min: 1024 }),
    trustedProxies: proxies,
    metricsPort: int(values, 'metrics-port', { min: 0, max: 65535 }),
    metricsHost: str(values, 'metrics-host'),
    metricsToken,
    deliveryThread,
  };
}
