import { open } from 'node:fs/promises';
import { RuntimeAnalysisError } from './errors.js';
import { createStreamAnalyzer, type StreamAnalysis, type StreamAnalyzerOptions, type StreamFinishInput } from './stream-analyzer.js';

/** The default longest line kept by {@link readEventStream}, in characters. */
export const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;

function unreadable(path: string, err: unknown): RuntimeAnalysisError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new RuntimeAnalysisError('unreadable_stream', `cannot read event stream ${path}: ${why}`, { path, cause: err });
}

async function* chunksOfFile(path: string): AsyncGenerator<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  // 64 KiB reads keep each chunk out of V8's large-object space, which keeps peak RSS low
  const stream = handle.createReadStream({ highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw unreadable(path, err);
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

/**
 * Splits byte chunks on `\n` (0x0A never occurs inside a UTF-8 sequence) and decodes each line on its own.
 * Chunks are referenced, not copied, until their line is complete: producers must not reuse chunk memory (Node
 * streams never do).
 */
class ByteLineSplitter {
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
        if (start < chunk.length && !this.overflow) {
          const rest = chunk.subarray(start);
          if (this.pendingBytes + rest.length > max) {
            this.pending.push(rest.subarray(0, max + 1 - this.pendingBytes));
            this.overflow = true;
          } else {
            this.pending.push(rest);
            this.pendingBytes += rest.length;
          }
        }
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

  end(onLine: (line: string) => void): void {
    if (this.pending.length === 0) return;
    const joined = Buffer.concat(this.pending);
    this.pending = [];
    onLine(joined.toString('utf8', 0, Math.min(joined.length, this.max + 1)));
  }
}

/** Splits text chunks on `\n`, cutting lines longer than `max`. */
class TextLineSplitter {
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
  }
}

/** Feeds every line of `source` to `onLine`, synchronously within each chunk (no per-line promise). */
async function forEachLine(source: string | AsyncIterable<string | Uint8Array>, max: number, onLine: (line: string) => void): Promise<void> {
  const chunks = typeof source === 'string' ? chunksOfFile(source) : source;
  let bytes: ByteLineSplitter | undefined;
  let text: TextLineSplitter | undefined;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') (text ??= new TextLineSplitter(max)).push(chunk, onLine);
    else (bytes ??= new ByteLineSplitter(max)).push(chunk, onLine);
  }
  bytes?.end(onLine);
  text?.end(onLine);
}

/**
 * Reads an event stream line by line in constant memory: a file path, or any async iterable of text or byte
 * chunks (e.g. a child's stdout). Lines are split on `\n` only (W27); a trailing `\r` is left for the
 * analyser to drop. Byte chunks are split before decoding, so each line is decoded on its own. A line longer
 * than `maxLineChars` (bytes for byte input) is cut to `maxLineChars + 1` (so the analyser reports it as too
 * long) and the rest of it is skipped without being buffered.
 *
 * @example
 * for await (const line of readEventStream('events.jsonl')) analyzer.pushLine(line);
 */
export async function* readEventStream(source: string | AsyncIterable<string | Uint8Array>, options: { maxLineChars?: number } = {}): AsyncGenerator<string> {
  const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const chunks = typeof source === 'string' ? chunksOfFile(source) : source;
  let bytes: ByteLineSplitter | undefined;
  let text: TextLineSplitter | undefined;
  let batch: string[] = [];
  const collect = (line: string): void => {
    batch.push(line);
  };
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') (text ??= new TextLineSplitter(max)).push(chunk, collect);
    else (bytes ??= new ByteLineSplitter(max)).push(chunk, collect);
    if (batch.length > 0) {
      const lines = batch;
      batch = [];
      yield* lines;
    }
  }
  bytes?.end(collect);
  text?.end(collect);
  yield* batch;
}

/**
 * Analyses a whole event stream from a file or async iterable in bounded memory (see {@link readEventStream}
 * and {@link createStreamAnalyzer}).
 *
 * @example
 * const analysis = await analyzeEventStream('events.jsonl', { allowlist, workspaceDir, stderr });
 */
export async function analyzeEventStream(source: string | AsyncIterable<string | Uint8Array>, options: StreamAnalyzerOptions & StreamFinishInput = {}): Promise<StreamAnalysis> {
  const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const analyzer = createStreamAnalyzer({ ...options, maxLineChars: max });
  await forEachLine(source, max, (line) => analyzer.pushLine(line));
  return analyzer.finish(options.stderr === undefined ? {} : { stderr: options.stderr });
}
