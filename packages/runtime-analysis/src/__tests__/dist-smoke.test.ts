import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
afterAll(() => cleanupTempDirs());

describe('built dist', () => {
  it('builds with tsup and its entry classifies a stream', async () => {
    const out = tempDir('agentpr-ra-dist-');
    await execa('npx', ['tsup', '--no-dts', '--no-sourcemap', '--out-dir', out], { cwd: pkg, timeout: 120_000, stdin: 'ignore' });
    const entry = join(out, 'index.js');
    expect(existsSync(entry)).toBe(true);
    const mod = (await import(pathToFileURL(entry).href)) as typeof import('../index.js');
    const a = mod.analyzeEventText('{"type":"turn.started"}\n{"type":"turn.completed","usage":{"input_tokens":3}}\n');
    const c = mod.classifyAttempt({ stage: 'DISCOVERY', agentExit: 0, analysis: a, maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 });
    expect([c.grade, c.reason_code]).toEqual(['PASS', 'runtime_success']);
  });
});
