import type { CommandSpec } from '../command.js';
import { int, str } from '../values.js';

/** `agentpr cleanup-webhook-deliveries`: forget old delivery ids. */
export const command: CommandSpec = {
  name: 'cleanup-webhook-deliveries',
  summary: 'Delete webhook delivery records older than --keep-days.',
  example: 'agentpr cleanup-webhook-deliveries --keep-days 30',
  gate: 'basic',
  options: {
    source: { type: 'string', value: 'NAME', description: 'delivery source (default github)' },
    'keep-days': { type: 'string', value: 'N', description: 'keep this many days (default 30, at least 1)' },
  },
  async run(ctx, values) {
    const { cleanupWebhookDeliveries } = await import('@agentpr/orchestrator');
    const result = await cleanupWebhookDeliveries(await ctx.app(), { source: str(values, 'source'), keepDays: int(values, 'keep-days', { min: 1, default: 30 }) });
    return { output: result, text: `deleted ${result.deleted} ${result.source} deliveries older than ${result.keep_days} days` };
  },
};
