import { createRun, parseBudgetJson } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { requireStr, str } from '../values.js';

/** `agentpr create-run`: a new run in QUEUED. */
export const command: CommandSpec = {
  name: 'create-run',
  summary: 'Create a run for one repository (state QUEUED).',
  example: 'agentpr create-run --owner mem0ai --repo mem0 --prompt-version v1',
  gate: 'basic',
  options: {
    owner: { type: 'string', value: 'OWNER', description: 'repository owner', required: true },
    repo: { type: 'string', value: 'REPO', description: 'repository name', required: true },
    'prompt-version': { type: 'string', value: 'LABEL', description: 'free-text label of the prompt used', required: true },
    'run-id': { type: 'string', value: 'ID', description: 'run id (default run_ + 12 hex); letters, digits, . _ -' },
    mode: { type: 'string', value: 'MODE', description: 'only push_only (default)' },
    'budget-json': { type: 'string', value: 'JSON', description: 'a JSON object stored with the run (default {})' },
    campaign: {
      type: 'string',
      value: 'NAME',
      description: 'the campaign the run belongs to, a known one: in the policy\'s campaigns, the campaign folder\'s name, default, or one with runs (default: the campaign folder in use)',
    },
  },
  async run(ctx, values) {
    const budget = parseBudgetJson(str(values, 'budget-json'));
    const input = {
      owner: requireStr(values, 'owner'),
      repo: requireStr(values, 'repo'),
      prompt_version: requireStr(values, 'prompt-version'),
      budget,
      ...(str(values, 'run-id') !== undefined ? { run_id: str(values, 'run-id') } : {}),
      ...(str(values, 'mode') !== undefined ? { mode: str(values, 'mode') as 'push_only' } : {}),
      ...(str(values, 'campaign') !== undefined ? { campaign: str(values, 'campaign') } : {}),
    };
    const app = await ctx.app();
    const created = await createRun(app, input);
    return { output: { run_id: created.run_id, campaign: created.campaign }, text: `created ${created.run_id} (QUEUED) in campaign ${created.campaign}; workspace ${created.workspace_dir}` };
  },
};
