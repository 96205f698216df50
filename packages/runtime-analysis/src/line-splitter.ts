/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Longest line passed whole, in characters (bytes for byte input). A longer line is cut to `maxLineChars + 1`
   * (so a reader can tell it was too long) and the rest of it is skipped without being buffered. Default: no limit.
   */
  maxLineChars?: number;
}

/**
 * Splits byte chunks on `\n` (0x0A never occurs inside a UTF-8 sequence) and decodes each line on its own, so
 * a character split across chunks decodes correctly. Chunks are referenced, not copied, until their line is
 * complete: producers must not reuse chunk memory (Node streams never do).
 */
class ByteLines {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflow = false;

  constructor(private readonly max: number) {}

  push(raw: Uint8Array, onLine: (line: string) => void): void {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const max = this.max;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        if (start < chunk.length && !this.overflow) this.keep(chunk.subarray(start));
        return;
      }
      if (this.pending.length > 0) {
        if (!this.overflow) this.pending.push(chunk.subarray(start, nl));
        const joined = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.overflow = false;
        onLine(joined.toString('utf8', 0, Math.min(joined.length, max + 1)));
      } else if (nl - start > max) {
        onLine(chunk.toString('utf8', start, start + max + 1));
      } else {
        onLine(chunk.toString('utf8', start, nl));
      }
      start = nl + 1;
    }
  }

  private keep(rest: Buffer): void {
    if (this.pendingBytes + rest.length > this.max) {
      this.pending.push(rest.subarray(0, this.max + 1 - this.pendingBytes));
      this.overflow = true;
    } else {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  end(onLine: (line: string) => void): void {
    if (this.pending.length === 0) return;
    const joined = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.overflow = false;
    onLine(joined.toString('utf8', 0, Math.min(joined.length, this.max + 1)));
  }
}

/** Splits text chunks on `\n`, cutting lines longer than `max`. */
class TextLines {
  private partial = '';
  private overflow = false;

  constructor(private readonly max: number) {}

  push(text: string, onLine: (line: string) => void): void {
    const max = this.max;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.overflow) onLine(this.partial);
      else if (this.partial.length > 0) {
        const line = this.partial + text.slice(start, nl);
        onLine(line.length > max ? line.slice(0, max + 1) : line);
      } else onLine(nl - start > max ? text.slice(start, start + max + 1) : text.slice(start, nl));
      this.partial = '';
      this.overflow = false;
      start = nl + 1;
    }
    if (start < text.length && !this.overflow) {
      this.partial += text.slice(start);
      if (this.partial.length > max) {
        this.partial = this.partial.slice(0, max + 1);
        this.overflow = true;
      }
    }
  }

  end(onLine: (line: string) => void): void {
    if (this.partial.length > 0) onLine(this.partial.length > this.max ? this.partial.slice(0, this.max + 1) : this.partial);
    this.partial = '';
    this.overflow = false;
  }
}

/**
 * The one line splitter of the workspace: splits a stream of text or byte chunks into lines on `\n` only:
 * `\r`, U+2028 and U+2029 stay inside the line. Lines are passed without their `\n`, synchronously within each
 * chunk. Byte chunks are split before decoding, so a UTF-8 sequence split across chunks decodes correctly.
 * Memory is bounded by `maxLineChars` (see {@link LineSplitterOptions}).
 *
 * @example
 * const lines = new LineSplitter((line) => analyzer.pushLine(line), { maxLineChars: 8 * 1024 * 1024 });
 * child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
 * child.stdout.on('end', () => lines.end());
 */
export class LineSplitter {
  private readonly max: number;
  private bytes: ByteLines | undefined;
  private text: TextLines | undefined;

  constructor(private readonly onLine: (line: string) => void, options: LineSplitterOptions = {}) {
    this.max = options.maxLineChars ?? Infinity;
  }

  /** Feeds one chunk; calls `onLine` for every completed line. */
  push(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') (this.text ??= new TextLines(this.max)).push(chunk, this.onLine);
    else (this.bytes ??= new ByteLines(this.max)).push(chunk, this.onLine);
  }

  /** Ends the stream; a final line without `\n` is passed if it is not empty. The splitter may be fed again afterwards. */
  end(): void {
    this.bytes?.end(this.onLine);
    this.text?.end(this.onLine);
  }
}
