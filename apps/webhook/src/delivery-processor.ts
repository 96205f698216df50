import { createHash } from 'node:crypto';
import type { DeliveryContext, RollupTask } from '@agentpr/orchestrator';
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

/**
 * The part of a delivery that needs no HTTP: parse the JSON (400 unless it is an object), fingerprint the body
 * (unless the HTTP thread passed its verified HMAC),
 * process it exactly once with the deliveries that arrive meanwhile (group commit, {@link deliveryBatcher}) and
 * render the answer. The webhook runs it on a worker thread with its own SQLite connection, or in-process
 * (PostgreSQL, or the sources under test) — the same code either way.
 */
export function createDeliveryProcessor(ctx: DeliveryContext, store: DeliveryExecutor): (delivery: VerifiedDelivery) => Promise<ProcessedDelivery> {
  const submit = deliveryBatcher(ctx, store);
  return async ({ deliveryId, eventName, body, hmacs }) => {
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch {
      return refused(400, 'invalid_json', 'invalid JSON payload');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return refused(400, 'invalid_payload', 'payload must be a JSON object');
    const fingerprint = hmacs?.length === 1 ? `${HMAC_PREFIX}${hmacs[0]}` : sha256Hex(body);
    // Only when the id was seen with another fingerprint: one stored under the other scheme still names this payload.
    const isSamePayload = (stored: string) =>
      stored.startsWith(HMAC_PREFIX) ? (hmacs ?? []).some((h) => stored === `${HMAC_PREFIX}${h}`) : fingerprint.startsWith(HMAC_PREFIX) && stored === sha256Hex(body);
    const result = await submit({ deliveryId, eventName, payloadSha256: fingerprint, payload, isSamePayload });
    const answer = deliveryAnswer(result);
    const rollups = result.kind === 'applied' || result.kind === 'ignored' || result.kind === 'refused' ? result.rollups : [];
    const { status, outcome, processed, ignored, retryableFailures, error } = answer;
    return { status, outcome, bodyText: JSON.stringify(answer.body), processed, ignored, retryableFailures, error, rollups };
  };
}
