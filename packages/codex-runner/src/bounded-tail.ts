/** The default bound for stored step logs: the last 64 KiB of each stream. */
export const DEFAULT_LOG_TAIL_BYTES = 64 * 1024;

/**
 * Keeps the last `maxBytes` of a text stream, and how much was dropped. `text()` prefixes a truncation marker when
 * anything was dropped, so a stored log never pretends to be complete.
 */
export class BoundedTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private droppedBytes = 0;

  constructor(private readonly maxBytes: number = DEFAULT_LOG_TAIL_BYTES) {}

  /** Appends text or bytes. */
  push(data: Buffer | string): void {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.chunks.push(buffer);
    this.size += buffer.length;
    if (this.size > this.maxBytes * 2) this.compact();
  }

  /** Bytes dropped from the front so far. */
  get dropped(): number {
    this.compact();
    return this.droppedBytes;
  }

  /** The kept text, with `[... N bytes truncated ...]` in front when anything was dropped. */
  text(): string {
    this.compact();
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.droppedBytes > 0 ? `[... ${this.droppedBytes} bytes truncated ...]\n${body}` : body;
  }

  private compact(): void {
    if (this.size <= this.maxBytes) return;
    const all = Buffer.concat(this.chunks);
    let start = all.length - this.maxBytes;
    // Do not start inside a UTF-8 sequence.
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start += 1;
    this.droppedBytes += start;
    const kept = all.subarray(start);
    this.chunks = [kept];
    this.size = kept.length;
  }
}

/** The last `maxBytes` of `text` with a truncation marker when it was cut. */
export function boundTail(text: string, maxBytes: number = DEFAULT_LOG_TAIL_BYTES): string {
  const tail = new BoundedTail(maxBytes);
  tail.push(text);
  return tail.text();
}
