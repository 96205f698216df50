import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('command writes the audit fields in order and creates the parent directory', () => {
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

describe('TelegramAuditLog.assistant', () => {
  afterEach(() => cleanupTempDirs());

  it('assistant writes the record with ts first, redacts the bot token and confirm tokens, and cuts long texts to 2000', () => {
    const file = join(tempDir(), 'audit.jsonl');
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const audit = new TelegramAuditLog({ file, maxBytes: 100_000, keepFiles: 2, clock, secrets: [token] });
    audit.command({ update_id: 1, chat_id: 42, command: 'ask', outcome: 'ok', detail: 'answered', request_text: 'which runs are stuck?', response_text: 'none' });
    audit.assistant({ kind: 'assistant_question', request_id: 'ask_0123abcd4567', chat_key: 'telegram:42', user_key: 'telegram:42:42', tier: 'read', question: `token ${token} and 0123456789abcdef` });
    audit.assistant({ kind: 'assistant_reply', request_id: 'ask_0123abcd4567', outcome: 'answered', reply: 'y'.repeat(5000), input_tokens: 120, output_tokens: 30, tool_calls: 1, cost_usd: 0 });
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('AAHdqTcv');
    expect(raw).not.toContain('0123456789abcdef');
    const [command, question, reply] = lines(file);
    expect(command).toMatchObject({ command: 'ask' });
    expect(Object.keys(question!)).toEqual(['ts', 'kind', 'request_id', 'chat_key', 'user_key', 'tier', 'question']);
    expect(question).toMatchObject({ ts: '2026-02-25T00:47:07.861Z', kind: 'assistant_question', question: 'token <redacted> and <redacted>' });
    expect(reply).toMatchObject({ kind: 'assistant_reply', input_tokens: 120, tool_calls: 1 });
    expect((reply!.reply as string).length).toBe(2000);
  });
});

describe('TelegramAuditLog file modes', () => {
  afterEach(() => cleanupTempDirs());

  const mode = (path: string) => statSync(path).mode & 0o777;

  function withUmask<T>(mask: number, body: () => T): T {
    const previous = process.umask(mask);
    try {
      return body();
    } finally {
      process.umask(previous);
    }
  }

  it('under umask 022 the log is created 0600 and its missing directories 0700', () => {
    const root = tempDir();
    const file = join(root, 'reports', 'telegram', 'telegram_audit.jsonl');
    withUmask(0o022, () => new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock }).pollError('x'));
    expect(mode(file)).toBe(0o600);
    expect(mode(join(root, 'reports'))).toBe(0o700);
    expect(mode(join(root, 'reports', 'telegram'))).toBe(0o700);
  });

  it('under umask 000 the log is still 0600, and rotated files keep 0600', () => {
    const file = join(tempDir(), 'audit.jsonl');
    withUmask(0, () => {
      const audit = new TelegramAuditLog({ file, maxBytes: 200, keepFiles: 2, clock });
      for (let i = 0; i < 4; i++) audit.pollError(`error ${i} ${'x'.repeat(100)}`);
    });
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}.1`)).toBe(0o600);
  });

  it('an existing world-readable log is narrowed to 0600 on the next line', () => {
    const file = join(tempDir(), 'audit.jsonl');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock }).pollError('x');
    expect(mode(file)).toBe(0o600);
    expect(lines(file)).toHaveLength(1);
  });

  it('a symlink at the log path is not followed: nothing is written through it and its target keeps its mode', () => {
    const dir = tempDir();
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'keep\n');
    chmodSync(target, 0o644);
    const file = join(dir, 'audit.jsonl');
    symlinkSync(target, file);
    const errors: unknown[] = [];
    new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock, onError: (e) => errors.push(e) }).pollError('x');
    expect(errors).toHaveLength(1);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(mode(target)).toBe(0o644);
  });

  it('a stranger line carries unaudited_since_last and still redacts the token', () => {
    const file = join(tempDir(), 'audit.jsonl');
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const audit = new TelegramAuditLog({ file, maxBytes: 10_000, keepFiles: 2, clock, secrets: [token] });
    audit.command({ update_id: 1, chat_id: 9, command: 'list', outcome: 'unauthorized', detail: 'chat_not_allowlisted', request_text: `/list ${token}`, response_text: '', unaudited_since_last: 4 });
    expect(readFileSync(file, 'utf8')).not.toContain('AAHdqTcv');
    expect(lines(file)[0]).toMatchObject({ outcome: 'unauthorized', unaudited_since_last: 4 });
  });
});

describe('cutText', () => {
  it('cutText keeps text up to the limit and marks longer text with ...', () => {
    expect(cutText('abc', 5)).toBe('abc');
    expect(cutText('abcdefgh', 5)).toBe('ab...');
  });
});
