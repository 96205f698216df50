import { sign, verifyWithFallback } from '@octokit/webhooks-methods';

/**
 * Checks `X-Hub-Signature-256` against the raw body with every configured secret: the current one first, then
 * the previous one while a secret rotation is under way. Length is checked first, then a timing-safe compare
 * (both inside `@octokit/webhooks-methods`). A missing or malformed header is simply invalid.
 *
 * @example
 * await verifyWebhookSignature({ secrets: [current, previous], body, signature: req.headers['x-hub-signature-256'] });
 */
export async function verifyWebhookSignature(input: { secrets: readonly string[]; body: string; signature: string | undefined }): Promise<boolean> {
  const secrets = input.secrets.filter((s) => s.length > 0);
  const signature = input.signature?.trim();
  if (secrets.length === 0 || !signature || !signature.startsWith('sha256=') || input.body.length === 0) return false;
  const [first, ...rest] = secrets;
  try {
    return await verifyWithFallback(first!, input.body, signature, rest.length ? rest : undefined);
  } catch {
    return false;
  }
}

/** `sha256=<hex HMAC>` of `body` with `secret`, as GitHub sends it (for tests, probes and the benchmark). */
export function signWebhookPayload(secret: string, body: string): Promise<string> {
  return sign(secret, body);
}
