import { isIP } from 'node:net';
import type { CommandSpec } from '../command.js';
import { flag, int, str } from '../values.js';

/** `agentpr run-github-webhook` (also the `agentpr-webhook` binary): the signed GitHub webhook receiver (SPEC §7.2). */
export const command: CommandSpec = {
  name: 'run-github-webhook',
  summary: 'Run the signed GitHub webhook receiver until stopped (/healthz; /metrics on --metrics-port).',
  example: 'AGENTPR_GITHUB_WEBHOOK_SECRET=… agentpr run-github-webhook --host 0.0.0.0 --port 8787',
  gate: 'webhook',
  options: {
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
  },
  async run(ctx, values) {
    const { AgentprError } = await import('@agentpr/orchestrator');
    const { loadPolicy } = await import('@agentpr/policy');
    const { runWebhook } = await import('@agentpr/webhook-app');
    const app = await ctx.app();
    const policy = await loadPolicy(app.paths.policyFile);
    if (!policy.ok) throw new AgentprError(policy.error.code === 'invalid_json' ? 'invalid_json' : 'config', policy.error.message);
    const hook = policy.policy.github_webhook;
    const proxies = str(values, 'trusted-proxy')?.split(',').map((p) => p.trim()).filter(Boolean);
    if (proxies && (proxies.length === 0 || proxies.some((p) => isIP(p) === 0))) {
      throw new AgentprError('usage', '--trusted-proxy must be IP addresses separated by commas (e.g. 127.0.0.1)');
    }
    const metricsToken = str(values, 'metrics-token')?.trim();
    if (metricsToken !== undefined && metricsToken.length < 16) throw new AgentprError('usage', '--metrics-token must be at least 16 characters');
    const result = await runWebhook(
      app,
      {
        host: str(values, 'host'),
        port: int(values, 'port', { min: 0, max: 65535 }),
        path: str(values, 'path'),
        secret: str(values, 'secret'),
        previousSecret: str(values, 'previous-secret'),
        allowUnsigned: flag(values, 'allow-unsigned'),
        maxPayloadBytes: int(values, 'max-payload-bytes', { min: 1024, default: hook.max_payload_bytes }),
        auditLogFile: str(values, 'audit-log-file') ?? hook.audit_log_file,
        auditMaxBytes: hook.audit_max_bytes,
        auditKeepFiles: hook.audit_keep_files,
        githubApiUrl: str(values, 'github-api-url'),
        sqliteDbPath: ctx.globals.databaseUrl ? undefined : ctx.globals.db,
        maxConnections: int(values, 'max-connections', { min: 1, max: 100_000 }),
        maxConcurrentPerClient: int(values, 'max-concurrent-per-client', { min: 1, max: 100_000 }),
        maxUnverifiedBytes: int(values, 'max-unverified-bytes', { min: 1024 }),
        trustedProxies: proxies,
        metricsPort: int(values, 'metrics-port', { min: 0, max: 65535 }),
        metricsHost: str(values, 'metrics-host'),
        metricsToken,
      },
      {
        signal: ctx.signal,
        onListening: (info) => {
          ctx.stdout.write(`${JSON.stringify(info)}\n`);
          ctx.stderr.write(`agentpr: webhook listening on ${info.listening}. Stop with Ctrl-C or SIGTERM.\n`);
        },
      },
    );
    return { output: { ok: true, stopped: true, deliveries: result.deliveries }, status: result.status };
  },
};
