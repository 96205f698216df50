import type { ScheduleWindow, Weekday } from '@agentpr/policy';
import { addLocalDays, wallClock, zonedInstants, type WallClock } from './zoned-time.js';

/** A campaign's schedule: windows in one IANA time zone (`EffectiveEtiquette.schedule`). No windows: always open. */
export interface Schedule {
  time_zone: string;
  windows: readonly ScheduleWindow[];
}

/** Whether PRs may be opened now, and when the schedule next opens when it is closed. */
export interface ScheduleState {
  open: boolean;
  /** The next instant the schedule opens; null when it is open now (or never opens, which valid windows cannot do). */
  nextOpenAt: Date | null;
}

const WEEKDAY_INDEX: Readonly<Record<Weekday, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
/** Days ahead searched for the next opening: a week, plus one day for a window that starts after the last midnight. */
const LOOKAHEAD_DAYS = 8;

/** Minutes since midnight of `HH:MM` (`24:00` = 1440). */
function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function onDay(window: ScheduleWindow, weekday: number): boolean {
  return window.days.some((d) => WEEKDAY_INDEX[d] === weekday);
}

/**
 * Whether a window holds a wall-clock reading. A window runs on each of its days from `start` up to `end` (end
 * exclusive) by the wall clock of the schedule's zone, so on a DST day it lasts an hour more or less. When `end` is
 * not after `start` it crosses midnight: it starts on its day and ends on the next (`end` equal to `start`: 24 hours).
 */
function windowHolds(window: ScheduleWindow, clock: WallClock): boolean {
  const start = minutes(window.start);
  const end = minutes(window.end);
  const now = clock.minuteOfDay;
  if (start < end) return onDay(window, clock.weekday) && now >= start && now < end;
  const yesterday = (clock.weekday + 6) % 7;
  return (onDay(window, clock.weekday) && now >= start) || (onDay(window, yesterday) && now < end);
}

/** Whether the schedule is open at an instant (no windows: always). */
export function scheduleOpenAt(schedule: Schedule, instant: Date): boolean {
  if (schedule.windows.length === 0) return true;
  const clock = wallClock(schedule.time_zone, instant);
  return schedule.windows.some((w) => windowHolds(w, clock));
}

/**
 * Whether PRs may be opened at `now` under a schedule of windows in an IANA time zone, and, when not, the next
 * instant they may. Wall-clock based and DST-correct: a window starting at a time the clocks skip opens when they
 * jump (02:30 on the last Sunday of March in Europe/Berlin opens at 03:00 CEST), and one starting at a time they
 * repeat opens at its first occurrence. No windows: always open. Throws a RangeError for an unknown zone (the
 * policy schema refuses one before it gets here).
 *
 * @example
 * scheduleState({ time_zone: 'Europe/Berlin', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }] }, new Date('2026-11-23T07:00:00Z'));
 * // → { open: false, nextOpenAt: 2026-11-23T08:00:00.000Z }
 */
export function scheduleState(schedule: Schedule, now: Date): ScheduleState {
  if (scheduleOpenAt(schedule, now)) return { open: true, nextOpenAt: null };
  const today = wallClock(schedule.time_zone, now);
  let next: Date | null = null;
  for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset += 1) {
    const date = addLocalDays(today.year, today.month, today.day, offset);
    for (const window of schedule.windows) {
      if (!onDay(window, date.weekday)) continue;
      // A start the clocks repeat opens twice; one that they skip opens at the jump, unless the window ends inside
      // the skipped hour too (then it does not open that day).
      for (const opens of zonedInstants(schedule.time_zone, date.year, date.month, date.day, minutes(window.start))) {
        if (opens.getTime() <= now.getTime() || !scheduleOpenAt(schedule, opens)) continue;
        if (next === null || opens.getTime() < next.getTime()) next = opens;
      }
    }
    if (next !== null) break;
  }
  return { open: false, nextOpenAt: next };
}

/** The windows as one short line: `Europe/Berlin mon,tue 09:00-17:00; sat 10:00-12:00`. */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.windows.length === 0) return `${schedule.time_zone} any time`;
  return `${schedule.time_zone} ${schedule.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end}`).join('; ')}`;
}

/** An instant as a wall-clock reading in a zone, to the minute: `2026-11-24 09:00 Europe/Berlin`. */
export function formatZoned(instant: Date, timeZone: string): string {
  const c = wallClock(timeZone, instant);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(Math.floor(c.minuteOfDay / 60))}:${pad(c.minuteOfDay % 60)} ${timeZone}`;
}
