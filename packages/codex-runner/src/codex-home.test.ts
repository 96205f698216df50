import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { createAttemptCodexHome } from './codex-home.js';
import { CodexRunnerError } from './errors.js';

afterAll(() => cleanupTempDirs());

/** An operator codex home with config, auth, skills, and hostile entries: symlinks to secrets, a FIFO, a big file. */
function operatorHome(): { home: string; secret: string } {
  const home = tempDir('agentpr-op-codex-');
  const outside = tempDir('agentpr-op-secret-');
  const secret = join(outside, 'id_ed25519');
  writeFileSync(secret, 'PRIVATE KEY');
  writeFileSync(join(home, 'config.toml'), 'model = "gpt-5.5"\n');
  writeFileSync(join(home, 'auth.json'), '{"token":"t"}');
  writeFileSync(join(home, 'history.jsonl'), 'not copied\n');
  mkdirSync(join(home, 'sessions'));
  writeFileSync(join(home, 'sessions', 's.jsonl'), 'not copied\n');
  mkdirSync(join(home, 'skills', 'agentpr-implement-and-validate', 'references'), { recursive: true });
  writeFileSync(join(home, 'skills', 'agentpr-implement-and-validate', 'SKILL.md'), '# skill\n');
  writeFileSync(join(home, 'skills', 'agentpr-implement-and-validate', 'references', 'a.md'), 'ref\n');
  symlinkSync(secret, join(home, 'skills', 'agentpr-implement-and-validate', 'leak.md'));
  symlinkSync(outside, join(home, 'skills', 'linked-dir'));
  writeFileSync(join(home, 'skills', 'big.bin'), Buffer.alloc(2048, 1));
  execFileSync('mkfifo', [join(home, 'skills', 'pipe')]);
  return { home, secret };
}

describe('createAttemptCodexHome', () => {
  it('createAttemptCodexHome copies config, auth and regular skill files 0600 into a fresh 0700 dir, skipping symlinks and a FIFO', () => {
    const { home } = operatorHome();
    const parent = join(tempDir('agentpr-data-'), 'agent-homes');
    const attempt = createAttemptCodexHome({ operatorCodexHome: home, parentDir: parent, includeSkills: true, maxFileBytes: 1024 });
    expect(attempt.path.startsWith(`${parent}/codex-home-`)).toBe(true);
    expect(statSync(attempt.path).mode & 0o777).toBe(0o700);
    expect(attempt.copied.sort()).toEqual([
      'auth.json',
      'config.toml',
      'skills/agentpr-implement-and-validate/SKILL.md',
      'skills/agentpr-implement-and-validate/references/a.md',
    ]);
    expect(attempt.skipped).toEqual(
      expect.arrayContaining([
        { path: 'skills/agentpr-implement-and-validate/leak.md', reason: 'symlink' },
        { path: 'skills/linked-dir', reason: 'symlink' },
        { path: 'skills/big.bin', reason: 'too_large' },
        { path: 'skills/pipe', reason: 'not_regular' },
      ]),
    );
    expect(attempt.skipped).toHaveLength(4);
    expect(readFileSync(join(attempt.path, 'config.toml'), 'utf8')).toBe('model = "gpt-5.5"\n');
    expect(statSync(join(attempt.path, 'auth.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(attempt.path, 'skills/agentpr-implement-and-validate/leak.md'))).toBe(false);
    expect(existsSync(join(attempt.path, 'history.jsonl'))).toBe(false);
    expect(existsSync(join(attempt.path, 'sessions'))).toBe(false);
    attempt.dispose();
    expect(existsSync(attempt.path)).toBe(false);
    attempt.dispose();
  });

  it('createAttemptCodexHome without skills copies only config and auth; each call gets its own directory', () => {
    const { home } = operatorHome();
    const parent = tempDir('agentpr-data-');
    const a = createAttemptCodexHome({ operatorCodexHome: home, parentDir: parent, includeSkills: false });
    const b = createAttemptCodexHome({ operatorCodexHome: home, parentDir: parent, includeSkills: false });
    expect(a.path).not.toBe(b.path);
    expect(a.copied.sort()).toEqual(['auth.json', 'config.toml']);
    expect(existsSync(join(a.path, 'skills'))).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('createAttemptCodexHome with a symlinked config.toml skips it instead of reading the target', () => {
    const { home, secret } = operatorHome();
    const linked = tempDir('agentpr-op-codex-');
    symlinkSync(secret, join(linked, 'config.toml'));
    symlinkSync(join(home, 'skills'), join(linked, 'skills'));
    const attempt = createAttemptCodexHome({ operatorCodexHome: linked, parentDir: tempDir('agentpr-data-'), includeSkills: true });
    expect(attempt.copied).toEqual([]);
    expect(attempt.skipped).toEqual([
      { path: 'config.toml', reason: 'symlink' },
      { path: 'skills', reason: 'symlink' },
    ]);
    attempt.dispose();
  });

  it('createAttemptCodexHome stops copying at the total cap and reports the rest', () => {
    const home = tempDir('agentpr-op-codex-');
    writeFileSync(join(home, 'config.toml'), 'x'.repeat(600));
    mkdirSync(join(home, 'skills', 's'), { recursive: true });
    writeFileSync(join(home, 'skills', 's', 'SKILL.md'), 'y'.repeat(600));
    const attempt = createAttemptCodexHome({ operatorCodexHome: home, parentDir: tempDir('agentpr-data-'), includeSkills: true, maxTotalBytes: 1000 });
    expect(attempt.copied).toEqual(['config.toml']);
    expect(attempt.skipped).toEqual([{ path: 'skills/s/SKILL.md', reason: 'total_cap' }]);
    attempt.dispose();
  });

  it('createAttemptCodexHome with a missing operator home makes an empty home, and an unmakeable parent fails with one line', () => {
    const attempt = createAttemptCodexHome({ operatorCodexHome: '/nonexistent/codex', parentDir: tempDir('agentpr-data-'), includeSkills: true });
    expect(attempt.copied).toEqual([]);
    expect(attempt.skipped).toEqual([]);
    attempt.dispose();
    let error: unknown;
    try {
      createAttemptCodexHome({ operatorCodexHome: '/nonexistent/codex', parentDir: '/nonexistent/a/b', includeSkills: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodexRunnerError);
    expect((error as CodexRunnerError).message).toMatch(/^cannot create the per-attempt codex home under \/nonexistent\/a\/b: ENOENT/);
    expect(() => createAttemptCodexHome({ operatorCodexHome: '/x', parentDir: '/tmp', includeSkills: false, maxFileBytes: 0 })).toThrow(/maxFileBytes must be a positive integer/);
  });
});
