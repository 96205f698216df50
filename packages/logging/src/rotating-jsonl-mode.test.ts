import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { openRotatingJsonl } from './rotating-jsonl.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('openRotatingJsonl file modes', () => {
  let previous: number;
  beforeEach(() => {
    previous = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(previous);
  });
  afterAll(() => cleanupTempDirs());

  it('under umask 022 the audit file is created 0600 and the directories it makes 0700; an existing parent keeps its mode', async () => {
    const root = tempDir('agentpr-audit-mode-');
    chmodSync(root, 0o755);
    const file = join(root, 'data', 'reports', 'github_webhook_audit.jsonl');
    const audit = openRotatingJsonl(file, { maxBytes: 1024, keepFiles: 2 });
    for (let i = 0; i < 30; i++) audit.write({ i, pad: 'x'.repeat(60) });
    await audit.close();
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}.1`)).toBe(0o600);
    expect(mode(join(root, 'data', 'reports'))).toBe(0o700);
    expect(mode(join(root, 'data'))).toBe(0o700);
    expect(mode(root)).toBe(0o755);
  });

  it('an existing world-readable audit file is narrowed to 0600 when opened', async () => {
    const root = tempDir('agentpr-audit-mode-');
    const file = join(root, 'audit.jsonl');
    writeFileSync(file, '{"old":true}\n', { mode: 0o644 });
    expect(mode(file)).toBe(0o644);
    const audit = openRotatingJsonl(file);
    await audit.close();
    expect(mode(file)).toBe(0o600);
  });
});
