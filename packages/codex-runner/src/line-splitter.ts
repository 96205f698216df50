import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines on `\n` only (W27): `\r`, U+2028 and U+2029 stay inside the line. UTF-8 sequences
 * split across chunks are decoded correctly. Lines are passed without their `\n`.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Feeds one chunk; calls `onLine` for every completed line. */
  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let index = this.pending.indexOf('\n');
    while (index >= 0) {
      const line = this.pending.slice(0, index);
      this.pending = this.pending.slice(index + 1);
      this.onLine(line);
      index = this.pending.indexOf('\n');
    }
  }

  /** Ends the stream; a final line without `\n` is passed if it is not empty. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) this.onLine(this.pending);
    this.pending = '';
  }
}
