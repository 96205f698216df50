import { describe, expect, it } from 'vitest';
import { decodeAnswer, decodeDelivery, deliveryRecordBound, encodeAnswer, encodeDelivery, rollupsJson, answerRecordBound } from './delivery-codec.js';
import type { ProcessedDelivery } from './delivery-processor.js';
import { allocateRing, ringReader, RingWord, ringWriter } from './shared-ring.js';

const ring = () => {
  const memory = allocateRing(1 << 16);
  return { writer: ringWriter(memory), reader: ringReader(memory) };
};

describe('shared ring', () => {
  it('hands records over in order, across the end of the buffer, and refuses what does not fit until the reader releases', () => {
    const { writer, reader } = ring();
    const record = Buffer.alloc(20_000, 1);
    const seen: number[] = [];
    for (let n = 0; n < 20; n++) {
      record[0] = n;
      const offset = writer.reserve(record.length);
      expect(offset).toBeGreaterThanOrEqual(0);
      writer.bytes.set(record, offset);
      writer.commit(record.length);
      const [at, length] = reader.next()!;
      expect(length).toBe(record.length);
      seen.push(reader.bytes[at]!);
      expect(reader.bytes.subarray(at + 1, at + length).every((b) => b === 1)).toBe(true);
      reader.release();
    }
    expect(seen).toEqual([...Array(20).keys()]);
    expect(reader.next()).toBeUndefined();
    // Three 20 KB records fill a 64 KB ring; the fourth waits for the reader.
    for (let n = 0; n < 3; n++) {
      expect(writer.reserve(20_000)).toBeGreaterThanOrEqual(0);
      writer.commit(20_000);
    }
    expect(writer.reserve(20_000)).toBe(-1);
    reader.next();
    reader.release();
    expect(writer.reserve(20_000)).toBeGreaterThanOrEqual(0);
    expect(Atomics.load(writer.control, RingWord.Closed)).toBe(0);
  });
});

describe('delivery codec', () => {
  it('round-trips a delivery whose body came in chunks, with its digests as hex', () => {
    const { writer, reader } = ring();
    const digests = [Buffer.alloc(32, 0xab), Buffer.alloc(32, 0x01)];
    const delivery = { deliveryId: 'abc-123', eventName: 'check_run', chunks: [Buffer.from('{"a":'), Buffer.from('"é"}')], size: 0, digests };
    delivery.size = delivery.chunks.reduce((n, c) => n + c.length, 0);
    const offset = writer.reserve(deliveryRecordBound(delivery));
    writer.commit(encodeDelivery(writer.bytes, offset, 42, delivery));
    const { id, delivery: read } = decodeDelivery(reader.bytes, reader.next()![0]);
    expect(id).toBe(42);
    expect(read).toMatchObject({ deliveryId: 'abc-123', eventName: 'check_run', hmacs: ['ab'.repeat(32), '01'.repeat(32)] });
    expect(Buffer.from(read.body).toString('utf8')).toBe('{"a":"é"}');
  });

  it('round-trips an answer with its roll-ups and non-ASCII text', () => {
    const { writer, reader } = ring();
    const answer: ProcessedDelivery = {
      status: 409,
      outcome: 'delivery_conflict',
      bodyText: '{"ok":false,"error":"réutilisé"}',
      processed: 1,
      ignored: 2,
      retryableFailures: 3,
      error: 'réutilisé',
      rollups: [{ runId: 'run_1', owner: 'acme', repo: 'widgets', prNumber: 7, headSha: 'a'.repeat(40) }],
    };
    const rollups = rollupsJson(answer);
    const offset = writer.reserve(answerRecordBound(answer, rollups));
    writer.commit(encodeAnswer(writer.bytes, offset, 7, answer, rollups));
    expect(decodeAnswer(reader.bytes, reader.next()![0])).toEqual({ id: 7, answer });
  });
});
