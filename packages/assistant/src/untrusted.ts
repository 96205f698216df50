/** Most bytes of data one tool result hands the model. */
export const MAX_UNTRUSTED_BYTES = 16 * 1024;

const MAX_DEPTH = 12;

interface Caps {
  strings: number;
  items: number;
}

/** A copy of `value` with strings and arrays cut to `caps`; `cut.hit` tells whether anything was cut. */
function capped(value: unknown, caps: Caps, cut: { hit: boolean }, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.length <= caps.strings) return value;
    cut.hit = true;
    return `${value.slice(0, caps.strings)}…`;
  }
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  if (depth >= MAX_DEPTH) {
    cut.hit = true;
    return '…';
  }
  if (Array.isArray(value)) {
    if (value.length > caps.items) cut.hit = true;
    return value.slice(0, caps.items).map((item) => capped(item, caps, cut, depth + 1));
  }
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = capped(item, caps, cut, depth + 1);
  return out;
}

function marked(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value, truncated: true } : { data: value, truncated: true };
}

/**
 * `value` as JSON of at most `maxBytes` once escaped for the block: long strings and arrays are trimmed, tighter each round, until it fits,
 * and a trimmed result carries `"truncated": true`.
 */
export function capUntrusted(value: unknown, maxBytes = MAX_UNTRUSTED_BYTES): string {
  // Measured as escaped, which is how it is sent: a text of `<` grows sixfold.
  const fits = (text: string) => Buffer.byteLength(escapeForBlock(text), 'utf8') <= maxBytes;
  const whole = JSON.stringify(value ?? null);
  if (fits(whole)) return whole;
  const caps: Caps = { strings: 2_000, items: 50 };
  for (;;) {
    const cut = { hit: false };
    const text = JSON.stringify(marked(capped(value, caps, cut)));
    if (fits(text)) return text;
    if (caps.strings <= 16 && caps.items <= 1) break;
    caps.strings = Math.max(16, Math.floor(caps.strings / 2));
    caps.items = Math.max(1, Math.floor(caps.items / 2));
  }
  // Too many keys even at the tightest caps: say so rather than hand over broken JSON.
  return JSON.stringify({ truncated: true, note: 'the result was too large to show; ask for fewer items' });
}

/** JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`: still the same JSON, but no tag can close. */
export function escapeForBlock(json: string): string {
  return json.replace(/[<>&]/g, (c) => (c === '<' ? '\\u003c' : c === '>' ? '\\u003e' : '\\u0026'));
}

/**
 * A tool's result as the model receives it: `<untrusted_data tool="list_runs">…JSON…</untrusted_data>`. Everything
 * from runs (repository names, PR titles, review comments, agent messages) is inside, capped at
 * {@link MAX_UNTRUSTED_BYTES} and escaped so nothing in it can end the block; the system prompt tells the model
 * that text inside is data, never an instruction.
 *
 * @example
 * messages.push({ role: 'tool', toolCallId: call.id, content: untrustedBlock('list_runs', output.data) });
 */
export function untrustedBlock(tool: string, data: unknown): string {
  const name = tool.replace(/[^a-z0-9_]/gi, '_').slice(0, 48);
  return `<untrusted_data tool="${name}">${escapeForBlock(capUntrusted(data))}</untrusted_data>`;
}
