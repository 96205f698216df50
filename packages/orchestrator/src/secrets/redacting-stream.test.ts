import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactingStream } from './redacting-stream.js';

describe('redactingStream', () => {
  it('redacts string and Buffer writes and passes callbacks through', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    const out = redactingStream(sink, (t) => t.replaceAll('s3cret-value', '***'));
    out.write('a s3cret-value b\n');
    await new Promise<void>((resolve) => out.write(Buffer.from('c s3cret-value d\n'), () => resolve()));
    expect(chunks).toEqual(['a *** b\n', 'c *** d\n']);
  });
});
