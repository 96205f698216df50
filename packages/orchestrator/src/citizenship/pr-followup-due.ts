import type { EffectiveCampaignRules } from '@agentpr/policy';
import type { PrActivityRow } from '@agentpr/store';

const DAY_MS = 86_400_000;

/** Run states in which a PR waits on its maintainers; in any other state agentpr (or its operator) has the next move. */
export const WAITING_ON_MAINTAINERS: ReadonlySet<string> = new Set(['CI_WAIT', 'REVIEW_WAIT']);

/**
 * What the stale follow-up does next for an open PR:
 * - `off`: the campaign's stale follow-up is disabled, or the run does not wait on maintainers;
 * - `followup`: post the one follow-up now (`resume`: it was claimed before and may have been posted already);
 * - `close`: post the thank-you and close now (`resume`: the close was claimed before);
 * - `wait`: nothing yet; `step` becomes due at `at`.
 */
export type StaleStep =
  | { kind: 'off'; why: string }
  | { kind: 'followup'; resume: boolean; silentDays: number }
  | { kind: 'close'; resume: boolean; silentDays: number }
  | { kind: 'wait'; step: 'followup' | 'close'; at: string };

type StaleRow = Pick<PrActivityRow, 'opened_at' | 'last_maintainer_activity_at' | 'followup_at' | 'followup_comment_id' | 'stale_closed_at'>;

/**
 * The stale follow-up's clock. Silence runs from the later of the opening and the last maintainer activity.
 * - No follow-up yet: it is due after `followup_after_days` of silence.
 * - After the follow-up, with no maintainer activity since: the close is due `close_after_days` after it.
 * - A maintainer active after the follow-up resets the clock: no close then; there is never a second follow-up,
 *   so the close is due only after a whole new silence of `followup_after_days + close_after_days`.
 * A claimed but unfinished close (a crash in between) is finished first, whatever the run's state; a claimed
 * follow-up without its comment id is finished while the run still waits on maintainers.
 */
export function staleStep(row: StaleRow, rules: EffectiveCampaignRules['stale_followup'], runState: string, now: Date): StaleStep {
  const last = row.last_maintainer_activity_at;
  const silenceFrom = Math.max(Date.parse(row.opened_at), last ? Date.parse(last) : 0);
  const silentDays = Math.max(0, Math.floor((now.getTime() - silenceFrom) / DAY_MS));
  // A claimed close may have posted its thank-you already: it is finished whatever happened to the run since.
  if (row.stale_closed_at !== null) return { kind: 'close', resume: true, silentDays };
  if (!rules.enabled) return { kind: 'off', why: 'stale follow-up is off for this campaign' };
  if (!WAITING_ON_MAINTAINERS.has(runState)) return { kind: 'off', why: `the run is ${runState}, not waiting on maintainers` };
  if (row.followup_at === null) {
    const due = silenceFrom + rules.followup_after_days * DAY_MS;
    return now.getTime() >= due ? { kind: 'followup', resume: false, silentDays } : { kind: 'wait', step: 'followup', at: new Date(due).toISOString() };
  }
  if (row.followup_comment_id === null) return { kind: 'followup', resume: true, silentDays };
  const followedUp = Date.parse(row.followup_at);
  const respondedAfter = last !== null && Date.parse(last) > followedUp;
  const due = respondedAfter ? Date.parse(last) + (rules.followup_after_days + rules.close_after_days) * DAY_MS : followedUp + rules.close_after_days * DAY_MS;
  return now.getTime() >= due ? { kind: 'close', resume: false, silentDays } : { kind: 'wait', step: 'close', at: new Date(due).toISOString() };
}

/** A template with its placeholders filled: `{days}`, `{owner}`, `{repo}`, `{pr_number}`; other braces stay as written. */
export function renderStaleTemplate(template: string, values: { days: number; owner: string; repo: string; prNumber: number }): string {
  const map: Record<string, string> = { days: String(values.days), owner: values.owner, repo: values.repo, pr_number: String(values.prNumber) };
  return template.replace(/\{(days|owner|repo|pr_number)\}/g, (_, name: string) => map[name]!);
}
