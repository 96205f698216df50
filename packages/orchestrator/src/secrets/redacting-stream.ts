/**
 * `stream` with every `write` passed through `redact` first; everything else (`isTTY`, `on`, …) is the stream's
 * own. Buffers are decoded as UTF-8 before redaction. A secret split across two writes is not seen, which is
 * why the CLI writes whole lines.
 */
export function redactingStream<S extends NodeJS.WritableStream>(stream: S, redact: (text: string) => string): S {
  return Object.create(stream, {
    write: {
      value: (chunk: unknown, ...rest: unknown[]) => {
        const write = stream.write as (...a: unknown[]) => boolean;
        if (typeof chunk === 'string') return write.call(stream, redact(chunk), ...rest);
        if (chunk instanceof Uint8Array) {
          // The chunk becomes a string, so an encoding argument that described the bytes no longer applies.
          return write.call(stream, redact(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')), ...rest.map((r) => (typeof r === 'string' ? 'utf8' : r)));
        }
        return write.call(stream, chunk, ...rest);
      },
    },
  }) as S;
}
