import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { analyzeEventStream, readEventStream } from '../read-event-stream.js';
import { RuntimeAnalysisError } from '../errors.js';

afterAll(() => cleanupTempDirs());

async function collect(source: Parameters<typeof readEventStream>[0], max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readEventStream(source, max === undefined ? {} : { maxLineChars: max })) out.push(line);
  return out;
}

async function* chunks(parts: Array<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

describe('readEventStream', () => {
  it('reads a file line by line, split on \\n only, including a last line without \\n', async () => {
    const file = join(tempDir(), 'events.jsonl');
    writeFileSync(file, 'a\r\nb\u2028c\n\nlast');
    expect(await collect(file)).toEqual(['a\r', 'b\u2028c', '', 'last']);
  });

  it('joins UTF-8 characters split across byte chunks', async () => {
    const bytes = Buffer.from('{"t":"é✓"}\n', 'utf8');
    const parts = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(chunks(parts))).toEqual(['{"t":"é✓"}']);
  });

  it('cuts a line longer than maxLineChars without buffering the rest of it', async () => {
    const parts = ['x'.repeat(10), ...Array.from({ length: 100 }, () => 'y'.repeat(1000)), '\nnext\n'];
    const lines = await collect(chunks(parts), 50);
    expect(lines.map((l) => l.length)).toEqual([51, 4]);
  });

  it('cuts an over-long line in byte chunks too, and keeps the lines around it', async () => {
    const parts = [Buffer.from('{"a":1}\n' + 'x'.repeat(30)), ...Array.from({ length: 50 }, () => Buffer.alloc(1000, 0x79)), Buffer.from('\n{"b":2}')];
    const lines = await collect(chunks(parts), 100);
    expect(lines.map((l) => l.length)).toEqual([7, 101, 7]);
  });

  it('an empty source yields no lines', async () => {
    expect(await collect(chunks([]))).toEqual([]);
    const file = join(tempDir(), 'empty.jsonl');
    writeFileSync(file, '');
    expect(await collect(file)).toEqual([]);
  });

  it('a missing file or a directory is a RuntimeAnalysisError naming the path', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.jsonl');
    await expect(collect(missing)).rejects.toMatchObject({ name: 'RuntimeAnalysisError', code: 'unreadable_stream', path: missing, message: `cannot read event stream ${missing}: no such file` });
    await expect(collect(missing)).rejects.toBeInstanceOf(RuntimeAnalysisError);
    mkdirSync(join(dir, 'sub'));
    await expect(collect(join(dir, 'sub'))).rejects.toMatchObject({ code: 'unreadable_stream', message: `cannot read event stream ${join(dir, 'sub')}: it is a directory` });
  });
});

describe('analyzeEventStream on a large stream', () => {
  it('analyses ~64 MB from an async iterable without holding it in memory', async () => {
    const block = [
      JSON.stringify({ type: 'item.started', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -c 'make test'", aggregated_output: '', exit_code: null, status: 'in_progress' } }),
      JSON.stringify({ type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/bash -c 'make test'", aggregated_output: 'z'.repeat(3000), exit_code: 0, status: 'completed' } }),
      JSON.stringify({ type: 'item.completed', item: { id: 'm', type: 'agent_message', text: 'ok '.repeat(300) } }),
    ].join('\n');
    const repeats = Math.ceil((64 * 1024 * 1024) / (block.length + 1));
    async function* big(): AsyncGenerator<string> {
      let buf = '';
      for (let i = 0; i < repeats; i++) {
        buf += `${block}\n`;
        if (buf.length > 1024 * 1024) {
          yield buf;
          buf = '';
        }
      }
      yield `${buf}${JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 1 } })}\n`;
    }
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const a = await analyzeEventStream(big());
    const grown = process.memoryUsage().heapUsed - before;
    expect(a.summary.command_event_count).toBe(repeats);
    expect(a.summary.jsonl_line_count).toBe(repeats * 3 + 1);
    expect(a.test_commands).toEqual(["/bin/bash -c 'make test'"]);
    expect(a.summary.command_events_sample).toHaveLength(80);
    expect(grown).toBeLessThan(48 * 1024 * 1024);
  });
});
