import { isAbsolute, resolve } from 'node:path';
import * as v from 'valibot';
import { loadPolicy } from '@agentpr/policy';
import { webhookAuditSummary } from '@agentpr/reports';
import { AgentprError, type AppContext } from '@agentpr/orchestrator';
import { defineTool } from './define-tool.js';
import { reportCall } from './report-call.js';
import { clip } from './tool-data.js';

/** The webhook's audit log: the policy's `github_webhook.audit_log_file`, relative to the data directory. */
async function auditLogFile(ctx: AppContext): Promise<string> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw new AgentprError(loaded.error.code === 'invalid_json' ? 'invalid_json' : 'config', loaded.error.message);
  const file = loaded.policy.github_webhook.audit_log_file;
  return isAbsolute(file) ? file : resolve(ctx.paths.dataDir, file);
}

/** `webhook_audit_summary`: how the GitHub webhook answered over the last hours (`agentpr webhook-audit-summary`). */
export const webhookAuditTool = defineTool({
  name: 'webhook_audit_summary',
  description: "Summarise how agentpr's GitHub webhook answered over the last hours: deliveries per outcome and status, the 5xx rate, retryable failures and the commonest errors.",
  tier: 'read',
  effect: 'read',
  args: v.strictObject({
    hours: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(168), v.description('The window, in hours back from now (1-168, default 1).'))),
  }),
  async run(ctx, input) {
    const hours = input.hours ?? 1;
    const s = await reportCall(async () => webhookAuditSummary(ctx, { auditLogFile: await auditLogFile(ctx), sinceMinutes: hours * 60 }));
    return {
      data: {
        window_hours: hours,
        window_start: s.window_start,
        deliveries: s.considered_entries,
        outcomes: s.outcome_counts,
        statuses: s.status_code_counts,
        http_5xx_rate_pct: s.http_5xx_rate_pct,
        retryable_failures: s.retryable_failures,
        top_errors: s.top_errors.slice(0, 5).map((e) => ({ error: clip(e.error, 200), count: e.count })),
        rollups: s.rollup_counts,
        problems: [...(s.error ? [s.error] : []), ...s.warnings].slice(0, 5).map((w) => clip(w, 200)),
      },
      summary: s.error ? 'webhook audit log unreadable' : `${s.considered_entries} webhook deliveries in ${hours} h, 5xx ${s.http_5xx_rate_pct}%`,
    };
  },
});
