import { open } from 'node:fs/promises';
import { RuntimeAnalysisError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
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

/** Feeds every line of `source` to `onLine`, synchronously within each chunk (no per-line promise). */
async function forEachLine(source: string | AsyncIterable<string | Uint8Array>, max: number, onLine: (line: string) => void): Promise<void> {
  const lines = new LineSplitter(onLine, { maxLineChars: max });
  for await (const chunk of typeof source === 'string' ? chunksOfFile(source) : source) lines.push(chunk);
  lines.end();
}

/**
 * Reads an event stream line by line in constant memory: a file path, or any async iterable of text or byte
 * chunks (e.g. a child's stdout). Lines are split on `\n` only; a trailing `\r` is left for the
 * analyser to drop. Byte chunks are split before decoding, so each line is decoded on its own. A line longer
 * than `maxLineChars` (bytes for byte input) is cut to `maxLineChars + 1` (so the analyser reports it as too
 * long) and the rest of it is skipped without being buffered.
 *
 * @example
 * for await (const line of readEventStream('events.jsonl')) analyzer.pushLine(line);
 */
export async function* readEventStream(source: string | AsyncIterable<string | Uint8Array>, options: { maxLineChars?: number } = {}): AsyncGenerator<string> {
  let batch: string[] = [];
  const lines = new LineSplitter((line) => batch.push(line), { maxLineChars: options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS });
  for await (const chunk of typeof source === 'string' ? chunksOfFile(source) : source) {
    lines.push(chunk);
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
  }
  lines.end();
  yield* batch;
}

/**
 * Analyses a whole event stream from a file or async iterable in bounded memory (see {@link readEventStream}
 * and {@link createStreamAnalyzer}).
 *
 * @example
 * const analysis = await analyzeEventStream('events.jsonl', { allowlist, workspaceDir, stderr });
 */
export async function analyzeEventStream(
  source: string | AsyncIterable<string | Uint8Array>,
  options: StreamAnalyzerOptions & StreamFinishInput = {},
): Promise<StreamAnalysis> {
  const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const analyzer = createStreamAnalyzer({ ...options, maxLineChars: max });
  await forEachLine(source, max, (line) => analyzer.pushLine(line));
  return analyzer.finish(options.stderr === undefined ? {} : { stderr: options.stderr });
}
