import { formatDuration } from '@agentpr/reports/format-duration';
import { getRun, type RunWithState } from '@agentpr/store';
import { AgentprError, type AppContext } from '@agentpr/orchestrator';

/** How long a string from run data may be in a tool's data. */
export const MAX_TEXT = 300;
/** How many items a list in a tool's data may hold. */
export const MAX_ITEMS = 50;

/** `text` cut to `max` characters (an ellipsis marks the cut); null stays null. */
export function clip(text: string | null | undefined, max = MAX_TEXT): string | null {
  if (text === null || text === undefined) return null;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** "12 min ago" for a timestamp; the timestamp itself when it cannot be read. */
export function ago(at: string, now: Date): string {
  const ms = now.getTime() - Date.parse(at);
  return Number.isFinite(ms) ? `${formatDuration(Math.max(ms, 0))} ago` : at;
}

/** `n thing` or `n things`. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/**
 * The run and its state; throws `AgentprError('not_found')` with "Run <id> not found" (the model is told, nothing
 * runs) when the store has no such run.
 */
export async function requireRun(ctx: AppContext, runId: string): Promise<RunWithState> {
  const found = await getRun(ctx.db, runId);
  if (!found) throw new AgentprError('not_found', `Run ${runId} not found; list_runs shows the runs.`);
  return found;
}
