import { classifyCheckItem, type CheckItem } from '@agentpr/github';
import type { RunEvent } from '@agentpr/state-machine';

/** Most failing check names one `github.check.completed` event records. */
export const MAX_FAILING_CHECKS = 20;
/** Longest check name recorded, in characters; longer names are cut with `…`. */
export const MAX_CHECK_NAME = 200;

// Every C0 and C1 control (tab and newline included: a name is one line), DEL, and the bidi controls a reader cannot see.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

/**
 * One check name as it is safe to store and show: control characters stripped, whitespace runs as one space,
 * trimmed, at most {@link MAX_CHECK_NAME} characters (cut on a code point). `null` for anything that is not a
 * string or is empty afterwards. Check names come from strangers' CI configuration: hostile input.
 */
export function cleanCheckName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const flat = raw.slice(0, MAX_CHECK_NAME * 8).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (!flat) return null;
  const chars = Array.from(flat);
  return chars.length > MAX_CHECK_NAME ? `${chars.slice(0, MAX_CHECK_NAME - 1).join('')}…` : flat;
}

/** `names` cleaned by {@link cleanCheckName}, without empties and repeats, at most {@link MAX_FAILING_CHECKS}. */
export function boundedCheckNames(names: Iterable<unknown>): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const name = cleanCheckName(raw);
    if (name !== null && !out.includes(name)) out.push(name);
    if (out.length >= MAX_FAILING_CHECKS) break;
  }
  return out;
}

/** The names of the failing check runs and status contexts among a commit's CI signals, bounded. */
export function failingCheckNames(items: readonly CheckItem[]): string[] {
  return boundedCheckNames(items.filter((item) => classifyCheckItem(item) === 'failure').map((item) => (item.kind === 'check_run' ? item.name : item.context)));
}

/**
 * The failing check a webhook delivery names: the check run's name (`check_run`), the workflow's name
 * (`workflow_run`) or the status context (`status`). A `check_suite` names no check (its app is not one), so it
 * gives none; so does any other event.
 */
export function webhookFailingChecks(eventName: string, payload: unknown): string[] {
  const body = obj(payload);
  switch (eventName) {
    case 'check_run':
      return boundedCheckNames([obj(body?.check_run)?.name]);
    case 'workflow_run':
      return boundedCheckNames([obj(body?.workflow_run)?.name]);
    case 'status':
      return boundedCheckNames([body?.context]);
    default:
      return [];
  }
}

/** `{ failing_checks }` to spread into a failed verdict's event when names are known; nothing when none are. */
export function failingChecksField(names: readonly string[]): { failing_checks?: string[] } {
  return names.length > 0 ? { failing_checks: [...names] } : {};
}

/**
 * A CI verdict event with the failing checks' names (additive payload field `failing_checks`). The inbox, the bot
 * and inspect-run read it; the state machine ignores it.
 */
export type CheckVerdictEvent = Extract<RunEvent, { type: 'github.check.completed' }>;
