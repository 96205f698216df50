import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { AgentprError } from '@agentpr/orchestrator';
import type { RunWebhookOptions } from './run-webhook.js';

/** The standalone binary's flags: the webhook flags plus where the data lives. */
export interface WebhookFlags extends RunWebhookOptions {
  dataDir: string;
  db: string;
  databaseUrl: string | undefined;
  help: boolean;
}

const Int = (name: string, min: number, max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, `--${name} must be an integer`),
      v.transform(Number),
      v.minValue(min, `--${name} must be at least ${min}`),
      v.maxValue(max, `--${name} must be at most ${max}`),
    ),
  );

const FlagsSchema = v.object({
  host: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('--host is empty'))),
  port: Int('port', 0, 65535),
  path: v.optional(v.string()),
  secret: v.optional(v.string()),
  'previous-secret': v.optional(v.string()),
  'allow-unsigned': v.optional(v.boolean()),
  'max-payload-bytes': Int('max-payload-bytes', 1024, 1024 * 1024 * 1024),
  'audit-log-file': v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('--audit-log-file is empty'))),
  'github-api-url': v.optional(v.pipe(v.string(), v.url('--github-api-url must be a URL'))),
  'max-connections': Int('max-connections', 1, 100_000),
  'max-concurrent-per-client': Int('max-concurrent-per-client', 1, 100_000),
  'max-unverified-bytes': Int('max-unverified-bytes', 1024, 1024 * 1024 * 1024),
  'trusted-proxy': v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean)),
      v.check((list) => list.length > 0 && list.every((p) => isIP(p) !== 0), '--trusted-proxy must be IP addresses separated by commas (e.g. 127.0.0.1)'),
    ),
  ),
  'metrics-host': v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty('--metrics-host is empty'))),
  'metrics-port': Int('metrics-port', 0, 65535),
  'metrics-token': v.optional(v.pipe(v.string(), v.trim(), v.minLength(16, '--metrics-token must be at least 16 characters'))),
  'data-dir': v.optional(v.string()),
  db: v.optional(v.string()),
  'database-url': v.optional(v.string()),
  help: v.optional(v.boolean()),
});

/** Help for `agentpr-webhook`. */
export const WEBHOOK_HELP = `agentpr-webhook — the signed GitHub webhook receiver

Usage: agentpr-webhook [options]

  --host HOST                 listen address (default 127.0.0.1)
  --port N                    port (default 8787; 0 picks a free one)
  --path PATH                 webhook path (default /github/webhook)
  --secret S                  the hook's secret (else env AGENTPR_GITHUB_WEBHOOK_SECRET)
  --previous-secret S         also accepted during a rotation (else env AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS)
  --allow-unsigned            accept unsigned deliveries when no secret is set — local development only
  --max-payload-bytes N       largest body (default 1048576, at least 1024)
  --audit-log-file PATH       JSONL audit log (default <data>/reports/github_webhook_audit.jsonl)
  --github-api-url URL        GitHub REST root for roll-ups (else GITHUB_API_URL)
  --max-connections N         open connections at most (default 256)
  --max-concurrent-per-client N  requests in flight per client address, 429 past it (default 32)
  --max-unverified-bytes N    body bytes not yet signature-checked, all clients together, 503 past it (default 16777216)
  --trusted-proxy ADDR[,ADDR] proxies whose X-Real-IP names the client (behind the nginx template: 127.0.0.1)
  --metrics-port N            serve GET /metrics on its own listener (default: not served)
  --metrics-host HOST         metrics listen address (default 127.0.0.1; any other needs a token)
  --metrics-token T           /metrics needs Authorization: Bearer T (else env AGENTPR_WEBHOOK_METRICS_TOKEN)
  --data-dir PATH             data directory (env AGENTPR_HOME; default ~/.local/share/agentpr)
  --db PATH                   SQLite file (default <data>/agentpr.db)
  --database-url URL          PostgreSQL URL (env AGENTPR_DATABASE_URL); wins over --db

Also: agentpr run-github-webhook [options]. GET /healthz answers alive; /metrics (Prometheus text) is only on --metrics-port.
Example: AGENTPR_GITHUB_WEBHOOK_SECRET=… agentpr-webhook --host 0.0.0.0 --port 8787`;

/** Parses and validates the binary's argv; bad input is a `usage` error naming the flag. */
export function parseWebhookFlags(argv: string[], env: Readonly<Record<string, string | undefined>>): WebhookFlags {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(
          [
            'host', 'port', 'path', 'secret', 'previous-secret', 'max-payload-bytes', 'audit-log-file', 'github-api-url', 'data-dir', 'db', 'database-url',
            'max-connections', 'max-concurrent-per-client', 'max-unverified-bytes', 'trusted-proxy', 'metrics-host', 'metrics-port', 'metrics-token',
          ].map((n) => [n, { type: 'string' as const }]),
        ),
        'allow-unsigned': { type: 'boolean' as const },
        help: { type: 'boolean' as const },
      },
    }).values;
  } catch (error) {
    throw new AgentprError('usage', `${(error as Error).message.split('\n')[0]}. Run agentpr-webhook --help for usage.`);
  }
  const parsed = v.safeParse(FlagsSchema, values);
  if (!parsed.success) throw new AgentprError('usage', parsed.issues.map((i) => i.message).join('; '));
  const f = parsed.output;
  const dataDir = f['data-dir']?.trim()
    ? resolve(f['data-dir'].trim())
    : env.AGENTPR_HOME?.trim()
      ? resolve(env.AGENTPR_HOME.trim())
      : env.XDG_DATA_HOME?.trim()
        ? resolve(env.XDG_DATA_HOME.trim(), 'agentpr')
        : join(env.HOME?.trim() || homedir(), '.local', 'share', 'agentpr');
  return {
    dataDir,
    db: f.db?.trim() ? resolve(f.db.trim()) : join(dataDir, 'agentpr.db'),
    databaseUrl: (f['database-url'] ?? env.AGENTPR_DATABASE_URL)?.trim() || undefined,
    help: f.help === true,
    host: f.host,
    port: f.port,
    path: f.path,
    secret: f.secret,
    previousSecret: f['previous-secret'],
    allowUnsigned: f['allow-unsigned'] === true,
    maxPayloadBytes: f['max-payload-bytes'],
    auditLogFile: f['audit-log-file'],
    githubApiUrl: f['github-api-url'],
    maxConnections: f['max-connections'],
    maxConcurrentPerClient: f['max-concurrent-per-client'],
    maxUnverifiedBytes: f['max-unverified-bytes'],
    trustedProxies: f['trusted-proxy'],
    metricsHost: f['metrics-host'],
    metricsPort: f['metrics-port'],
    metricsToken: f['metrics-token'],
  };
}
