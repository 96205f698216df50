// Wall-clock time in an IANA time zone with nothing but Intl: what a clock on the wall shows at an instant, and the
// instant a wall-clock time first happens. DST gaps and repeats are handled where they occur (see zonedInstant).

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

/** What a wall clock in a time zone shows: the local date, the minute of the day (0..1439) and the weekday (0 = Sunday). */
export interface WallClock {
  year: number;
  /** 1..12. */
  month: number;
  day: number;
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
  weekday: number;
  /** The wall-clock reading as if it were UTC, in ms: comparable across days, the same scale as `Date.UTC`. */
  wallMs: number;
}

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as Europe/Berlin or UTC`);
    }
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock reading (as if UTC, whole seconds) of `instantMs` in `timeZone`. */
function wallMsAt(timeZone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
}

/** The zone's offset from UTC at an instant, in ms (Europe/Berlin in winter: 3 600 000). */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  return wallMsAt(timeZone, instantMs) - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

/** What a wall clock in `timeZone` shows at `instant`. Throws a RangeError naming the zone when it is unknown. */
export function wallClock(timeZone: string, instant: Date): WallClock {
  const wallMs = wallMsAt(timeZone, instant.getTime());
  const date = new Date(wallMs);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    minuteOfDay: date.getUTCHours() * 60 + date.getUTCMinutes(),
    weekday: date.getUTCDay(),
    wallMs,
  };
}

/**
 * The first instant at which a wall clock in `timeZone` shows `minuteOfDay` (0..1440, 1440 = the next midnight) of
 * the local date `year-month-day`, or a later time: a time repeated when the clocks go back is its first
 * occurrence, and a time skipped when they go forward (02:30 on the day Europe/Berlin jumps from 02:00 to 03:00)
 * is the moment the clocks jump (03:00 local), when a wall clock first shows a time at or after it.
 *
 * @example
 * zonedInstant('Europe/Berlin', 2026, 3, 29, 150).toISOString(); // '2026-03-29T01:00:00.000Z' (03:00 CEST)
 */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, minuteOfDay: number): Date {
  return zonedInstants(timeZone, year, month, day, minuteOfDay)[0] as Date;
}

/**
 * Every instant at which a wall clock in `timeZone` first reaches `minuteOfDay` of a local date, earliest first:
 * one for most times, two for a time the clocks repeat when they go back, and for a time they skip, the jump
 * (see {@link zonedInstant}).
 */
export function zonedInstants(timeZone: string, year: number, month: number, day: number, minuteOfDay: number): Date[] {
  const target = Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE_MS;
  // Zone offsets change at most once within a day on either side of the target, so one of the offsets around it
  // fits unless the target falls into a gap.
  const offsets = new Set([zoneOffsetMs(timeZone, target - DAY_MS), zoneOffsetMs(timeZone, target), zoneOffsetMs(timeZone, target + DAY_MS)]);
  const candidates = [...offsets].map((offset) => target - offset).sort((a, b) => a - b);
  const fits = candidates.filter((instant) => wallMsAt(timeZone, instant) === target);
  if (fits.length > 0) return fits.map((instant) => new Date(instant));
  // A gap: the first minute whose wall clock reads at or after the target.
  let low = Math.floor((Math.min(...candidates) - DAY_MS) / MINUTE_MS);
  let high = Math.ceil((Math.max(...candidates) + DAY_MS) / MINUTE_MS);
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (wallMsAt(timeZone, mid * MINUTE_MS) >= target) high = mid;
    else low = mid + 1;
  }
  return [new Date(low * MINUTE_MS)];
}

/** The local date `days` after `year-month-day` (calendar arithmetic, no zone involved). */
export function addLocalDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number; weekday: number } {
  const date = new Date(Date.UTC(year, month - 1, day) + days * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay() };
}
