import { describe, expect, it } from 'vitest';
import { formatUtc, latestToFree, limitState, type LimitInput, type OpenAgentPr } from './etiquette-limits.js';

const NOW = new Date('2026-11-23T14:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const pr = (n: number, repo = 'r'): OpenAgentPr => ({ runId: `run_${n}`, owner: 'o', repo, prNumber: n });
const NO_CAPS = { max_open_prs_per_repo: 0, max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0 };

function input(patch: Omit<Partial<LimitInput>, 'limits'> & { limits?: Partial<LimitInput['limits']> }): LimitInput {
  return { campaign: 'example', owner: 'o', repo: 'r', openInRepo: [], openForOwner: [], openings: [], now: NOW, ...patch, limits: { ...NO_CAPS, ...patch.limits } };
}

describe('limitState', () => {
  it('no caps (all 0): nothing holds however much is open or opened', () => {
    const many = Array.from({ length: 50 }, (_, i) => pr(i));
    expect(limitState(input({ openInRepo: many, openForOwner: many, openings: many.map((_, i) => ago(i)) }))).toEqual({ holds: [], binding: null });
  });

  it('per-repository cap: holds at the cap with the open PRs listed and no known free time; below the cap it passes', () => {
    const state = limitState(input({ limits: { max_open_prs_per_repo: 1 }, openInRepo: [pr(12)] }));
    expect(state.binding).toMatchObject({ limit: 'max_open_prs_per_repo', count: 1, max: 1, freesAt: null, prs: [pr(12)] });
    expect(state.binding?.message).toBe('1 open agent PR in o/r (limit 1); frees when one of these PRs is merged or closed: o/r#12');
    expect(limitState(input({ limits: { max_open_prs_per_repo: 2 }, openInRepo: [pr(12)] })).holds).toEqual([]);
  });

  it('per-owner cap counts across the owner\'s repositories and lists at most five PRs', () => {
    const open = [pr(1, 'a'), pr(2, 'b'), pr(3, 'c'), pr(4, 'd'), pr(5, 'e'), pr(6, 'f'), pr(7, 'g')];
    const state = limitState(input({ limits: { max_open_prs_per_owner: 3 }, openForOwner: open }));
    expect(state.binding?.limit).toBe('max_open_prs_per_owner');
    expect(state.binding?.message).toBe(
      "7 open agent PRs in o's repositories (limit 3); frees when one of these PRs is merged or closed: o/a#1, o/b#2, o/c#3, o/d#4, o/e#5 and 2 more",
    );
  });

  it('hourly limit: counts openings in the last hour; frees when the oldest one is an hour old', () => {
    const state = limitState(input({ limits: { max_prs_per_hour: 2 }, openings: [ago(55), ago(10), ago(61)] }));
    expect(state.binding).toMatchObject({ limit: 'max_prs_per_hour', count: 2, max: 2 });
    expect(state.binding?.freesAt?.toISOString()).toBe('2026-11-23T14:05:00.000Z');
    expect(state.binding?.message).toBe('2 PRs opened by campaign example in the last hour (limit 2); frees at 14:05 UTC');
    // One opening exactly an hour old no longer counts.
    expect(limitState(input({ limits: { max_prs_per_hour: 2 }, openings: [ago(60), ago(10)] })).holds).toEqual([]);
  });

  it('hourly limit over the cap (a lowered limit): frees when enough of the oldest have left the window', () => {
    const state = limitState(input({ limits: { max_prs_per_hour: 2 }, openings: [ago(50), ago(40), ago(30), ago(20)] }));
    expect(state.binding).toMatchObject({ count: 4, max: 2 });
    // Below 2 again when three have left: the third oldest (30 min ago) turns an hour old in 30 min.
    expect(state.binding?.freesAt?.toISOString()).toBe('2026-11-23T14:30:00.000Z');
  });

  it('daily limit: rolling 24 hours, and a free time on another day carries the date', () => {
    const state = limitState(input({ limits: { max_prs_per_day: 2 }, openings: [ago(60), ago(25 * 60), ago(30)] }));
    expect(state.binding).toMatchObject({ limit: 'max_prs_per_day', count: 2 });
    expect(state.binding?.freesAt?.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(state.binding?.message).toBe('2 PRs opened by campaign example in the last 24 hours (limit 2); frees at 2026-11-24 13:00 UTC');
  });

  it('several limits hold: all are listed; an open-PR cap (unknown free time) binds before any dated one', () => {
    const limits = { max_open_prs_per_repo: 1, max_prs_per_hour: 1, max_prs_per_day: 1 };
    const state = limitState(input({ limits, openInRepo: [pr(3)], openings: [ago(30)] }));
    expect(state.holds.map((h) => h.limit)).toEqual(['max_open_prs_per_repo', 'max_prs_per_day', 'max_prs_per_hour']);
    expect(state.binding?.limit).toBe('max_open_prs_per_repo');
    const dated = limitState(input({ limits: { max_prs_per_hour: 1, max_prs_per_day: 1 }, openings: [ago(30)] }));
    expect(dated.binding?.limit).toBe('max_prs_per_day');
  });
});

describe('limit helpers', () => {
  it('formatUtc rounds up to the minute so asking again then succeeds', () => {
    expect(formatUtc(new Date('2026-11-23T14:05:00.000Z'), NOW)).toBe('14:05 UTC');
    expect(formatUtc(new Date('2026-11-23T14:05:00.001Z'), NOW)).toBe('14:06 UTC');
    expect(formatUtc(new Date('2026-11-23T23:59:30.000Z'), NOW)).toBe('2026-11-24 00:00 UTC');
  });

  it('latestToFree: null (unknown) first, then the latest date, first listed on a tie', () => {
    const a = { id: 'a', freesAt: new Date(1) };
    const b = { id: 'b', freesAt: new Date(2) };
    const c = { id: 'c', freesAt: new Date(2) };
    const u = { id: 'u', freesAt: null };
    expect(latestToFree([a, b, c])?.id).toBe('b');
    expect(latestToFree([a, u, b])?.id).toBe('u');
    expect(latestToFree([])).toBeNull();
  });
});
