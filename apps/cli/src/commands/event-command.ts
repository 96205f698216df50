import { applyCommand, type RunCommand } from '@agentpr/orchestrator';
import type { CommandSpec, OptionSpec, OptionValues } from '../command.js';
import { requireStr, str } from '../values.js';

const RUN_ID: OptionSpec = { type: 'string', value: 'ID', description: 'the run', required: true };
const IDEMPOTENCY: OptionSpec = { type: 'string', value: 'KEY', description: 'a repeat with the same key is reported as duplicate and changes nothing' };

/**
 * Builds a gated (`basic`) command that applies one event to one run and prints the result object.
 * A stored-but-refused github event (the `refused` kind of record-check, record-review) exits 1.
 */
export function eventCommand(def: {
  name: string;
  summary: string;
  example: string;
  options?: Record<string, OptionSpec>;
  toCommand: (values: OptionValues) => RunCommand;
}): CommandSpec {
  return {
    name: def.name,
    summary: def.summary,
    example: def.example,
    gate: 'basic',
    options: { 'run-id': RUN_ID, ...def.options, 'idempotency-key': IDEMPOTENCY },
    async run(ctx, values) {
      const command = def.toCommand(values);
      const app = await ctx.app();
      const applied = await applyCommand(app, requireStr(values, 'run-id'), command, str(values, 'idempotency-key'));
      const result = applied.result;
      return {
        output: result,
        // A stored-but-refused github fact (record-check, record-review) is a failure.
        status: applied.kind === 'refused' ? 'failed' : 'ok',
        text: `${result.run_id}: ${result.event_type} → ${result.state}${result.duplicate ? ' (duplicate, nothing changed)' : ''}${result.applied === false ? ` (stored, not applied: ${result.reason})` : ''}`,
      };
    },
  };
}
