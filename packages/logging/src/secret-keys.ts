/** What a redacted value becomes in a log line: the same marker agentpr's SecretRedactor uses. */
export const REDACTED = '***';

/**
 * Field names whose value is a secret whatever it looks like. Compared case-insensitively after folding `-` to `_`,
 * so `Authorization`, `x-api-key` and `API_KEY` all match. Exact names, not substrings: `input_tokens` is a count.
 */
export const SECRET_KEYS: readonly string[] = Object.freeze([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'bot_token',
  'github_token',
  'gh_token',
  'metrics_token',
  'confirm_token',
  'secret',
  'client_secret',
  'webhook_secret',
  'password',
  'passwd',
  'authorization',
  'proxy_authorization',
  'cookie',
  'set_cookie',
  'api_key',
  'apikey',
  'x_api_key',
  'private_key',
  'credentials',
  'openai_api_key',
  'anthropic_api_key',
  'codex_api_key',
]);

const KEY_SET = new Set(SECRET_KEYS);

/** True when a field named `key` holds a secret (see {@link SECRET_KEYS}). */
export function isSecretKey(key: string): boolean {
  return KEY_SET.has(key.toLowerCase().replaceAll('-', '_'));
}

/** How deep pino's own `redact` paths reach: `token`, `*.token`, `*.*.token`, `*.*.*.token`. */
const PATH_DEPTH = 4;

/** The spellings a key is likely to be written in: as listed, UPPER_CASE, Capitalised and with `-` for `_`. */
function spellings(key: string): string[] {
  const dashed = key.replaceAll('_', '-');
  const capitalised = dashed.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  return [...new Set([key, key.toUpperCase(), dashed, capitalised])];
}

/**
 * pino `redact.paths` for every {@link SECRET_KEYS} spelling at depths 1 to 4. The first of the two redaction
 * layers; the logger also walks the fields itself (any depth, any case) before pino sees them.
 */
export function secretRedactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS.flatMap(spellings)) {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    for (let depth = 0; depth < PATH_DEPTH; depth++) {
      const prefix = '*.'.repeat(depth);
      paths.push(segment.startsWith('[') ? `${prefix.slice(0, -1)}${segment}` : `${prefix}${segment}`);
    }
  }
  return paths;
}
