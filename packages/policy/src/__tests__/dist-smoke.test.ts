import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
afterAll(() => cleanupTempDirs());

describe('built dist', () => {
  it('builds with tsup and its entry loads the defaults', async () => {
    const out = tempDir('agentpr-policy-dist-');
    await execa('npx', ['tsup', '--no-dts', '--no-sourcemap', '--out-dir', out], { cwd: pkg, timeout: 120_000, stdin: 'ignore' });
    const entry = join(out, 'index.js');
    expect(existsSync(entry)).toBe(true);
    const mod = (await import(pathToFileURL(entry).href)) as typeof import('../index.js');
    expect(mod.effectivePolicy(mod.DEFAULT_MANAGER_POLICY, 'a', 'b').max_changed_files).toBe(8);
  });
});
