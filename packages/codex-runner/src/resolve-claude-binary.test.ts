import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { claudePlatformPackage, resolveClaudeBinary, type ClaudeFileProbe, type ClaudePlatform } from './resolve-claude-binary.js';

afterAll(() => cleanupTempDirs());

const LINUX: ClaudePlatform = { os: 'linux', arch: 'x64', musl: false };
const NATIVE = 400 * 1024 * 1024;

/** An in-memory probe: `exec` files, their `size`, and symlinks (`link`: where the entry points). */
function fakeClaudeProbe(files: Record<string, { exec?: boolean; size?: number; link?: string }>): ClaudeFileProbe {
  const base = fakeFileProbe(Object.fromEntries(Object.entries(files).map(([path, f]) => [path, { exec: f.exec ?? false }])));
  const follow = (path: string): string => files[path]?.link ?? path;
  return {
    ...base,
    isExecutableFile: (path) => files[follow(path)]?.exec === true,
    realPath: (path) => follow(path),
    sizeBytes: (path) => files[follow(path)]?.size ?? null,
  };
}

const NPM = '/usr/lib/node_modules/@anthropic-ai/claude-code';
const PLATFORM = '/usr/lib/node_modules/@anthropic-ai/claude-code-linux-x64/claude';

describe('resolveClaudeBinary', () => {
  it('resolveClaudeBinary with AGENTPR_CLAUDE_BIN naming an executable uses it (with ~ expansion), before PATH', () => {
    const fs = fakeClaudeProbe({ '/home/me/bin/claude': { exec: true, size: NATIVE }, '/usr/bin/claude': { exec: true, size: NATIVE } });
    expect(resolveClaudeBinary({ HOME: '/home/me', AGENTPR_CLAUDE_BIN: '~/bin/claude', PATH: '/usr/bin' }, fs, LINUX)).toEqual({
      ok: true,
      path: '/home/me/bin/claude',
      source: 'env:AGENTPR_CLAUDE_BIN',
    });
  });

  it('resolveClaudeBinary with a wrong AGENTPR_CLAUDE_BIN fails in one line without falling back to PATH', () => {
    const fs = fakeClaudeProbe({ '/opt/claude': { exec: false }, '/usr/bin/claude': { exec: true, size: NATIVE } });
    const result = resolveClaudeBinary({ AGENTPR_CLAUDE_BIN: '/opt/claude', PATH: '/usr/bin' }, fs, LINUX);
    expect(result).toEqual({ ok: false, source: 'env:AGENTPR_CLAUDE_BIN', reason: 'AGENTPR_CLAUDE_BIN=/opt/claude does not point to an executable file; fix or unset it.' });
  });

  it('resolveClaudeBinary with AGENTPR_CLAUDE_BIN at the placeholder bin/claude.exe refuses and names the native binary to use instead', () => {
    const fs = fakeClaudeProbe({ [`${NPM}/bin/claude.exe`]: { exec: true, size: 500 }, [PLATFORM]: { exec: true, size: NATIVE } });
    const result = resolveClaudeBinary({ AGENTPR_CLAUDE_BIN: `${NPM}/bin/claude.exe`, PATH: '' }, fs, LINUX);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(
      `AGENTPR_CLAUDE_BIN=${NPM}/bin/claude.exe is the npm package's missing or placeholder bin/claude.exe (its postinstall did not run); point it at ${PLATFORM}.`,
    );
  });

  it('resolveClaudeBinary takes the first executable claude on PATH, skipping relative and empty entries', () => {
    const fs = fakeClaudeProbe({ '/a/claude': { exec: false }, '/b/claude': { exec: true, size: NATIVE }, '/c/claude': { exec: true, size: NATIVE }, 'rel/claude': { exec: true } });
    expect(resolveClaudeBinary({ AGENTPR_CLAUDE_BIN: '  ', PATH: ':rel:/a:/b:/c' }, fs, LINUX)).toEqual({ ok: true, path: '/b/claude', source: 'PATH' });
  });

  it('resolveClaudeBinary with an npm bin link to a placeholder claude.exe resolves to the platform package next to it', () => {
    const fs = fakeClaudeProbe({
      '/usr/bin/claude': { link: `${NPM}/bin/claude.exe` },
      [`${NPM}/bin/claude.exe`]: { exec: true, size: 500 },
      [PLATFORM]: { exec: true, size: NATIVE },
    });
    expect(resolveClaudeBinary({ PATH: '/usr/bin' }, fs, LINUX)).toEqual({ ok: true, path: PLATFORM, source: 'npm-platform-package' });
  });

  it('resolveClaudeBinary with an npm bin link to a missing claude.exe finds the nested musl platform package', () => {
    const nested = `${NPM}/node_modules/@anthropic-ai/claude-code-linux-arm64-musl/claude`;
    const fs = fakeClaudeProbe({ '/usr/bin/claude': { link: `${NPM}/bin/claude.exe` }, [nested]: { exec: true, size: NATIVE } });
    expect(resolveClaudeBinary({ PATH: '/usr/bin' }, fs, { os: 'linux', arch: 'arm64', musl: true })).toEqual({ ok: true, path: nested, source: 'npm-platform-package' });
  });

  it('resolveClaudeBinary with a postinstalled npm bin (the real binary) uses claude.exe itself', () => {
    const fs = fakeClaudeProbe({ '/usr/bin/claude': { link: `${NPM}/bin/claude.exe` }, [`${NPM}/bin/claude.exe`]: { exec: true, size: NATIVE }, [PLATFORM]: { exec: true, size: NATIVE } });
    expect(resolveClaudeBinary({ PATH: '/usr/bin' }, fs, LINUX)).toEqual({ ok: true, path: `${NPM}/bin/claude.exe`, source: 'PATH' });
  });

  it('resolveClaudeBinary falls back to the local installer: its npm install first, then ~/.claude/local/claude, then ~/.local/bin/claude', () => {
    const localNpm = '/h/.claude/local/node_modules/@anthropic-ai/claude-code';
    const localNative = '/h/.claude/local/node_modules/@anthropic-ai/claude-code-linux-x64/claude';
    const withNpm = fakeClaudeProbe({ [`${localNpm}/bin/claude.exe`]: { exec: true, size: 10 }, [localNative]: { exec: true, size: NATIVE }, '/h/.claude/local/claude': { exec: true, size: 80 } });
    expect(resolveClaudeBinary({ HOME: '/h', PATH: '/usr/bin' }, withNpm, LINUX)).toEqual({ ok: true, path: localNative, source: 'npm-platform-package' });
    const wrapperOnly = fakeClaudeProbe({ '/h/.claude/local/claude': { exec: true, size: 80 }, '/h/.local/bin/claude': { exec: true, size: NATIVE } });
    expect(resolveClaudeBinary({ HOME: '/h', PATH: '/usr/bin' }, wrapperOnly, LINUX)).toEqual({ ok: true, path: '/h/.claude/local/claude', source: 'claude-local' });
    const native = fakeClaudeProbe({ '/h/.local/bin/claude': { exec: true, size: NATIVE } });
    expect(resolveClaudeBinary({ HOME: '/h', PATH: '/usr/bin' }, native, LINUX)).toEqual({ ok: true, path: '/h/.local/bin/claude', source: 'claude-local' });
  });

  it('resolveClaudeBinary with no claude anywhere says where it looked and names both fixes', () => {
    const result = resolveClaudeBinary({ HOME: '/h', PATH: '/usr/bin' }, fakeClaudeProbe({}), LINUX);
    expect(result).toEqual({
      ok: false,
      source: null,
      reason: 'claude was found neither on PATH nor in ~/.claude/local or ~/.local/bin; install it (npm i -g @anthropic-ai/claude-code@2.1.332) or set AGENTPR_CLAUDE_BIN.',
    });
  });

  it('resolveClaudeBinary with a plain FileProbe (no link or size answers) takes paths as they are', () => {
    const fs = fakeFileProbe({ '/usr/bin/claude': { exec: true } });
    expect(resolveClaudeBinary({ PATH: '/usr/bin' }, fs, LINUX)).toEqual({ ok: true, path: '/usr/bin/claude', source: 'PATH' });
  });

  it('resolveClaudeBinary on a real npm layout (global bin link to a placeholder, postinstall not run) finds the platform binary', () => {
    const prefix = tempDir('agentpr-npm-prefix-');
    const pkg = join(prefix, 'lib', 'node_modules', '@anthropic-ai', 'claude-code');
    const platformDir = join(prefix, 'lib', 'node_modules', '@anthropic-ai', claudePlatformPackage(LINUX).split('/')[1]!);
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(platformDir, { recursive: true });
    mkdirSync(join(prefix, 'bin'));
    writeFileSync(join(pkg, 'bin', 'claude.exe'), 'echo "claude: the native binary was not installed"\n', { mode: 0o755 });
    writeFileSync(join(platformDir, 'claude'), Buffer.alloc(8192, 0x7f), { mode: 0o755 });
    symlinkSync('../lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe', join(prefix, 'bin', 'claude'));
    const env = { PATH: join(prefix, 'bin'), HOME: tempDir('agentpr-home-') };
    expect(resolveClaudeBinary(env, undefined, LINUX)).toEqual({ ok: true, path: join(platformDir, 'claude'), source: 'npm-platform-package' });
    // An empty bin dir: the dangling link still leads to the package.
    rmSync(join(pkg, 'bin', 'claude.exe'));
    expect(resolveClaudeBinary(env, undefined, LINUX)).toEqual({ ok: true, path: join(platformDir, 'claude'), source: 'npm-platform-package' });
  });
});
