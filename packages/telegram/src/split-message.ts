/** Telegram's limit on the text of one message, in UTF-16 code units. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** How a long reply is cut into messages. */
export interface SplitOptions {
  /** Longest message; default 4096. */
  limit?: number;
  /** Most messages one reply may use; the rest is cut with a note. Default 8. */
  maxParts?: number;
}

/**
 * Splits a reply into Telegram messages of at most `limit` characters: whole lines are kept together
 * where possible, a line longer than the limit is cut at the limit (never inside a surrogate pair). A reply
 * that would need more than `maxParts` messages is truncated, and its last message ends with a note saying
 * how much was left out. An empty reply becomes `(no output)`, since Telegram refuses empty messages.
 *
 * @example
 * splitMessage('a\n'.repeat(5000)).length // → 3
 */
export function splitMessage(text: string, options: SplitOptions = {}): string[] {
  const limit = options.limit ?? TELEGRAM_MESSAGE_LIMIT;
  const maxParts = options.maxParts ?? 8;
  if (limit < 200) throw new Error('splitMessage: limit must be at least 200');
  if (text.length === 0) return ['(no output)'];
  const parts: string[] = [];
  let current = '';
  let currentUsed = false;
  const flush = () => {
    parts.push(current);
    current = '';
    currentUsed = false;
  };
  for (const line of text.split('\n')) {
    let rest = line;
    if (currentUsed && current.length + 1 + rest.length <= limit) {
      current += `\n${rest}`;
      continue;
    }
    if (currentUsed) flush();
    while (rest.length > limit) {
      const end = safeCut(rest, limit);
      parts.push(rest.slice(0, end));
      rest = rest.slice(end);
    }
    current = rest;
    currentUsed = true;
  }
  if (currentUsed) flush();
  if (parts.length <= maxParts) return parts;
  return truncateParts(parts, maxParts, limit);
}

function safeCut(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

function truncateParts(parts: string[], maxParts: number, limit: number): string[] {
  const kept = parts.slice(0, maxParts);
  const dropped = parts.slice(maxParts).reduce((n, p) => n + p.length, 0);
  const note = (extra: number) => `\n… reply cut: ${dropped + extra} more characters not shown. Use the agentpr CLI for the full output.`;
  const last = kept[maxParts - 1]!;
  const room = limit - note(last.length).length;
  const cut = last.length > room ? safeCut(last, room) : last.length;
  kept[maxParts - 1] = last.slice(0, cut) + note(last.length - cut);
  return kept;
}
