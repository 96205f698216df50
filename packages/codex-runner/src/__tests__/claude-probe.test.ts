import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeBinaryPath, cleanupTempDirs, tempDir } from '@agentpr/testing';
import { fileProbeCache } from '../probe-codex.js';
import { probeClaude } from '../probe-claude.js';

afterAll(() => cleanupTempDirs());

const HELP_2_1 = '--output-format <format>  "stream-json"\n--setting-sources <sources>\n--strict-mcp-config\n--no-session-persistence\n';

/** A fake claude: a shell script that records its calls and environment, then prints `version` or `help`. */
function fakeClaude(version: string, help = HELP_2_1, extra = ''): string {
  const path = join(tempDir('agentpr-fake-claude-'), 'claude');
  writeFileSync(
    path,
    `#!/bin/sh\necho "$*" >> "$0.calls"\nenv | sort > "$0.env"\n${extra}\nif [ "$1" = "--version" ]; then printf '%s\\n' ${JSON.stringify(version)}; exit 0; fi\nprintf '%s' ${JSON.stringify(help)}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function memoryCache() {
  const store = new Map<string, unknown>();
  return { store, get: (k: string) => store.get(k) as never, set: (k: string, v: unknown) => void store.set(k, v) };
}

const env = () => ({ PATH: process.env.PATH, HOME: tempDir('agentpr-probe-home-'), ANTHROPIC_API_KEY: 'sk-ant-probe-secret', GH_TOKEN: 'ghp-secret' });

describe('probeClaude', () => {
  it('probeClaude on the pinned real claude 2.1.332 reads its version and help once, then answers from the cache', async () => {
    const cache = memoryCache();
    const first = await probeClaude(claudeBinaryPath(), { env: env(), cache });
    expect(first).toEqual({ ok: true, cached: false, capabilities: { version: '2.1.332', versionText: '2.1.332 (Claude Code)', streamJson: true, settingSources: true } });
    expect(await probeClaude(claudeBinaryPath(), { env: env(), cache })).toMatchObject({ ok: true, cached: true });
    expect([...cache.store.keys()]).toEqual([expect.stringMatching(/^claude:.*\/claude@\d+/)]);
  });

  it('probeClaude runs the binary with stdin closed, no model key and no token, and the quiet switches set', async () => {
    const bin = fakeClaude('2.1.332 (Claude Code)');
    const result = await probeClaude(bin, { env: { ...env(), CLAUDE_CONFIG_DIR: '/nonexistent/cfg' }, cache: memoryCache() });
    expect(result.ok).toBe(true);
    expect(readFileSync(`${bin}.calls`, 'utf8')).toBe('--version\n--help\n');
    const seen = readFileSync(`${bin}.env`, 'utf8');
    expect(seen).not.toMatch(/ANTHROPIC_API_KEY|GH_TOKEN|secret/);
    expect(seen).toContain('CLAUDE_CONFIG_DIR=/nonexistent/cfg');
    expect(seen).toContain('CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1');
    expect(seen).toContain('DISABLE_AUTOUPDATER=1');
  });

  it('probeClaude refuses a version below 2.1.0 and a help without --setting-sources, one line each, and caches neither', async () => {
    const cache = memoryCache();
    const old = await probeClaude(fakeClaude('1.0.128 (Claude Code)'), { env: env(), cache });
    expect(old).toEqual({ ok: false, reason: 'claude 1.0.128 is older than 2.1.0, the oldest agentpr drives; upgrade it (npm i -g @anthropic-ai/claude-code@2.1.332).' });
    const noSources = await probeClaude(fakeClaude('2.1.332 (Claude Code)', '--output-format stream-json\n--strict-mcp-config\n--no-session-persistence\n'), { env: env(), cache });
    expect(noSources.ok).toBe(false);
    expect(!noSources.ok && noSources.reason).toMatch(/^claude 2\.1\.332 has no --setting-sources .*; upgrade it/);
    expect(cache.store.size).toBe(0);
  });

  it('probeClaude on a missing binary, a failing one and a hanging one says so in one line', async () => {
    expect(await probeClaude('/nonexistent/claude', { env: env() })).toEqual({ ok: false, reason: 'claude binary /nonexistent/claude does not exist.' });
    const failing = fakeClaude('x', '', 'echo "boom: cannot start" >&2; exit 3');
    const failed = await probeClaude(failing, { env: env(), cache: memoryCache() });
    expect(failed).toEqual({ ok: false, reason: `\`${failing} --version\` failed (boom: cannot start); check that it is a working claude binary.` });
    const hanging = fakeClaude('x', '', 'exec sleep 30');
    const started = Date.now();
    const hung = await probeClaude(hanging, { env: env(), cache: memoryCache(), timeoutMs: 300 });
    expect(hung).toEqual({ ok: false, reason: `\`${hanging} --version\` failed (timed out); check that it is a working claude binary.` });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('probeClaude shares a fileProbeCache file with codex entries and ignores a malformed claude entry', async () => {
    const bin = fakeClaude('2.1.332 (Claude Code)');
    const path = join(tempDir('agentpr-probe-cache-'), 'probe-cache.json');
    const cache = fileProbeCache(path);
    expect(await probeClaude(bin, { env: env(), cache })).toMatchObject({ ok: true, cached: false });
    expect(await probeClaude(bin, { env: env(), cache: fileProbeCache(path) })).toMatchObject({ ok: true, cached: true });
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const key = Object.keys(stored)[0]!;
    writeFileSync(path, JSON.stringify({ [key]: { version: '2.1.332', streamJson: 'yes' }, 'codex@1': { version: '0.169.0' } }));
    expect(await probeClaude(bin, { env: env(), cache: fileProbeCache(path) })).toMatchObject({ ok: true, cached: false });
    expect(readFileSync(`${bin}.calls`, 'utf8')).toBe('--version\n--help\n--version\n--help\n');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty(['codex@1']);
  });
});
