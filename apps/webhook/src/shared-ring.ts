/**
 * A single-producer, single-consumer ring of byte records in shared memory, between the webhook's HTTP thread
 * and its delivery worker. Records are written in place (no structured clone, no transfer) and published with
 * one atomic store; the consumer sees them with one atomic load. Waking the other side is the caller's business
 * ({@link RingControl}): the point is to wake a thread only when it sleeps.
 */

/** Words of a ring's control block (an `Int32Array` over shared memory). */
export const RingWord = {
  /** Bytes published by the producer, free-running modulo 2^32. */
  Written: 0,
  /** Bytes released by the consumer, free-running modulo 2^32. */
  Released: 1,
  /** 1 while the consumer sleeps (or is about to) waiting for `Written` to move. */
  ConsumerSleeps: 2,
  /** 1 once the producer will write no more (the channel is closing). */
  Closed: 3,
} as const;

/** The shared memory of one ring: what a worker is started with. */
export interface RingMemory {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** Length word of the record that says "the rest of the buffer is unused; continue at offset 0". */
const WRAP = 0xffffffff;

const align4 = (n: number) => (n + 3) & ~3;

/** New shared memory for a ring of `capacity` bytes, rounded up to a power of two (at least 64 KiB). */
export function allocateRing(capacity: number): RingMemory {
  let size = 1 << 16;
  while (size < capacity) size *= 2;
  return { control: new SharedArrayBuffer(16), data: new SharedArrayBuffer(size) };
}

/** The producer's side of a ring. */
export interface RingWriter {
  /** The ring's data as a Buffer (write a reserved record's bytes here). */
  readonly bytes: Buffer;
  /** Largest record the ring can ever hold. */
  readonly maxRecord: number;
  /** Reserves `maxBytes` contiguous bytes for the next record; their offset in {@link bytes}, or -1 while the ring is too full. */
  reserve(maxBytes: number): number;
  /** Publishes the reserved record with its actual length (≤ the reserved one). */
  commit(length: number): void;
  /** The control block (for waiting and waking). */
  readonly control: Int32Array;
}

/** The consumer's side of a ring. */
export interface RingReader {
  readonly bytes: Buffer;
  /** The next unread record as `[offset, length]` (and moves past it), or `undefined` when none is published. */
  next(): [number, number] | undefined;
  /** Gives the bytes of every record read so far back to the producer. */
  release(): void;
  /** How far it has read (compare with the `Written` word to wait for more). */
  position(): number;
  readonly control: Int32Array;
}

/** Opens the producer's side of `memory` (one producer per ring). */
export function ringWriter(memory: RingMemory): RingWriter {
  const control = new Int32Array(memory.control);
  const bytes = Buffer.from(memory.data);
  const capacity = bytes.length;
  const mask = capacity - 1;
  let written = Atomics.load(control, RingWord.Written) >>> 0;
  let reserved = 0;
  return {
    bytes,
    control,
    maxRecord: capacity / 2 - 4,
    reserve(maxBytes) {
      const need = 4 + align4(maxBytes);
      const used = (written - (Atomics.load(control, RingWord.Released) >>> 0)) >>> 0;
      const free = capacity - used;
      let offset = written & mask;
      const tail = capacity - offset;
      if (need > tail) {
        // The record goes at the start; the tail is skipped (published with the record).
        if (tail + need > free) return -1;
        bytes.writeUInt32LE(WRAP, offset);
        written = (written + tail) >>> 0;
        offset = 0;
      } else if (need > free) return -1;
      reserved = offset;
      return offset + 4;
    },
    commit(length) {
      bytes.writeUInt32LE(length, reserved);
      written = (written + 4 + align4(length)) >>> 0;
      Atomics.store(control, RingWord.Written, written | 0);
    },
  };
}

/** Opens the consumer's side of `memory` (one consumer per ring). */
export function ringReader(memory: RingMemory): RingReader {
  const control = new Int32Array(memory.control);
  const bytes = Buffer.from(memory.data);
  const capacity = bytes.length;
  const mask = capacity - 1;
  let read = Atomics.load(control, RingWord.Released) >>> 0;
  return {
    bytes,
    control,
    next() {
      if ((Atomics.load(control, RingWord.Written) >>> 0) === read) return undefined;
      let offset = read & mask;
      let length = bytes.readUInt32LE(offset);
      if (length === WRAP) {
        read = (read + capacity - offset) >>> 0;
        offset = 0;
        length = bytes.readUInt32LE(0);
      }
      read = (read + 4 + align4(length)) >>> 0;
      return [offset + 4, length];
    },
    release() {
      Atomics.store(control, RingWord.Released, read | 0);
    },
    position: () => read | 0,
  };
}
