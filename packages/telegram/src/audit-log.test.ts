import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { TelegramAuditLog, cutText } from './audit-log.js';

const clock = () => new Date('2026-02-25T00:47:07.861Z');

function lines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('TelegramAuditLog', () => {
  afterEach(() => cleanupTempDirs());

  it('command writes the SPEC §8.7 fields in order and creates the parent directory', () => {
    const file = join(tempDir(), 'reports', 'nested', 'telegram_audit.jsonl');
    const audit = new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock });
    audit.command({ update_id: 1, chat_id: 42, command: 'list', outcome: 'ok', detail: '', request_text: '/list', response_text: 'No runs yet.' });
    const [line] = lines(file);
    expect(Object.keys(line!)).toEqual(['ts', 'update_id', 'chat_id', 'command', 'outcome', 'detail', 'request_text', 'response_text']);
    expect(line).toMatchObject({ ts: '2026-02-25T00:47:07.861Z', chat_id: 42, outcome: 'ok' });
  });

  it('command cuts texts to 400 characters and never writes the bot token or a confirm token', () => {
    const file = join(tempDir(), 'audit.jsonl');
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const audit = new TelegramAuditLog({ file, maxBytes: 100_000, keepFiles: 2, clock, secrets: [token] });
    audit.command({ update_id: 1, chat_id: 1, command: 'approve_pr', outcome: 'error', detail: `failed at /bot${token}/x`, request_text: '/approve_pr run_1 0123456789abcdef', response_text: 'z'.repeat(1000) });
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('AAHdqTcv');
    expect(raw).not.toContain('0123456789abcdef');
    const [line] = lines(file);
    expect((line!.response_text as string).length).toBe(400);
    expect(line!.response_text).toMatch(/\.\.\.$/);
  });

  it('pollError writes a poll_error line', () => {
    const file = join(tempDir(), 'audit.jsonl');
    new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock }).pollError('getUpdates failed: ECONNREFUSED');
    expect(lines(file)).toEqual([{ ts: '2026-02-25T00:47:07.861Z', kind: 'poll_error', error: 'getUpdates failed: ECONNREFUSED' }]);
  });

  it('rotates to .1, .2 when the file would exceed maxBytes and keeps only keepFiles old files', () => {
    const file = join(tempDir(), 'audit.jsonl');
    const audit = new TelegramAuditLog({ file, maxBytes: 300, keepFiles: 2, clock });
    for (let i = 0; i < 12; i++) audit.pollError(`error number ${i} ${'x'.repeat(100)}`);
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(readFileSync(file, 'utf8').length).toBeLessThanOrEqual(300);
    expect(lines(file).at(-1)!.error).toMatch(/^error number 11 /);
  });

  it('a write failure is reported to onError and does not throw', () => {
    const file = join(tempDir(), 'audit.jsonl');
    const errors: unknown[] = [];
    const audit = new TelegramAuditLog({ file, maxBytes: 1_000_000, keepFiles: 2, clock, onError: (e) => errors.push(e) });
    mkdirSync(file);
    expect(() => audit.pollError('x')).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('cutText', () => {
  it('cutText keeps text up to the limit and marks longer text with ...', () => {
    expect(cutText('abc', 5)).toBe('abc');
    expect(cutText('abcdefgh', 5)).toBe('ab...');
  });
});
