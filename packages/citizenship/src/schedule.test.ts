import { describe, expect, it } from 'vitest';
import type { ScheduleWindow } from '@agentpr/policy';
import { describeSchedule, formatZoned, scheduleOpenAt, scheduleState, type Schedule } from './schedule.js';
import { wallClock, zonedInstant, zonedInstants, zoneOffsetMs } from './zoned-time.js';

const at = (iso: string) => new Date(iso);
const berlin = (...windows: ScheduleWindow[]): Schedule => ({ time_zone: 'Europe/Berlin', windows });
const weekdays: ScheduleWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };
const state = (schedule: Schedule, iso: string) => {
  const s = scheduleState(schedule, at(iso));
  return { open: s.open, nextOpenAt: s.nextOpenAt?.toISOString() ?? null };
};

describe('zoned time', () => {
  it('wallClock reads the local date, minute and weekday in the zone', () => {
    // 2026-11-23 is a Monday; Berlin is UTC+1 in winter.
    expect(wallClock('Europe/Berlin', at('2026-11-23T23:30:00Z'))).toMatchObject({ year: 2026, month: 11, day: 24, minuteOfDay: 30, weekday: 2 });
    expect(wallClock('America/New_York', at('2026-07-01T03:00:00Z'))).toMatchObject({ day: 30, minuteOfDay: 23 * 60, weekday: 2 });
  });

  it('zoneOffsetMs follows DST: Berlin +1 h in winter, +2 h in summer', () => {
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2026-01-15T12:00:00Z'))).toBe(3_600_000);
    expect(zoneOffsetMs('Europe/Berlin', Date.parse('2026-07-15T12:00:00Z'))).toBe(7_200_000);
    expect(zoneOffsetMs('UTC', Date.parse('2026-07-15T12:00:00.500Z'))).toBe(0);
  });

  it('zonedInstant: a plain time, a time skipped in spring (the jump), a time repeated in autumn (the first)', () => {
    expect(zonedInstant('Europe/Berlin', 2026, 11, 23, 9 * 60).toISOString()).toBe('2026-11-23T08:00:00.000Z');
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
    expect(zonedInstant('Europe/Berlin', 2026, 3, 29, 150).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(zonedInstant('Europe/Berlin', 2026, 3, 29, 180).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 25 October 2026: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    expect(zonedInstant('Europe/Berlin', 2026, 10, 25, 150).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedInstants('Europe/Berlin', 2026, 10, 25, 150).map((d) => d.toISOString())).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    expect(zonedInstant('Europe/Berlin', 2026, 10, 25, 1440).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('an unknown zone is a RangeError that names it', () => {
    expect(() => wallClock('Mars/Olympus', at('2026-01-01T00:00:00Z'))).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});

describe('scheduleState', () => {
  it('no windows: always open', () => {
    expect(state({ time_zone: 'UTC', windows: [] }, '2026-11-22T03:00:00Z')).toEqual({ open: true, nextOpenAt: null });
  });

  it('weekday office hours in Berlin: open inside, the next opening before, after and over the weekend', () => {
    const s = berlin(weekdays);
    expect(state(s, '2026-11-23T08:00:00Z')).toEqual({ open: true, nextOpenAt: null }); // Mon 09:00 CET, start inclusive
    expect(state(s, '2026-11-23T15:59:00Z')).toEqual({ open: true, nextOpenAt: null });
    // Mon 17:00 CET: end exclusive; next Tue 09:00 CET.
    expect(state(s, '2026-11-23T16:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-11-24T08:00:00.000Z' });
    expect(state(s, '2026-11-23T07:59:00Z')).toEqual({ open: false, nextOpenAt: '2026-11-23T08:00:00.000Z' });
    // Fri 18:00 CET → Mon 09:00 CET.
    expect(state(s, '2026-11-27T17:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-11-30T08:00:00.000Z' });
  });

  it('a window crossing midnight starts on its day and ends on the next', () => {
    const s = berlin({ days: ['fri'], start: '22:00', end: '02:00' });
    expect(state(s, '2026-11-27T20:59:00Z')).toEqual({ open: false, nextOpenAt: '2026-11-27T21:00:00.000Z' }); // Fri 21:59
    expect(state(s, '2026-11-27T21:00:00Z').open).toBe(true); // Fri 22:00
    expect(state(s, '2026-11-28T00:59:00Z').open).toBe(true); // Sat 01:59
    expect(state(s, '2026-11-28T01:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-12-04T21:00:00.000Z' }); // Sat 02:00 → next Fri
    // Thursday night is not part of it: the window belongs to Friday.
    expect(state(s, '2026-11-26T23:30:00Z').open).toBe(false); // Fri 00:30
  });

  it('end equal to start is a 24-hour window; 24:00 is the end of the day', () => {
    expect(scheduleOpenAt(berlin({ days: ['mon'], start: '12:00', end: '12:00' }), at('2026-11-24T10:59:00Z'))).toBe(true); // Tue 11:59
    expect(scheduleOpenAt(berlin({ days: ['mon'], start: '12:00', end: '12:00' }), at('2026-11-24T11:00:00Z'))).toBe(false);
    expect(scheduleOpenAt(berlin({ days: ['mon'], start: '20:00', end: '24:00' }), at('2026-11-23T22:59:00Z'))).toBe(true); // Mon 23:59
    expect(scheduleOpenAt(berlin({ days: ['mon'], start: '20:00', end: '24:00' }), at('2026-11-23T23:00:00Z'))).toBe(false); // Tue 00:00
  });

  it('DST spring forward (Berlin, last Sunday of March): a window starting in the skipped hour opens at the jump', () => {
    const s = berlin({ days: ['sun'], start: '02:30', end: '05:00' });
    // Sat 28 March 2026 12:00 CET.
    expect(state(s, '2026-03-28T11:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-03-29T01:00:00.000Z' });
    expect(state(s, '2026-03-29T00:59:00Z').open).toBe(false); // 01:59 CET
    expect(state(s, '2026-03-29T01:00:00Z').open).toBe(true); // 03:00 CEST
    expect(state(s, '2026-03-29T02:59:00Z').open).toBe(true); // 04:59 CEST
    expect(state(s, '2026-03-29T03:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-04-05T00:30:00.000Z' }); // next Sunday, 02:30 CEST
  });

  it('DST spring forward: a window wholly inside the skipped hour does not open that day', () => {
    const s = berlin({ days: ['sun'], start: '02:10', end: '02:50' });
    expect(state(s, '2026-03-28T11:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-04-05T00:10:00.000Z' });
  });

  it('DST fall back (Berlin, last Sunday of October): the window follows the wall clock through the repeated hour', () => {
    const s = berlin({ days: ['sun'], start: '02:30', end: '03:00' });
    expect(state(s, '2026-10-24T12:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-10-25T00:30:00.000Z' }); // first 02:30 (CEST)
    expect(state(s, '2026-10-25T00:45:00Z').open).toBe(true); // 02:45 CEST
    // 02:00 CET: before 02:30 again, which comes round a second time an hour after the first.
    expect(state(s, '2026-10-25T01:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-10-25T01:30:00.000Z' });
    expect(state(s, '2026-10-25T01:30:00Z').open).toBe(true); // 02:30 CET, the repeat
    expect(state(s, '2026-10-25T02:00:00Z')).toEqual({ open: false, nextOpenAt: '2026-11-01T01:30:00.000Z' }); // next Sunday, CET
  });

  it('a summer window in Berlin opens at the CEST instant, a winter one at the CET instant', () => {
    const s = berlin({ days: ['mon'], start: '09:00', end: '10:00' });
    expect(state(s, '2026-07-05T12:00:00Z').nextOpenAt).toBe('2026-07-06T07:00:00.000Z');
    expect(state(s, '2026-11-22T12:00:00Z').nextOpenAt).toBe('2026-11-23T08:00:00.000Z');
  });

  it('several windows: the earliest next opening wins, on any day of the week', () => {
    const s: Schedule = { time_zone: 'UTC', windows: [{ days: ['wed'], start: '10:00', end: '11:00' }, { days: ['tue'], start: '15:00', end: '16:00' }] };
    expect(state(s, '2026-11-23T12:00:00Z').nextOpenAt).toBe('2026-11-24T15:00:00.000Z');
    expect(state(s, '2026-11-24T16:00:00Z').nextOpenAt).toBe('2026-11-25T10:00:00.000Z');
    expect(state(s, '2026-11-25T11:00:00Z').nextOpenAt).toBe('2026-12-01T15:00:00.000Z');
  });
});

describe('schedule text', () => {
  it('describeSchedule and formatZoned are one short line each', () => {
    expect(describeSchedule(berlin(weekdays, { days: ['sat'], start: '10:00', end: '12:00' }))).toBe('Europe/Berlin mon,tue,wed,thu,fri 09:00-17:00; sat 10:00-12:00');
    expect(describeSchedule({ time_zone: 'UTC', windows: [] })).toBe('UTC any time');
    expect(formatZoned(at('2026-11-24T08:00:00Z'), 'Europe/Berlin')).toBe('2026-11-24 09:00 Europe/Berlin');
  });
});
