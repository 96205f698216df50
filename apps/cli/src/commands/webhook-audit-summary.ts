import { isAbsolute, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { int, num, str } from '../values.js';

/** `agentpr webhook-audit-summary`: health of the webhook from its audit log, with alert thresholds. */
export const command: CommandSpec = {
  name: 'webhook-audit-summary',
  summary: 'Summarise the webhook audit log over a recent window; exit 1 when a threshold is crossed.',
  example: 'agentpr webhook-audit-summary --since-minutes 30 --fail-on-retryable-failures 0 --fail-on-http5xx-rate 5',
  options: {
    'audit-log-file': { type: 'string', value: 'PATH', description: 'audit JSONL, relative to the data dir (default: policy github_webhook.audit_log_file)' },
    'since-minutes': { type: 'string', value: 'N', description: 'window length (default 60)' },
    'max-lines': { type: 'string', value: 'N', description: 'lines read from the end (default 5000)' },
    'fail-on-retryable-failures': { type: 'string', value: 'N', description: 'alert when retryable failures exceed N' },
    'fail-on-http5xx-rate': { type: 'string', value: 'PCT', description: 'alert when the 5xx rate exceeds PCT percent' },
  },
  async run(ctx, values) {
    const [{ AgentprError }, { webhookAuditSummary }] = await Promise.all([import('@agentpr/orchestrator'), import('@agentpr/reports')]);
    const { loadPolicy } = await import('@agentpr/policy');
    let file = str(values, 'audit-log-file');
    if (!file) {
      const policy = await loadPolicy(ctx.base.paths.policyFile);
      if (!policy.ok) throw new AgentprError(policy.error.code === 'invalid_json' ? 'invalid_json' : 'config', policy.error.message);
      file = policy.policy.github_webhook.audit_log_file;
    }
    const summary = await webhookAuditSummary(ctx.base, {
      auditLogFile: isAbsolute(file) ? file : resolve(ctx.base.paths.dataDir, file),
      sinceMinutes: int(values, 'since-minutes', { min: 1, default: 60 }),
      maxLines: int(values, 'max-lines', { min: 1, default: 5000 }),
      failOnRetryableFailures: int(values, 'fail-on-retryable-failures', { min: 0 }),
      failOnHttp5xxRate: num(values, 'fail-on-http5xx-rate', { min: 0 }),
    });
    const text = summary.error
      ? `cannot read ${summary.audit_log_file}: ${summary.error}`
      : `${summary.considered_entries} answers since ${summary.window_start}: ${JSON.stringify(summary.outcome_counts)}; 5xx ${summary.http_5xx_rate_pct}%${summary.alerts.length ? `; ALERTS: ${summary.alerts.join(', ')}` : ''}${summary.warnings.map((w) => `\nwarning: ${w}`).join('')}`;
    return { output: summary, status: summary.ok ? 'ok' : 'failed', text };
  },
};
