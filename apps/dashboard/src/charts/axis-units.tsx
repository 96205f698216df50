/** How an axis counts: values are divided by `divisor` and the ticks are labelled in `unit`. */
export interface AxisUnit {
  divisor: number;
  unit: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The unit a duration axis reads best in for values up to `maxMs`: seconds, minutes, hours or days, so nice ticks
 * fall on round numbers of that unit (2, 4, 6 min) instead of round numbers of milliseconds.
 */
export function durationUnit(maxMs: number): AxisUnit {
  if (maxMs >= 2 * DAY) return { divisor: DAY, unit: 'd' };
  if (maxMs >= 2 * HOUR) return { divisor: HOUR, unit: 'h' };
  if (maxMs >= 2 * MINUTE) return { divisor: MINUTE, unit: 'min' };
  if (maxMs >= 2 * SECOND) return { divisor: SECOND, unit: 's' };
  return { divisor: 1, unit: 'ms' };
}

/** An axis of plain counts (runs, deliveries). */
export const COUNT_UNIT: AxisUnit = { divisor: 1, unit: '' };

/** A tick's text: the number in the axis unit, without float noise. */
export function tickText(value: number, unit: AxisUnit): string {
  const n = Number((value).toPrecision(6));
  return unit.unit ? `${n} ${unit.unit}` : String(n);
}
