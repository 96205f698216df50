import type { RollupTask } from '@agentpr/orchestrator';
import type { ProcessedDelivery, VerifiedDelivery } from './delivery-processor.js';

/**
 * The byte layout of deliveries and answers in the shared rings between the HTTP thread and the delivery worker
 * (see shared-ring.ts). Headers are validated before they get here (ASCII, bounded); the body's bytes are copied
 * in chunk by chunk as they were read, never joined first.
 */

/** A verified delivery as the HTTP thread has it: the body as read (chunks) and the raw HMAC digests. */
export interface ReadDelivery {
  deliveryId: string;
  eventName: string;
  chunks: readonly Uint8Array[];
  size: number;
  /** The body's HMAC-SHA256 under each configured secret, raw (32 bytes each); empty when unsigned. */
  digests: readonly Uint8Array[];
}

const DIGEST_BYTES = 32;

/** Bytes to reserve for a delivery record (an upper bound). */
export function deliveryRecordBound(d: ReadDelivery): number {
  return 16 + d.deliveryId.length + d.eventName.length + DIGEST_BYTES * d.digests.length + d.size;
}

/** Writes `d` numbered `id` at `offset` of `bytes`; returns its length. */
export function encodeDelivery(bytes: Buffer, offset: number, id: number, d: ReadDelivery): number {
  let at = bytes.writeUInt32LE(id, offset);
  at = bytes.writeUInt8(d.deliveryId.length, at);
  at += bytes.write(d.deliveryId, at, 'latin1');
  at = bytes.writeUInt8(d.eventName.length, at);
  at += bytes.write(d.eventName, at, 'latin1');
  at = bytes.writeUInt8(d.digests.length, at);
  for (const digest of d.digests) {
    bytes.set(digest, at);
    at += DIGEST_BYTES;
  }
  at = bytes.writeUInt32LE(d.size, at);
  for (const chunk of d.chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return at - offset;
}

/** Reads a delivery record; its body is a view of the ring, valid until the record is released. */
export function decodeDelivery(bytes: Buffer, offset: number): { id: number; delivery: VerifiedDelivery } {
  const id = bytes.readUInt32LE(offset);
  let at = offset + 4;
  const idLength = bytes[at++]!;
  const deliveryId = bytes.toString('latin1', at, at + idLength);
  at += idLength;
  const eventLength = bytes[at++]!;
  const eventName = bytes.toString('latin1', at, at + eventLength);
  at += eventLength;
  const count = bytes[at++]!;
  const hmacs: string[] = [];
  for (let i = 0; i < count; i++, at += DIGEST_BYTES) hmacs.push(bytes.toString('hex', at, at + DIGEST_BYTES));
  const size = bytes.readUInt32LE(at);
  at += 4;
  const body = bytes.subarray(at, at + size);
  return { id, delivery: { deliveryId, eventName, body, hmacs: count > 0 ? hmacs : undefined } };
}

/** Bytes to reserve for an answer record (an upper bound: three bytes per UTF-16 unit). */
export function answerRecordBound(answer: ProcessedDelivery, rollupsJson: string): number {
  return 40 + answer.outcome.length + 3 * (answer.error.length + answer.bodyText.length + rollupsJson.length);
}

/** The answer's roll-ups as JSON, or `''` when there are none (the usual case). */
export const rollupsJson = (answer: ProcessedDelivery): string => (answer.rollups.length > 0 ? JSON.stringify(answer.rollups) : '');

function writeText(bytes: Buffer, at: number, text: string): number {
  const n = text.length === 0 ? 0 : bytes.write(text, at + 4, 'utf8');
  bytes.writeUInt32LE(n, at);
  return at + 4 + n;
}

function readText(bytes: Buffer, at: number): [string, number] {
  const n = bytes.readUInt32LE(at);
  return [n === 0 ? '' : bytes.toString('utf8', at + 4, at + 4 + n), at + 4 + n];
}

/** Writes the answer to delivery `id` at `offset`; returns its length. */
export function encodeAnswer(bytes: Buffer, offset: number, id: number, answer: ProcessedDelivery, rollups: string): number {
  let at = bytes.writeUInt32LE(id, offset);
  at = bytes.writeUInt16LE(answer.status, at);
  at = bytes.writeUInt32LE(answer.processed, at);
  at = bytes.writeUInt32LE(answer.ignored, at);
  at = bytes.writeUInt32LE(answer.retryableFailures, at);
  at = bytes.writeUInt8(answer.outcome.length, at);
  at += bytes.write(answer.outcome, at, 'latin1');
  at = writeText(bytes, at, answer.error);
  at = writeText(bytes, at, answer.bodyText);
  at = writeText(bytes, at, rollups);
  return at - offset;
}

/** Reads an answer record. */
export function decodeAnswer(bytes: Buffer, offset: number): { id: number; answer: ProcessedDelivery } {
  const id = bytes.readUInt32LE(offset);
  const status = bytes.readUInt16LE(offset + 4) as ProcessedDelivery['status'];
  const processed = bytes.readUInt32LE(offset + 6);
  const ignored = bytes.readUInt32LE(offset + 10);
  const retryableFailures = bytes.readUInt32LE(offset + 14);
  const outcomeLength = bytes[offset + 18]!;
  let at = offset + 19;
  const outcome = bytes.toString('latin1', at, at + outcomeLength);
  at += outcomeLength;
  const [error, afterError] = readText(bytes, at);
  const [bodyText, afterBody] = readText(bytes, afterError);
  const [rollupText] = readText(bytes, afterBody);
  const rollups = rollupText ? (JSON.parse(rollupText) as RollupTask[]) : [];
  return { id, answer: { status, outcome, bodyText, processed, ignored, retryableFailures, error, rollups } };
}
