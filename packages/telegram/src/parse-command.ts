/** The outcome of splitting a command line into words. */
export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; error: string };

/**
 * Splits text into words with POSIX shell-like rules: whitespace separates words; `'…'` is literal; `"…"`
 * keeps spaces and honours `\"` and `\\`; a backslash outside quotes escapes the next character. Nothing is
 * expanded. Fails on an unbalanced quote or a trailing backslash.
 *
 * @example
 * tokenize(`/retry run_1 "NEEDS_HUMAN_REVIEW"`) // → { ok: true, tokens: ['/retry', 'run_1', 'NEEDS_HUMAN_REVIEW'] }
 */
export function tokenize(text: string): TokenizeResult {
  const tokens: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) tokens.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') {
      if (i + 1 >= text.length) return { ok: false, error: 'a backslash at the end has nothing to escape' };
      current += text[++i];
    } else current += ch;
  }
  if (quote) return { ok: false, error: `no closing ${quote === '"' ? 'double' : 'single'} quote` };
  if (inWord) tokens.push(current);
  return { ok: true, tokens };
}

/** A text that starts with `/`, as the bot sees it. */
export type ParsedCommand =
  /** A well-formed command: `name` is lower-cased without `/` and `@botname`. */
  | { kind: 'command'; name: string; args: string[] }
  /** Starts like a command but cannot be split into words (e.g. an unbalanced quote). */
  | { kind: 'invalid'; name: string; error: string }
  /** A command addressed to another bot in a group (`/list@OtherBot`): not ours to answer. */
  | { kind: 'other_bot'; name: string };

/**
 * Parses a chat text into a command: only texts starting with `/` are commands; the first word,
 * without its `@botname` suffix and lower-cased, is the command; the other words are its arguments. Returns
 * `null` for ordinary text. With `botUsername`, a suffix naming another bot yields `other_bot`.
 *
 * @example
 * parseCommand('/Show@agentpr_bot run_1', { botUsername: 'agentpr_bot' }) // → { kind: 'command', name: 'show', args: ['run_1'] }
 */
export function parseCommand(text: string, options: { botUsername?: string | undefined } = {}): ParsedCommand | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('/')) return null;
  const head = /^\/([^\s@]*)(?:@(\S*))?/.exec(trimmed);
  const rawName = head?.[1] ?? '';
  if (!rawName) return null;
  const name = rawName.toLowerCase();
  const mention = head?.[2];
  if (mention !== undefined && options.botUsername && mention.toLowerCase() !== options.botUsername.toLowerCase()) {
    return { kind: 'other_bot', name };
  }
  const split = tokenize(trimmed);
  if (!split.ok) return { kind: 'invalid', name, error: split.error };
  return { kind: 'command', name, args: split.tokens.slice(1) };
}
