import { readFileSync } from 'node:fs';
import { AgentprError, importRuns } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { requireStr } from '../values.js';

function readEntries(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentprError('io', `cannot read ${path}: ${(error as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new AgentprError('invalid_json', `invalid JSON: ${path}: ${(error as Error).message}`);
    }
  }
  return trimmed
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line)
    .map(([line, n]) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new AgentprError('invalid_json', `invalid JSON: ${path} line ${n}: ${(error as Error).message}`);
      }
    });
}

/** `agentpr import-runs`: many runs at once, in one transaction. */
export const command: CommandSpec = {
  name: 'import-runs',
  summary: 'Create many runs from a JSON array or JSONL file, all or nothing.',
  example: 'agentpr import-runs --file runs.jsonl   # lines like {"owner":"o","repo":"r","prompt_version":"v1"}',
  gate: 'basic',
  options: { file: { type: 'string', value: 'PATH', description: 'JSON array or JSONL of {owner, repo, prompt_version, run_id?, budget?}', required: true } },
  async run(ctx, values) {
    const entries = readEntries(requireStr(values, 'file'));
    const app = await ctx.app();
    const result = await importRuns(app, entries);
    return { output: { ok: true, created: result.created }, text: `created ${result.created} runs` };
  },
};
