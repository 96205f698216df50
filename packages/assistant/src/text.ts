import type { AssistantTier } from './tool.js';

/** `text` cut to `limit` characters, with `…` when something was cut. */
export function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`;
}

/** `text` on one line (runs of whitespace become one space), cut to `limit`. */
export function oneLine(text: string, limit = 300): string {
  return cut(text.replace(/\s+/g, ' ').trim(), limit);
}

const TIER_RANK: Record<AssistantTier, number> = { read: 0, write: 1, admin: 2 };

/** Whether `have` is at least `need` (`read` ⊂ `write` ⊂ `admin`). */
export function tierAllows(have: AssistantTier, need: AssistantTier): boolean {
  return TIER_RANK[have] >= TIER_RANK[need];
}

/** "5 min", "90 s": how long a confirmation waits, for replies. */
export function ttlText(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
}
