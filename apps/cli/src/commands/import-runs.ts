import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AgentprError, importRuns, parseRunsFile } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { requireStr } from '../values.js';

/** An import file larger than this is refused before it is read. */
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

function readImportFile(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_IMPORT_BYTES) throw new AgentprError('invalid_input', `${path} is ${size} bytes; import-runs reads at most ${MAX_IMPORT_BYTES}. Split the file.`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof AgentprError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new AgentprError('io', `cannot read ${path}: ${why}`);
  }
}

/** `agentpr import-runs`: many runs at once, in one transaction. */
export const command: CommandSpec = {
  name: 'import-runs',
  summary: 'Create many runs from a JSON array or JSONL file, all or nothing.',
  example: 'agentpr import-runs --file runs.jsonl   # lines like {"owner":"o","repo":"r","prompt_version":"v1"}',
  gate: 'basic',
  options: {
    file: {
      type: 'string',
      value: 'PATH',
      description: 'JSON array or JSONL of {owner, repo, prompt_version, run_id?, budget?, campaign?}; campaign: a known one (default: the campaign folder in use)',
      required: true,
    },
  },
  async run(ctx, values) {
    const path = requireStr(values, 'file');
    // Errors name the file, line and problem, never its content.
    const entries = parseRunsFile(readImportFile(path), basename(path));
    const app = await ctx.app();
    const result = await importRuns(
      app,
      entries.map((e) => e.value),
      entries.map((e) => e.where),
    );
    const created = result.run_ids.length;
    return { output: { ok: true, created }, text: `created ${created} runs` };
  },
};
