import { Writable } from 'node:stream';

/** A writable that keeps everything written to it as text, for passing as a binary's stdout or stderr in tests. */
export interface TextSink extends Writable {
  /** Everything written so far. */
  readonly text: string;
}

/**
 * A {@link TextSink}: an in-memory stdout/stderr for running a `main(argv, io)` in process.
 * @example
 * const stdout = textSink(); await main(args, { stdout, stderr: textSink(), env }); JSON.parse(stdout.text);
 */
export function textSink(): TextSink {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  Object.defineProperty(sink, 'text', { get: () => text });
  return sink as TextSink;
}
