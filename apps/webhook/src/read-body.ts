import type { Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebhookTicket } from './webhook-admission.js';

/** A request header's first value, trimmed; `''` when absent. */
export function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/**
 * The body (as the chunks it came in, joined only once its signature checked out, so a flood of badly signed bodies
 * allocates nothing more) and its HMACs, or why it was not read.
 */
export type BodyRead =
  | { ok: true; chunks: Buffer[]; size: number; digests: Buffer[] }
  | { ok: false; reason: 'too_large'; size: number }
  | { ok: false; reason: 'overloaded' }
  | { ok: false; reason: 'aborted' };

/**
 * Reads a body with the size limit enforced while reading, feeding every chunk through the HMACs as it comes.
 * A body of declared length was reserved before; a chunked one reserves chunk by chunk (`onReserve` after each).
 */
export function readBody(
  req: IncomingMessage,
  maxPayload: number,
  ticket: WebhookTicket,
  reservedUpFront: boolean,
  hmacs: Hmac[],
  onReserve: () => void,
): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (result: BodyRead) => {
      done = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxPayload) return stop({ ok: false, reason: 'too_large', size });
      if (!reservedUpFront) {
        if (!ticket.reserve(chunk.length)) return stop({ ok: false, reason: 'overloaded' });
        onReserve();
      }
      for (const h of hmacs) h.update(chunk);
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!done) stop({ ok: true, chunks, size, digests: hmacs.map((h) => h.digest()) });
    });
    req.once('close', () => {
      if (!done) stop({ ok: false, reason: 'aborted' });
    });
    req.once('error', (error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    });
  });
}
