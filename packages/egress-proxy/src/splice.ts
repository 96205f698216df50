import type { Duplex } from 'node:stream';

/**
 * Pipes two byte streams into each other (no per-chunk work beyond the pipe). An end on one side ends the other
 * after its pending writes; when one side closes, the other is ended and cut after `lingerMs` if its peer lingers;
 * an error on either side destroys both.
 */
export function splice(a: Duplex, b: Duplex, lingerMs = 10_000): void {
  a.pipe(b);
  b.pipe(a);
  const endLater = (stream: Duplex): void => {
    if (stream.destroyed) return;
    stream.end();
    setTimeout(() => stream.destroy(), lingerMs).unref();
  };
  a.once('close', () => endLater(b));
  b.once('close', () => endLater(a));
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}
