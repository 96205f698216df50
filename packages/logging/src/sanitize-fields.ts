import { REDACTED, isSecretKey } from './secret-keys.js';

/** Replaces secret values in a text (agentpr's `SecretRedactor.redact`). */
export type RedactText = (text: string) => string;

/** Deeper than this, a value is logged as `[depth limit]`: log fields are small records, not documents. */
const MAX_DEPTH = 8;

/**
 * A copy of `fields` that is safe to log: the value under any {@link isSecretKey} name becomes `***` at any depth,
 * `redact` is applied to every string (and to an Error's message and stack), cycles become `[circular]`, and
 * bigints become strings. Plain objects, arrays and errors are copied; other objects (Date, URL) are kept as is.
 */
export function sanitizeFields(fields: Record<string, unknown>, redact: RedactText): Record<string, unknown> {
  return sanitizeRecord(fields, redact, new WeakSet(), 0);
}

function sanitizeRecord(record: object, redact: RedactText, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = isSecretKey(key) && value !== undefined && value !== null ? REDACTED : sanitizeValue(value, redact, seen, depth + 1);
  }
  return out;
}

function sanitizeValue(value: unknown, redact: RedactText, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth > MAX_DEPTH) return '[depth limit]';
  seen.add(value);
  try {
    if (value instanceof Error) return sanitizeError(value, redact, seen, depth);
    if (Array.isArray(value)) return value.map((item: unknown) => sanitizeValue(item, redact, seen, depth + 1));
    if (!isPlainObject(value)) return value;
    return sanitizeRecord(value, redact, seen, depth);
  } finally {
    seen.delete(value);
  }
}

/** An error as pino's err serializer shapes it (`type`, `message`, `stack`, own fields), redacted. */
function sanitizeError(error: Error, redact: RedactText, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const own = sanitizeRecord(error, redact, seen, depth);
  const cause = error.cause === undefined ? {} : { cause: sanitizeValue(error.cause, redact, seen, depth + 1) };
  return { type: error.name, message: redact(error.message), ...own, ...(error.stack ? { stack: redact(error.stack) } : {}), ...cause };
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
