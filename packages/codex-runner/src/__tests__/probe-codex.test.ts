import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, codexBinaryPath, tempDir } from '@agentpr/testing';
import { fileProbeCache, probeCodex, type CodexProbeCache } from '../probe-codex.js';

afterAll(() => cleanupTempDirs());

/** A fake codex: a shell script printing `version` for --version and `help` for exec --help. */
function fakeCodex(version: string, help = '', exitCode = 0): string {
  const path = join(tempDir('agentpr-fake-codex-'), 'codex');
  writeFileSync(
    path,
    `#!/bin/sh\necho "$*" >> "$0.calls"\nif [ "$1" = "--version" ]; then printf '%s\\n' ${JSON.stringify(version)}; exit ${exitCode}; fi\nprintf '%s\\n' ${JSON.stringify(help)}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function countingCache(): CodexProbeCache & { store: Map<string, unknown> } {
  const store = new Map<string, unknown>();
  return { store, get: (k) => store.get(k), set: (k, v) => void store.set(k, v) };
}

const env = () => ({ PATH: process.env.PATH, CODEX_HOME: tempDir('agentpr-probe-home-') });

describe('probeCodex', () => {
  it('probeCodex on the pinned real codex 0.169.0 reads its version once and caches it', async () => {
    const cache = countingCache();
    const first = await probeCodex(codexBinaryPath(), { env: env(), cache });
    expect(first).toMatchObject({ ok: true, cached: false, capabilities: { version: '0.169.0', jsonFlag: '--json', hasFullAuto: false } });
    const second = await probeCodex(codexBinaryPath(), { env: env(), cache });
    expect(second).toMatchObject({ ok: true, cached: true });
    expect(cache.store.size).toBe(1);
  });

  it('probeCodex runs --version only once per binary and modification time', async () => {
    const bin = fakeCodex('codex-cli 0.120.0');
    const cache = countingCache();
    await probeCodex(bin, { env: env(), cache });
    await probeCodex(bin, { env: env(), cache });
    expect(readFileSync(`${bin}.calls`, 'utf8')).toBe('--version\n');
  });

  it('probeCodex on a wrapper without a version number asks exec --help and finds --json', async () => {
    const bin = fakeCodex('my-codex-wrapper', '      --json  Print events to stdout as JSONL');
    const result = await probeCodex(bin, { env: env(), cache: countingCache() });
    expect(result).toMatchObject({ ok: true, capabilities: { version: null, jsonFlag: '--json' } });
  });

  it('probeCodex on a codex without --json refuses with one clear line', async () => {
    const bin = fakeCodex('my-codex-wrapper', '      --full-auto');
    const result = await probeCodex(bin, { env: env(), cache: countingCache() });
    expect(result).toEqual({ ok: false, reason: 'this codex has no `exec --json` flag, so its events cannot be read; upgrade it (npm i -g @openai/codex).' });
  });

  it('probeCodex on a codex older than 0.42 refuses without asking for help', async () => {
    const bin = fakeCodex('codex-cli 0.30.0');
    const result = await probeCodex(bin, { env: env(), cache: countingCache() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/codex 0\.30\.0 is older than 0\.42\.0/);
    expect(readFileSync(`${bin}.calls`, 'utf8')).toBe('--version\n');
  });

  it('probeCodex on a binary whose --version fails reports the failure', async () => {
    const bin = fakeCodex('boom', '', 3);
    const result = await probeCodex(bin, { env: env(), cache: countingCache() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/--version` failed/);
    expect((await probeCodex('/nonexistent/codex', { env: env() })).ok).toBe(false);
  });

  it('fileProbeCache persists results across cache instances', async () => {
    const file = join(tempDir('agentpr-probe-cache-'), 'cache', 'codex-probe.json');
    const bin = fakeCodex('codex-cli 0.169.0');
    expect((await probeCodex(bin, { env: env(), cache: fileProbeCache(file) })).ok).toBe(true);
    expect(existsSync(file)).toBe(true);
    const again = await probeCodex(bin, { env: env(), cache: fileProbeCache(file) });
    expect(again).toMatchObject({ ok: true, cached: true });
    writeFileSync(file, 'not json');
    expect(fileProbeCache(file).get('x')).toBeUndefined();
  });
});
