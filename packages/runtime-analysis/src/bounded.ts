/**
 * The size caps of the stream analysis: every list and map the analyser keeps is capped by one of these, so a
 * 1 GB stream needs no more than a few MB.
 */
export const LIMITS = {
  malformed: 20,
  eventTypes: 500,
  unknownTypes: 100,
  typeCache: 1000,
  skills: 200,
  distinctCommands: 20_000,
  listedCommands: 2000,
  commandTextSample: 200,
  eventsSample: 80,
  durations: 20,
  inFlight: 10_000,
  testEvidence: 5000,
  failureRecords: 2000,
  resolvedRecords: 40,
  listedFailedCommands: 40,
  listedTestFailures: 60,
  allowlistMatches: 20,
  gitCommands: 200,
  violations: 500,
  findings: 200,
  hidden: 20,
  failureMessages: 20,
  warnings: 10,
  fileChanges: 200,
  refused: 200,
  fallback: 200,
  fallbackStderrChars: 1024 * 1024,
  fallbackLineChars: 64 * 1024,
  fallbackStderrLines: 20,
  outputForMatching: 64 * 1024,
  messageChars: 16 * 1024,
  lastMessageChars: 4000,
  maxLineChars: 8 * 1024 * 1024,
} as const;

/**
 * A flat copy of a string. V8 may return substrings of the parsed line from JSON.parse; keeping such a string
 * keeps the whole (possibly huge) line alive. Everything the analyser retains goes through this.
 */
export function detach(s: string): string {
  return s.length === 0 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** Counts `key` in `map`; a new key is added only while the map holds fewer than `cap` keys. */
export function bump(map: Map<string, number>, key: string, cap: number): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < cap) map.set(detach(key), 1);
}

/** Appends `item` while `list` holds fewer than `cap` items; returns whether it was kept. */
export function pushCapped<T>(list: T[], item: T, cap: number): boolean {
  if (list.length >= cap) return false;
  list.push(item);
  return true;
}

/** Sets `key` once (the first value wins) while `map` holds fewer than `cap` keys. */
export function setOnce<K, V>(map: Map<K, V>, key: K, cap: number, value: () => V): void {
  if (!map.has(key) && map.size < cap) map.set(key, value());
}

/** The end of `text`, at most `max` characters (prefixed with `…` when cut), trailing whitespace trimmed. */
export function excerpt(text: string | null | undefined, max = 400): string {
  if (!text) return '';
  // cut before trimming: outputs can be large
  const t = (text.length > max + 1024 ? text.slice(text.length - max - 1024) : text).trimEnd();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

/** The sentence (or line) of `text` around `index`, at most `max` characters (suffixed with `…` when cut). */
export function sentenceAround(text: string, index: number, max = 200): string {
  let start = Math.max(text.lastIndexOf('\n', index), text.lastIndexOf('. ', index));
  start = start < 0 ? 0 : start + 1;
  let end = text.indexOf('\n', index);
  if (end < 0) end = text.length;
  const s = text.slice(start, end).trim();
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
