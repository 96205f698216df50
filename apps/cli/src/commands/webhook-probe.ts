import type { CommandSpec } from '../command.js';
import { table } from '../render.js';
import { int, requireStr, str } from '../values.js';

/** `agentpr webhook-probe`: checks a deployed webhook endpoint end to end. Not gated; never opens the store. */
export const command: CommandSpec = {
  name: 'webhook-probe',
  summary: 'Probe a deployed webhook URL: signed delivery, replay dedup, bad signature, size limit.',
  example: 'agentpr webhook-probe --url https://hooks.example.com/github/webhook --secret "$AGENTPR_GITHUB_WEBHOOK_SECRET"',
  options: {
    url: { type: 'string', value: 'URL', description: 'the public webhook URL, e.g. https://hooks.example.com/github/webhook', required: true },
    secret: { type: 'string', value: 'SECRET', description: 'the webhook secret (default: env AGENTPR_GITHUB_WEBHOOK_SECRET, which keeps it out of `ps`)' },
    'timeout-sec': { type: 'string', value: 'N', description: 'per-request timeout in seconds (default 10, at least 1)' },
    'max-payload-bytes': { type: 'string', value: 'N', description: 'the server\'s body limit; the size check sends N+1 bytes (default 1048576, at least 1024)' },
  },
  async run(ctx, values) {
    const url = requireStr(values, 'url');
    const secret = str(values, 'secret') ?? ctx.base.env.AGENTPR_GITHUB_WEBHOOK_SECRET;
    if (secret === undefined || secret.trim() === '') {
      const { AgentprError } = await import('@agentpr/orchestrator/errors');
      throw new AgentprError('usage', 'webhook-probe: no secret: pass --secret or set AGENTPR_GITHUB_WEBHOOK_SECRET to the secret the server verifies with');
    }
    const timeoutSec = int(values, 'timeout-sec', { min: 1, default: 10 })!;
    const maxPayloadBytes = int(values, 'max-payload-bytes', { min: 1024, default: 1024 * 1024 })!;
    const { webhookProbe } = await import('../probe/webhook-probe.js');
    const report = await webhookProbe({ url, secret, timeoutSec, maxPayloadBytes });
    const text = [
      `${report.ok ? 'ok' : 'FAILED'}: ${report.url}`,
      table(
        ['CHECK', 'RESULT', 'HTTP', 'ERROR'],
        report.checks.map((c) => [c.name, c.ok ? 'pass' : 'FAIL', String(c.status_code), c.error]),
      ),
    ].join('\n');
    return { output: report, status: report.ok ? 'ok' : 'failed', text };
  },
};
