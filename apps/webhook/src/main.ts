import { runService, type ServiceIo, type ServiceSpec } from '@agentpr/app-kit';
import { AgentprError } from '@agentpr/orchestrator/errors';
import { loadPolicy } from '@agentpr/policy';
import { parseWebhookArgs, WEBHOOK_FLAGS, WEBHOOK_HELP, type WebhookArgs } from './parse-flags.js';
import { runWebhook } from './run-webhook.js';

/**
 * The webhook receiver as a service: `agentpr-webhook` runs it with `runService`, `agentpr run-github-webhook` with
 * the CLI's context. The policy's `github_webhook` section fills the payload limit and the audit log the flags leave
 * out. Prints one JSON line when listening and `{ok, stopped, deliveries}` when stopped; Ctrl-C ends `interrupted` (130).
 */
export const WEBHOOK_SERVICE: ServiceSpec<WebhookArgs> = {
  bin: 'agentpr-webhook',
  name: 'webhook',
  command: 'run-github-webhook',
  help: WEBHOOK_HELP,
  flags: WEBHOOK_FLAGS,
  gate: 'webhook',
  parse: parseWebhookArgs,
  async run(app, args, io) {
    const policy = await loadPolicy(app.paths.policyFile);
    if (!policy.ok) throw new AgentprError(policy.error.code === 'invalid_json' ? 'invalid_json' : 'config', policy.error.message);
    const hook = policy.policy.github_webhook;
    const options = {
      ...args,
      maxPayloadBytes: args.maxPayloadBytes ?? hook.max_payload_bytes,
      auditLogFile: args.auditLogFile ?? hook.audit_log_file,
      auditMaxBytes: hook.audit_max_bytes,
      auditKeepFiles: hook.audit_keep_files,
    };
    const result = await runWebhook(app, options, {
      signal: io.signal,
      onListening: (info) => {
        io.stdout.write(`${JSON.stringify(info)}\n`);
        io.announce(`webhook listening on ${info.listening}. Stop with Ctrl-C or SIGTERM.`);
      },
    });
    return { output: { ok: true, stopped: true, deliveries: result.deliveries }, status: result.status };
  },
};

/**
 * `agentpr-webhook [flags]`: the signed GitHub webhook receiver as its own program, the same as `agentpr
 * run-github-webhook [flags]`: global flags, the startup doctor gate (`--skip-doctor`), secrets redacted from all
 * output. Logs go to stderr. Exit 0 after SIGTERM, 1 for a failed gate or start, 2 for bad flags, 130 after Ctrl-C.
 */
export function main(argv: string[], io: ServiceIo): Promise<number> {
  return runService(WEBHOOK_SERVICE, argv, io);
}
