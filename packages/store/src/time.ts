/** A source of the current time; tests pass a fixed one. */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();

/** ISO-8601 UTC with milliseconds (`2026-02-25T00:47:07.861Z`); lexical order is time order. */
export function iso(date: Date): string {
  return date.toISOString();
}
