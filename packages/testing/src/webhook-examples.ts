import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Definition {
  name: string;
  examples: Array<Record<string, unknown>>;
}

let cache: Definition[] | undefined;

function definitions(): Definition[] {
  if (!cache) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
    cache = JSON.parse(readFileSync(file, 'utf8')) as Definition[];
  }
  return cache;
}

/** Every real example payload GitHub documents for `event` (from `@octokit/webhooks-examples`), deep-copied. */
export function webhookExamples(event: string): Array<Record<string, any>> {
  const def = definitions().find((d) => d.name === event);
  if (!def) throw new Error(`no webhook examples for ${event}`);
  return def.examples.map((e) => structuredClone(e));
}

/** The first real example of `event` with `action` (any action when omitted, and matching `where` when given), deep-copied. */
export function webhookExample(event: string, action?: string, where: (payload: Record<string, any>) => boolean = () => true): Record<string, any> {
  const found = webhookExamples(event).find((e) => (action === undefined || e.action === action) && where(e));
  if (!found) throw new Error(`no ${event} example with action ${action ?? '(any)'}`);
  return found;
}

/** `sha256=<hex>` over `body` — computed independently of the code under test, as GitHub does. */
export function githubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A webhook delivery to send. */
export interface WebhookDeliveryInput {
  event: string;
  payload: unknown;
  /** Default: a fresh UUID. */
  delivery?: string;
  /** Sign with this secret; unsigned when omitted. */
  secret?: string;
  /** Extra or overriding headers (`null` removes one). */
  headers?: Record<string, string | null>;
  /** Send this raw body instead of `JSON.stringify(payload)`. */
  rawBody?: string;
}

/** The headers and body GitHub would send for a delivery. */
export function webhookRequest(input: WebhookDeliveryInput): { headers: Record<string, string>; body: string; delivery: string } {
  const body = input.rawBody ?? JSON.stringify(input.payload);
  const delivery = input.delivery ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': input.event,
    'x-github-delivery': delivery,
  };
  if (input.secret) headers['x-hub-signature-256'] = githubSignature(input.secret, body);
  for (const [k, v] of Object.entries(input.headers ?? {})) {
    if (v === null) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  return { headers, body, delivery };
}

/** Sends a delivery with `fetch` and returns the status and parsed JSON body. */
export async function sendWebhook(url: string, input: WebhookDeliveryInput): Promise<{ status: number; body: any; delivery: string }> {
  const { headers, body, delivery } = webhookRequest(input);
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed, delivery };
}
