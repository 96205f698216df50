import { textSink, type TextSink } from '@agentpr/testing';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from './create-logger.js';

const SECRET = 'ghp_live_Secret_Value_123456';
const redact = (text: string) => text.replaceAll(SECRET, '***');
const fixedNow = () => new Date('2026-12-04T16:00:00.000Z');

function logTo(options: LoggerOptions = {}): { sink: TextSink; log: ReturnType<typeof createLogger> } {
  const sink = textSink();
  return { sink, log: createLogger({ destination: sink, now: fixedNow, ...options }) };
}

function lines(sink: TextSink): Record<string, unknown>[] {
  return sink.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createLogger, json format', () => {
  it('writes one JSON object per line with level label, ISO time, name, message and fields', () => {
    const { sink, log } = logTo({ format: 'json', name: 'webhook' });
    log.info('delivery accepted', { delivery: 'd-1', attempt: 2 });
    log.warn('slow', { ms: 1500 });
    const [first, second] = lines(sink);
    expect(first).toMatchObject({ level: 'info', time: '2026-12-04T16:00:00.000Z', name: 'webhook', msg: 'delivery accepted', delivery: 'd-1', attempt: 2 });
    expect(typeof first?.pid).toBe('number');
    expect(second).toMatchObject({ level: 'warn', msg: 'slow', ms: 1500 });
  });

  it('picks json on a non-TTY destination when the format is auto', () => {
    const { sink, log } = logTo({ format: 'auto' });
    log.error('boom');
    expect(lines(sink)[0]).toMatchObject({ level: 'error', msg: 'boom' });
  });

  it('filters by level, and silent writes nothing', () => {
    const warnOnly = logTo({ format: 'json', level: 'warn' });
    warnOnly.log.debug('d');
    warnOnly.log.info('i');
    warnOnly.log.warn('w');
    warnOnly.log.error('e');
    expect(lines(warnOnly.sink).map((line) => line.msg)).toEqual(['w', 'e']);
    const debug = logTo({ format: 'json', level: 'debug' });
    debug.log.debug('d');
    expect(lines(debug.sink)[0]).toMatchObject({ level: 'debug', msg: 'd' });
    const silent = logTo({ format: 'json', level: 'silent' });
    silent.log.error('e');
    expect(silent.sink.text).toBe('');
  });

  it('keeps the line shape when a field is named like a line key', () => {
    const { sink, log } = logTo({ format: 'json' });
    log.info('real message', { msg: 'field', level: 99 });
    expect(lines(sink)[0]).toMatchObject({ level: 'info', msg: 'real message', _msg: 'field', _level: 99 });
  });

  it('adds base and child fields to every line', () => {
    const { sink, log } = logTo({ format: 'json', base: { instance: 'a' } });
    log.child({ run: 'run_1' }).info('step');
    expect(lines(sink)[0]).toMatchObject({ instance: 'a', run: 'run_1', msg: 'step' });
  });
});

describe('createLogger, secrets', () => {
  it('never writes a secret value passed in the message, a string field, a nested field or an error', () => {
    const { sink, log } = logTo({ format: 'json', redact });
    const error = new Error(`push failed for https://x:${SECRET}@github.com/o/r`);
    log.error(`token ${SECRET} rejected`, { url: `https://x:${SECRET}@github.com`, nested: { list: [SECRET, { deep: SECRET }] }, error });
    expect(sink.text).not.toContain(SECRET);
    expect(lines(sink)[0]).toMatchObject({ msg: 'token *** rejected', url: 'https://x:***@github.com', nested: { list: ['***', { deep: '***' }] } });
    expect(lines(sink)[0]?.error).toMatchObject({ type: 'Error', message: 'push failed for https://x:***@github.com/o/r' });
  });

  it('censors values under secret keys at any depth and in any spelling, without a redact function', () => {
    const { sink, log } = logTo({ format: 'json' });
    log.info('request', {
      token: 'tok-aaaaaaaa',
      headers: { Authorization: 'Bearer bbbbbbbb', 'x-api-key': 'cccccccc', cookie: 'dddddddd' },
      a: { b: { c: { d: { e: { password: 'eeeeeeee' } } } } },
      config: { GITHUB_TOKEN: 'ffffffff', client_secret: 'gggggggg' },
      input_tokens: 42,
    });
    for (const value of ['tok-aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff', 'gggggggg']) expect(sink.text).not.toContain(value);
    expect(lines(sink)[0]).toMatchObject({ token: '***', headers: { Authorization: '***' }, input_tokens: 42 });
  });

  it('redacts base and child fields too', () => {
    const { sink, log } = logTo({ format: 'json', redact, base: { secret: 'base-secret-1' } });
    log.child({ note: `with ${SECRET}` }).info('x');
    expect(sink.text).not.toContain(SECRET);
    expect(sink.text).not.toContain('base-secret-1');
  });

  it('survives cycles, bigints and odd values', () => {
    const { sink, log } = logTo({ format: 'json' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    log.info('odd', { cyclic, big: 10n, when: new Date('2026-01-01T00:00:00Z'), nothing: null, missing: undefined });
    expect(lines(sink)[0]).toMatchObject({ cyclic: { name: 'loop', self: '[circular]' }, big: '10', when: '2026-01-01T00:00:00.000Z', nothing: null });
  });
});

describe('createLogger, pretty format', () => {
  it('writes one readable line per event with time, level, name, message and fields', () => {
    const { sink, log } = logTo({ format: 'pretty', name: 'bot', redact });
    log.info('listening', { port: 8080 });
    log.warn(`bad token ${SECRET}`, { token: SECRET });
    const output = sink.text.trimEnd().split('\n');
    expect(output).toHaveLength(2);
    expect(output[0]).toMatch(/^\[16:00:00\.000] INFO \(bot\): listening \{"port":8080\}$/);
    expect(output[1]).toContain('WARN (bot): bad token ***');
    expect(sink.text).not.toContain(SECRET);
    expect(sink.text).not.toContain('"level"');
    expect(sink.text).not.toContain('\u001b[');
  });

  it('is picked on a TTY when the format is auto, with colours', () => {
    const sink = Object.assign(textSink(), { isTTY: true });
    createLogger({ destination: sink, now: fixedNow }).info('hello');
    expect(sink.text).toContain('hello');
    expect(sink.text).toContain('\u001b[');
    expect(sink.text).not.toContain('"msg"');
  });
});
