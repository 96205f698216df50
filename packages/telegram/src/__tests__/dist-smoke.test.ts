import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
afterAll(() => cleanupTempDirs());

describe('built dist', () => {
  it('builds with tsup and its entry parses a command and splits a reply', async () => {
    const out = tempDir('agentpr-telegram-dist-');
    await execa('npx', ['tsup', '--no-dts', '--no-sourcemap', '--out-dir', out], { cwd: pkg, timeout: 120_000, stdin: 'ignore' });
    const entry = join(out, 'index.js');
    expect(existsSync(entry)).toBe(true);
    const mod = (await import(pathToFileURL(entry).href)) as typeof import('../index.js');
    expect(mod.parseCommand('/show@bot run_1')).toEqual({ kind: 'command', name: 'show', args: ['run_1'] });
    expect(mod.splitMessage('x\n'.repeat(3000)).length).toBeGreaterThan(1);
    expect(typeof mod.createTelegramChatClient).toBe('function');
  });
});
