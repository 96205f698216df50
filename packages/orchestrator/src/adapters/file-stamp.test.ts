import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { fileStamp, writeNewFile } from './file-stamp.js';

afterAll(() => cleanupTempDirs());

describe('file stamps', () => {
  it('fileStamp is YYYYMMDDTHHMMSS plus 6 fractional digits and Z', () => {
    expect(fileStamp(new Date('2026-02-25T00:47:07.761Z'))).toBe('20260225T004707761000Z');
  });

  it('writeNewFile never overwrites: a second file in the same instant gets a suffix', () => {
    const dir = tempDir();
    const at = new Date('2026-02-25T00:47:07.761Z');
    const a = writeNewFile(dir, 'r_', at, '.json', 'a');
    const b = writeNewFile(dir, 'r_', at, '.json', 'b');
    expect([a.split('/').pop(), b.split('/').pop()]).toEqual(['r_20260225T004707761000Z.json', 'r_20260225T004707761000Z-2.json']);
    expect(readFileSync(a, 'utf8')).toBe('a');
  });

  it('writeNewFile creates the file 0600 under umask 022', () => {
    const dir = tempDir();
    const previous = process.umask(0o022);
    let path: string;
    try {
      path = writeNewFile(dir, 'r_', new Date('2026-02-25T00:47:07.761Z'), '.json', '{}');
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('writeNewFile with redact writes the redacted content', () => {
    const dir = tempDir();
    const path = writeNewFile(dir, 'r_', new Date('2026-02-25T00:47:07.761Z'), '.md', 'token ghp_canary123456', { redact: (t) => t.replaceAll('ghp_canary123456', '***') });
    expect(readFileSync(path, 'utf8')).toBe('token ***');
  });
});
