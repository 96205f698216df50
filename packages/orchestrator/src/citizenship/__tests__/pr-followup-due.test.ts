import { describe, expect, it } from 'vitest';
import { BUILTIN_CAMPAIGN_RULES } from '@agentpr/policy';
import { renderStaleTemplate, staleStep } from '../pr-followup-due.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const day = (n: number) => new Date(T0 + n * DAY).toISOString();
const rules = { ...BUILTIN_CAMPAIGN_RULES.stale_followup, enabled: true, followup_after_days: 7, close_after_days: 5 };
const row = (patch: Partial<Parameters<typeof staleStep>[0]> = {}) => ({
  opened_at: day(0), last_maintainer_activity_at: null, followup_at: null, followup_comment_id: null, stale_closed_at: null, ...patch,
});
const at = (n: number) => new Date(T0 + n * DAY);

describe('staleStep', () => {
  it('is off unless enabled and the run waits on maintainers', () => {
    expect(staleStep(row(), { ...rules, enabled: false }, 'REVIEW_WAIT', at(30))).toEqual({ kind: 'off', why: 'stale follow-up is off for this campaign' });
    expect(staleStep(row(), rules, 'PAUSED', at(30))).toEqual({ kind: 'off', why: 'the run is PAUSED, not waiting on maintainers' });
  });

  it('times the follow-up from the opening or the last maintainer activity, whichever is later', () => {
    expect(staleStep(row(), rules, 'CI_WAIT', at(6.9))).toEqual({ kind: 'wait', step: 'followup', at: day(7) });
    expect(staleStep(row(), rules, 'CI_WAIT', at(7))).toEqual({ kind: 'followup', resume: false, silentDays: 7 });
    expect(staleStep(row({ last_maintainer_activity_at: day(3) }), rules, 'REVIEW_WAIT', at(9))).toEqual({ kind: 'wait', step: 'followup', at: day(10) });
  });

  it('closes close_after_days after the follow-up; activity after it pushes the close by a whole new silence', () => {
    const followed = row({ followup_at: day(7), followup_comment_id: '1' });
    expect(staleStep(followed, rules, 'REVIEW_WAIT', at(11))).toEqual({ kind: 'wait', step: 'close', at: day(12) });
    expect(staleStep(followed, rules, 'REVIEW_WAIT', at(12))).toEqual({ kind: 'close', resume: false, silentDays: 12 });
    expect(staleStep({ ...followed, last_maintainer_activity_at: day(6) }, rules, 'REVIEW_WAIT', at(12))).toMatchObject({ kind: 'close' });
    expect(staleStep({ ...followed, last_maintainer_activity_at: day(9) }, rules, 'REVIEW_WAIT', at(20))).toEqual({ kind: 'wait', step: 'close', at: day(21) });
  });

  it('finishes a claimed follow-up while the run waits, and a claimed close whatever the run or the settings say now', () => {
    expect(staleStep(row({ followup_at: day(7) }), rules, 'CI_WAIT', at(7.1))).toEqual({ kind: 'followup', resume: true, silentDays: 7 });
    expect(staleStep(row({ followup_at: day(7) }), rules, 'ITERATING', at(7.1))).toMatchObject({ kind: 'off' });
    const claimed = row({ followup_at: day(7), followup_comment_id: '1', stale_closed_at: day(12) });
    expect(staleStep(claimed, { ...rules, enabled: false }, 'NEEDS_HUMAN_REVIEW', at(13))).toEqual({ kind: 'close', resume: true, silentDays: 13 });
  });
});

describe('renderStaleTemplate', () => {
  it('fills {days} {owner} {repo} {pr_number} and leaves other braces as written', () => {
    expect(renderStaleTemplate('{owner}/{repo}#{pr_number}: {days} days {unknown} {days}', { days: 9, owner: 'acme', repo: 'w', prNumber: 4 })).toBe('acme/w#4: 9 days {unknown} 9');
  });
});
