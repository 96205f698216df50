import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { cursorExtensionBinaries, expandHome, resolveCodexBinary } from './resolve-codex-binary.js';

describe('resolveCodexBinary', () => {
  it('resolveCodexBinary with AGENTPR_CODEX_BIN naming an executable uses it (with ~ expansion)', () => {
    const fs = fakeFileProbe({ '/home/me/bin/codex': { exec: true }, '/usr/bin/codex': { exec: true } });
    expect(resolveCodexBinary({ HOME: '/home/me', AGENTPR_CODEX_BIN: '~/bin/codex', PATH: '/usr/bin' }, fs)).toEqual({
      ok: true,
      path: '/home/me/bin/codex',
      source: 'env:AGENTPR_CODEX_BIN',
    });
  });

  it('resolveCodexBinary with a wrong AGENTPR_CODEX_BIN fails without falling back to PATH', () => {
    const fs = fakeFileProbe({ '/opt/codex': { exec: false }, '/usr/bin/codex': { exec: true } });
    const result = resolveCodexBinary({ AGENTPR_CODEX_BIN: '/opt/codex', PATH: '/usr/bin' }, fs);
    expect(result).toMatchObject({ ok: false, source: 'env:AGENTPR_CODEX_BIN' });
    expect(!result.ok && result.reason).toMatch(/AGENTPR_CODEX_BIN=\/opt\/codex does not point to an executable/);
  });

  it('resolveCodexBinary with a blank AGENTPR_CODEX_BIN takes the first codex on PATH', () => {
    const fs = fakeFileProbe({ '/a/codex': { exec: false }, '/b/codex': { exec: true }, '/c/codex': { exec: true } });
    expect(resolveCodexBinary({ AGENTPR_CODEX_BIN: '  ', PATH: '/a:relative:/b:/c' }, fs)).toEqual({ ok: true, path: '/b/codex', source: 'PATH' });
  });

  it('resolveCodexBinary falls back to the newest Cursor extension binary', () => {
    const fs = fakeFileProbe({
      '/h/.cursor/extensions/openai.chatgpt-1.0.0-universal/bin/linux-x64/codex': { exec: true, mtime: 10 },
      '/h/.cursor/extensions/openai.chatgpt-2.0.0/bin/macos-aarch64/codex': { exec: true, mtime: 20 },
      '/h/.cursor/extensions/openai.chatgpt-3.0.0/bin/linux-x64/codex': { exec: false, mtime: 30 },
      '/h/.cursor/extensions/other.ext-1/bin/linux-x64/codex': { exec: true, mtime: 40 },
    });
    expect(cursorExtensionBinaries('/h', fs)).toEqual([
      '/h/.cursor/extensions/openai.chatgpt-2.0.0/bin/macos-aarch64/codex',
      '/h/.cursor/extensions/openai.chatgpt-1.0.0-universal/bin/linux-x64/codex',
    ]);
    expect(resolveCodexBinary({ HOME: '/h', PATH: '/usr/bin' }, fs)).toEqual({
      ok: true,
      path: '/h/.cursor/extensions/openai.chatgpt-2.0.0/bin/macos-aarch64/codex',
      source: 'cursor-extension',
    });
  });

  it('resolveCodexBinary with no codex anywhere says where it looked and what to do', () => {
    const result = resolveCodexBinary({ HOME: '/h', PATH: '/usr/bin' }, fakeFileProbe({}));
    expect(result).toMatchObject({ ok: false, source: null });
    expect(!result.ok && result.reason).toMatch(/neither on PATH nor in the known editor extension paths.*AGENTPR_CODEX_BIN/);
  });

  it('expandHome expands only a leading ~', () => {
    expect(expandHome('~', '/h')).toBe('/h');
    expect(expandHome('~/x', '/h')).toBe('/h/x');
    expect(expandHome('/a/~/x', '/h')).toBe('/a/~/x');
  });
});
