import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { createAttemptClaudeHome, resolveClaudeConfigDir } from './claude-home.js';
import { claudeEngine } from './claude-engine.js';
import { CodexRunnerError } from './errors.js';

afterAll(() => cleanupTempDirs());

const SKILL_TEXT = '---\nname: agentpr-implement-and-validate\n---\n';

/** An operator ~/.claude with what must never reach an attempt (credentials, settings with a hook, state) and skills. */
function operatorClaudeHome(): { home: string; secret: string } {
  const home = tempDir('agentpr-op-claude-');
  const secret = join(tempDir('agentpr-op-secret-'), 'id_ed25519');
  writeFileSync(secret, 'PRIVATE KEY');
  writeFileSync(join(home, '.credentials.json'), '{"claudeAiOauth":{"accessToken":"sk-ant-oat-secret"}}');
  writeFileSync(join(home, 'settings.json'), '{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"touch /tmp/pwned"}]}]}}');
  writeFileSync(join(home, '.claude.json'), '{"oauthAccount":{}}');
  writeFileSync(join(home, 'CLAUDE.md'), 'operator memory\n');
  mkdirSync(join(home, 'projects', 'x'), { recursive: true });
  writeFileSync(join(home, 'projects', 'x', 'session.jsonl'), '{}\n');
  mkdirSync(join(home, 'agents'));
  writeFileSync(join(home, 'agents', 'a.md'), 'agent\n');
  mkdirSync(join(home, 'skills', 'agentpr-implement-and-validate', 'references'), { recursive: true });
  writeFileSync(join(home, 'skills', 'agentpr-implement-and-validate', 'SKILL.md'), SKILL_TEXT);
  writeFileSync(join(home, 'skills', 'agentpr-implement-and-validate', 'references', 'r.md'), 'ref\n');
  symlinkSync(secret, join(home, 'skills', 'agentpr-implement-and-validate', 'leak.md'));
  symlinkSync(join(home, '.credentials.json'), join(home, 'skills', 'creds.json'));
  writeFileSync(join(home, 'skills', 'big.bin'), Buffer.alloc(4096, 1));
  return { home, secret };
}

describe('createAttemptClaudeHome', () => {
  it('createAttemptClaudeHome with skills copies only the regular skill files into a fresh 0700 claude-home dir', () => {
    const { home } = operatorClaudeHome();
    const parent = join(tempDir('agentpr-data-'), 'agent-homes');
    const attempt = createAttemptClaudeHome({ operatorClaudeHome: home, parentDir: parent, includeSkills: true, maxFileBytes: 1024 });
    expect(attempt.path.startsWith(`${parent}/claude-home-`)).toBe(true);
    expect(statSync(attempt.path).mode & 0o777).toBe(0o700);
    expect(attempt.copied.sort()).toEqual(['skills/agentpr-implement-and-validate/SKILL.md', 'skills/agentpr-implement-and-validate/references/r.md']);
    expect(attempt.skipped.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'skills/agentpr-implement-and-validate/leak.md', reason: 'symlink' },
      { path: 'skills/big.bin', reason: 'too_large' },
      { path: 'skills/creds.json', reason: 'symlink' },
    ]);
    expect(readdirSync(attempt.path)).toEqual(['skills']);
    expect(statSync(join(attempt.path, 'skills/agentpr-implement-and-validate/SKILL.md')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(attempt.path, 'skills/agentpr-implement-and-validate/SKILL.md'), 'utf8')).toContain('agentpr-implement-and-validate');
    for (const never of ['.credentials.json', 'settings.json', '.claude.json', 'CLAUDE.md', 'projects', 'agents']) expect(existsSync(join(attempt.path, never))).toBe(false);
    attempt.dispose();
    expect(existsSync(attempt.path)).toBe(false);
    attempt.dispose();
  });

  it('createAttemptClaudeHome without skills makes an empty home; each call gets its own directory', () => {
    const { home } = operatorClaudeHome();
    const parent = tempDir('agentpr-data-');
    const a = createAttemptClaudeHome({ operatorClaudeHome: home, parentDir: parent, includeSkills: false });
    const b = createAttemptClaudeHome({ operatorClaudeHome: home, parentDir: parent, includeSkills: false });
    expect(a.path).not.toBe(b.path);
    expect(readdirSync(a.path)).toEqual([]);
    expect(a.copied).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it('createAttemptClaudeHome with a symlinked skills dir skips it, and the total cap holds', () => {
    const { home } = operatorClaudeHome();
    const linked = tempDir('agentpr-op-claude-');
    symlinkSync(join(home, 'skills'), join(linked, 'skills'));
    const viaLink = createAttemptClaudeHome({ operatorClaudeHome: linked, parentDir: tempDir('agentpr-data-'), includeSkills: true });
    expect(viaLink.copied).toEqual([]);
    expect(viaLink.skipped).toEqual([{ path: 'skills', reason: 'symlink' }]);
    viaLink.dispose();
    const capped = createAttemptClaudeHome({ operatorClaudeHome: home, parentDir: tempDir('agentpr-data-'), includeSkills: true, maxTotalBytes: SKILL_TEXT.length + 1 });
    expect(capped.copied).toEqual(['skills/agentpr-implement-and-validate/SKILL.md']);
    expect(capped.skipped).toContainEqual({ path: 'skills/agentpr-implement-and-validate/references/r.md', reason: 'total_cap' });
    capped.dispose();
  });

  it('createAttemptClaudeHome under an unmakeable parent fails with one line naming the claude home', () => {
    let error: unknown;
    try {
      createAttemptClaudeHome({ operatorClaudeHome: '/nonexistent/claude', parentDir: '/nonexistent/a/b', includeSkills: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodexRunnerError);
    expect((error as CodexRunnerError).message).toMatch(/^cannot create the per-attempt claude home under \/nonexistent\/a\/b: ENOENT.*Create that directory/);
  });

  it('resolveClaudeConfigDir takes CLAUDE_CONFIG_DIR (with ~) else ~/.claude, and the engine copies from there', () => {
    expect(resolveClaudeConfigDir({ HOME: '/home/me' })).toBe('/home/me/.claude');
    expect(resolveClaudeConfigDir({ HOME: '/home/me', CLAUDE_CONFIG_DIR: '~/cfg' })).toBe('/home/me/cfg');
    expect(resolveClaudeConfigDir({ HOME: '/home/me', CLAUDE_CONFIG_DIR: '  ' })).toBe('/home/me/.claude');
    const { home } = operatorClaudeHome();
    const attempt = claudeEngine.createAttemptHome({ env: { HOME: '/nonexistent', CLAUDE_CONFIG_DIR: home }, parentDir: tempDir('agentpr-data-'), includeSkills: true });
    expect(attempt.copied).toContain('skills/agentpr-implement-and-validate/SKILL.md');
    attempt.dispose();
  });
});
