import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { RuntimeAnalysisError } from './errors.js';
import { createStreamAnalyzer, type StreamAnalysis, type StreamAnalyzerOptions, type StreamFinishInput } from './stream-analyzer.js';

/** The default longest line kept by {@link readEventStream}, in characters. */
export const DEFAULT_MAX_LINE_CHARS = 8 * 1024 * 1024;

async function* chunksOfFile(path: string): AsyncGenerator<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new RuntimeAnalysisError('unreadable_stream', `cannot read event stream ${path}: ${why}`, { path, cause: err });
  }
  const stream = handle.createReadStream({ highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw new RuntimeAnalysisError('unreadable_stream', `cannot read event stream ${path}: ${(err as Error).message}`, { path, cause: err });
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

/**
 * Reads an event stream line by line in constant memory: a file path, or any async iterable of text or byte
 * chunks (e.g. a child's stdout). Lines are split on `\n` only (W27); a trailing `\r` is left for the
 * analyser to drop. A line longer than `maxLineChars` is cut to `maxLineChars + 1` characters (so the analyser
 * reports it as too long) and the rest of it is skipped without being buffered.
 *
 * @example
 * for await (const line of readEventStream('events.jsonl')) analyzer.pushLine(line);
 */
export async function* readEventStream(source: string | AsyncIterable<string | Uint8Array>, options: { maxLineChars?: number } = {}): AsyncGenerator<string> {
  const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const decoder = new StringDecoder('utf8');
  const chunks = typeof source === 'string' ? chunksOfFile(source) : source;
  let partial = '';
  let overflow = false;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (overflow) {
        yield partial;
        overflow = false;
      } else if (partial.length > 0) {
        const line = partial + text.slice(start, nl);
        yield line.length > max ? line.slice(0, max + 1) : line;
      } else yield text.slice(start, nl);
      partial = '';
      start = nl + 1;
    }
    if (start < text.length) {
      if (overflow) continue;
      partial += text.slice(start);
      if (partial.length > max) {
        partial = partial.slice(0, max + 1);
        overflow = true;
      }
    }
  }
  const rest = decoder.end();
  if (rest && !overflow) partial += rest;
  if (partial.length > 0) yield partial.length > max ? partial.slice(0, max + 1) : partial;
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
  for await (const line of readEventStream(source, { maxLineChars: max })) analyzer.pushLine(line);
  return analyzer.finish(options.stderr === undefined ? {} : { stderr: options.stderr });
}
