/** What every redacted secret becomes. One fixed marker, so a reader sees that something was there but not what. */
export const REDACTED = '***';

/**
 * Replaces agentpr's own secret values in text and in JSON-like values. Built once per process from its
 * environment (see {@link createSecretRedactor}); cheap to call on large texts.
 */
export interface SecretRedactor {
  /** `text` with every known secret value (and any `scheme://user:password@` password) replaced by `***`. */
  redact(text: string): string;
  /**
   * A copy of `value` with {@link SecretRedactor.redact} applied to every string, object key and array item, at
   * any depth. Plain objects and arrays are copied; other objects (Date, Buffer, class instances) are kept as is.
   */
  redactDeep<T>(value: T): T;
  /** How many distinct secret values are known (for tests and `doctor`; never the values themselves). */
  readonly values: number;
}

/** Extra secrets that are not in the environment, e.g. from flags: `{ '--secret': value }`. Names are for docs only. */
export type ExtraSecrets = Readonly<Record<string, string | undefined>>;

/** Env names read as secrets whatever their shape: tokens agentpr uses and the model keys the agent receives. */
export const KNOWN_SECRET_ENV_NAMES: readonly string[] = Object.freeze([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'AGENTPR_TELEGRAM_BOT_TOKEN',
  'AGENTPR_GITHUB_WEBHOOK_SECRET',
  'AGENTPR_GITHUB_WEBHOOK_SECRET_PREVIOUS',
  'AGENTPR_WEBHOOK_METRICS_TOKEN',
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'ANTHROPIC_API_KEY',
  'AGENTPR_LLM_API_KEY',
  'AGENTPR_DASHBOARD_TOKEN',
]);

/** An env name that looks like it holds a secret. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL/i;

/**
 * Shorter values are not redacted: they would blank out ordinary words and numbers everywhere (a 4-character
 * "secret" matches inside hashes and ids), and a real token is far longer.
 */
export const MIN_SECRET_LENGTH = 8;

/** Values that are too common to be anyone's secret alone; redacting them would mangle ordinary output. */
const COMMON_VALUES = new Set(['password', 'postgres', 'postgresql', 'localhost', 'changeme', '12345678', 'undefined', 'true', 'false', 'null']);

/**
 * A `scheme://user:password@` credential in any text, whether or not its password is a known value. Anchored on
 * the literal `://` and with no class that can cross a `/`, so each attempt stops at the next `/`: linear in the
 * text length even on hostile input (a scheme prefix like `[a-z][a-z0-9+.-]*` before it is quadratic on a long
 * run of letters).
 */
const URL_CREDENTIAL = /:\/\/([^\s/:@'"<>]*):([^\s@/'"<>]+)@/g;

function usable(value: string | undefined): value is string {
  if (value === undefined) return false;
  const v = value.trim();
  return v.length >= MIN_SECRET_LENGTH && !COMMON_VALUES.has(v.toLowerCase());
}

/** The password part of a `scheme://user:password@host` URL, decoded and as written, or nothing. */
function urlPasswords(value: string): string[] {
  if (!value.includes('://') || !value.includes('@')) return [];
  try {
    const url = new URL(value.trim());
    if (!url.password) return [];
    let decoded = url.password;
    try {
      decoded = decodeURIComponent(url.password);
    } catch {
      // a malformed escape: the raw form is all there is
    }
    const username = decodeURIComponent(url.username || '');
    return [decoded, url.password].filter((p) => p !== username);
  } catch {
    return [];
  }
}

/** Every form in which `value` may appear in agentpr's output: as is, URL-encoded and JSON-escaped. */
function forms(value: string): string[] {
  const out = new Set([value]);
  out.add(encodeURIComponent(value));
  const json = JSON.stringify(value).slice(1, -1);
  out.add(json);
  return [...out];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Collects the secret values agentpr knows from `env` and builds one redactor for them. Secrets are: the
 * {@link KNOWN_SECRET_ENV_NAMES}, any variable whose name looks secret (`TOKEN`, `SECRET`, `PASSWORD`, `API_KEY`,
 * `PRIVATE_KEY`, …), the password of any `scheme://user:password@` URL in any variable (`AGENTPR_DATABASE_URL`,
 * `HTTPS_PROXY`), and `extra` values (secrets given as flags). Values shorter than {@link MIN_SECRET_LENGTH} or
 * too common (`postgres`, `password`) are ignored; each value is also matched URL-encoded and JSON-escaped.
 * Every match, including overlapping ones, becomes {@link REDACTED}; passwords inside URLs in the text are
 * replaced whatever their length.
 *
 * @example
 * const redactor = createSecretRedactor(process.env, { '--secret': flags.secret });
 * process.stdout.write(redactor.redact(agentOutput));
 */
export function createSecretRedactor(env: Readonly<Record<string, string | undefined>>, extra: ExtraSecrets = {}): SecretRedactor {
  const secrets = new Set<string>();
  const add = (value: string | undefined) => {
    if (usable(value)) secrets.add(value.trim());
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (KNOWN_SECRET_ENV_NAMES.includes(name) || SECRET_NAME.test(name)) add(value);
    for (const password of urlPasswords(value)) add(password);
  }
  for (const value of Object.values(extra)) {
    if (value === undefined) continue;
    // A URL flag (`--database-url`) is not secret as a whole; its password is.
    if (value.includes('://')) for (const password of urlPasswords(value)) add(password);
    else add(value);
  }
  const patterns = [...new Set([...secrets].flatMap(forms))].filter((f) => f.length >= MIN_SECRET_LENGTH);
  // Longest first: at one position the longest secret wins; the lookahead lets overlapping matches be found too.
  patterns.sort((a, b) => b.length - a.length);
  const finder = patterns.length > 0 ? new RegExp(`(?=(${patterns.map(escapeRegExp).join('|')}))`, 'g') : undefined;

  const redactKnown = (text: string): string => {
    if (!finder) return text;
    finder.lastIndex = 0;
    // Merge every [start, end) a secret covers, so overlapping secrets leave no tail of either visible.
    const spans: Array<[number, number]> = [];
    for (let match = finder.exec(text); match; match = finder.exec(text)) {
      const start = match.index;
      const end = start + match[1]!.length;
      const last = spans[spans.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else spans.push([start, end]);
      finder.lastIndex = start + 1;
    }
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
      out += text.slice(at, start) + REDACTED;
      at = end;
    }
    return out + text.slice(at);
  };

  const redact = (text: string): string => {
    const known = redactKnown(text);
    return known.includes('://') ? known.replace(URL_CREDENTIAL, `://$1:${REDACTED}@`) : known;
  };

  const deep = (value: unknown, seen: WeakMap<object, unknown>): unknown => {
    if (typeof value === 'string') return redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(deep(item, seen));
      return copy;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[redact(key)] = deep(item, seen);
    return copy;
  };

  return {
    redact,
    redactDeep: <T>(value: T): T => deep(value, new WeakMap()) as T,
    values: secrets.size,
  };
}
