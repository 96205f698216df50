import { createHash } from 'node:crypto';
import { handleWebhookDeliveries, type DeliveryContext, type RollupTask, type WebhookDeliveryInput, type WebhookDeliveryResult } from '@agentpr/orchestrator';
import type { DeliveryExecutor } from '@agentpr/store';
import { deliveryAnswer } from './delivery-answer.js';
import { deliveryBatcher } from './delivery-batcher.js';

/** A delivery whose signature checked out, as it came off the wire. */
export interface VerifiedDelivery {
  /** `X-GitHub-Delivery`, already validated. */
  deliveryId: string;
  /** `X-GitHub-Event`, already validated. */
  eventName: string;
  /** The raw body. */
  body: Uint8Array;
  /**
   * The body's HMAC-SHA256 under each configured secret (hex, in the configured order), computed while verifying;
   * absent for unsigned deliveries. With exactly one secret it is the payload's fingerprint (`hmac-sha256:<hex>`),
   * so the body is not hashed a second time; with two (a rotation) the body's SHA-256 is.
   */
  hmacs?: readonly string[] | undefined;
}

const sha256Hex = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

/** How a fingerprint made of the verified signature starts (a plain one is the body's hex SHA-256). */
const HMAC_PREFIX = 'hmac-sha256:';

/** What the server answers, audits and counts for a verified delivery, and the roll-ups to run after answering. */
export interface ProcessedDelivery {
  status: 200 | 400 | 409 | 500;
  /** The outcome named in the audit log and the metrics. */
  outcome: string;
  /** The JSON text of the reply. */
  bodyText: string;
  processed: number;
  ignored: number;
  retryableFailures: number;
  error: string;
  rollups: RollupTask[];
}

function refused(status: 400 | 500, outcome: string, error: string): ProcessedDelivery {
  const retryableFailures = status === 500 ? 1 : 0;
  return { status, outcome, bodyText: JSON.stringify({ ok: false, error }), processed: 0, ignored: 0, retryableFailures, error, rollups: [] };
}

/** The answer to a delivery that could not be processed at all (the worker was lost): 500, so GitHub redelivers. */
export function unprocessed(error: string): ProcessedDelivery {
  return refused(500, 'unhandled_error', error);
}

/** A delivery parsed and fingerprinted for the use case, or the answer when it cannot be processed at all. */
export type PreparedDelivery = { input: WebhookDeliveryInput } | { answer: ProcessedDelivery };

/**
 * The part of a delivery before the store: parse the JSON (400 unless it is an object) and fingerprint the body
 * (unless the HTTP thread passed its verified HMAC). `body` is only read here and by `isSamePayload`, within the
 * delivery's transaction.
 */
export function prepareDelivery({ deliveryId, eventName, body, hmacs }: VerifiedDelivery): PreparedDelivery {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return { answer: refused(400, 'invalid_json', 'invalid JSON payload') };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { answer: refused(400, 'invalid_payload', 'payload must be a JSON object') };
  const fingerprint = hmacs?.length === 1 ? `${HMAC_PREFIX}${hmacs[0]}` : sha256Hex(body);
  // Only when the id was seen with another fingerprint: one stored under the other scheme still names this payload.
  const isSamePayload = (stored: string) =>
    stored.startsWith(HMAC_PREFIX) ? (hmacs ?? []).some((h) => stored === `${HMAC_PREFIX}${h}`) : fingerprint.startsWith(HMAC_PREFIX) && stored === sha256Hex(body);
  return { input: { deliveryId, eventName, payloadSha256: fingerprint, payload, isSamePayload } };
}

/** The answer to a processed delivery, rendered: status, audit outcome, the reply's JSON text and the roll-ups to run. */
export function renderAnswer(result: WebhookDeliveryResult): ProcessedDelivery {
  const answer = deliveryAnswer(result);
  const rollups = result.kind === 'applied' || result.kind === 'ignored' || result.kind === 'refused' ? result.rollups : [];
  const { status, outcome, processed, ignored, retryableFailures, error } = answer;
  return { status, outcome, bodyText: JSON.stringify(answer.body), processed, ignored, retryableFailures, error, rollups };
}

/**
 * Processes the deliveries at hand in one transaction (group commit, {@link handleWebhookDeliveries}): the delivery
 * worker's path, which takes what the HTTP thread has handed it so far. The answers come in the deliveries' order.
 */
export async function processDeliveryBatch(
  ctx: DeliveryContext,
  store: DeliveryExecutor,
  deliveries: readonly VerifiedDelivery[],
): Promise<ProcessedDelivery[]> {
  const prepared = deliveries.map(prepareDelivery);
  const inputs: WebhookDeliveryInput[] = [];
  for (const p of prepared) if ('input' in p) inputs.push(p.input);
  let results: WebhookDeliveryResult[] = [];
  if (inputs.length > 0) {
    try {
      results = await handleWebhookDeliveries(ctx, inputs, store);
    } catch (error) {
      const message = `unhandled webhook error: ${(error as Error).message}`;
      results = inputs.map((i) => ({ kind: 'failed', deliveryId: i.deliveryId, eventName: i.eventName, error: message }));
    }
  }
  let next = 0;
  return prepared.map((p) => ('answer' in p ? p.answer : renderAnswer(results[next++]!)));
}

/**
 * The part of a delivery that needs no HTTP: {@link prepareDelivery}, then process it exactly once with the
 * deliveries that arrive meanwhile (group commit, {@link deliveryBatcher}) and render the answer. The webhook runs
 * it in-process (PostgreSQL, or the sources under test); its worker thread runs {@link processDeliveryBatch}, the
 * same steps over the deliveries at hand.
 */
export function createDeliveryProcessor(ctx: DeliveryContext, store: DeliveryExecutor): (delivery: VerifiedDelivery) => Promise<ProcessedDelivery> {
  const submit = deliveryBatcher(ctx, store);
  return async (delivery) => {
    const prepared = prepareDelivery(delivery);
    if ('answer' in prepared) return prepared.answer;
    return renderAnswer(await submit(prepared.input));
  };
}
