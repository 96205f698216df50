import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { installSkills } from '../install-skills.js';
import { SHIPPED_SKILLS } from './harness.js';

afterAll(() => cleanupTempDirs());

/** The skills context: only the environment and where the shipped skills are. */
function context(env: Record<string, string>) {
  const dir = tempDir('agentpr-skills-');
  return { env, paths: { dataDir: dir, reportsDir: dir, workspaceRoot: dir, campaignDir: dir, skillsDir: SHIPPED_SKILLS, policyFile: '', runtimeEnvFile: '' } };
}

describe('installSkills for Claude', () => {
  it('--engine claude installs the shipped skills into $CLAUDE_CONFIG_DIR/skills, where Claude reads <name>/SKILL.md', async () => {
    const claudeHome = tempDir('agentpr-claude-home-');
    const { kind, report } = await installSkills(context({ HOME: tempDir('agentpr-home-'), CLAUDE_CONFIG_DIR: claudeHome }), { engine: 'claude' });
    expect(kind).toBe('complete');
    expect(report.skills_root).toBe(join(claudeHome, 'skills'));
    expect(existsSync(join(claudeHome, 'skills', 'agentpr-implement-and-validate', 'SKILL.md'))).toBe(true);
  });

  it('without CLAUDE_CONFIG_DIR the root is ~/.claude/skills; --claude-home alone means Claude and names the root', async () => {
    const home = tempDir('agentpr-home-');
    expect((await installSkills(context({ HOME: home }), { engine: 'claude' })).report.skills_root).toBe(join(home, '.claude', 'skills'));
    const own = tempDir('agentpr-claude-own-');
    expect((await installSkills(context({ HOME: home }), { claudeHome: own })).report.skills_root).toBe(join(own, 'skills'));
    expect(existsSync(join(home, '.codex'))).toBe(false);
  });

  it('mixed-up flags are usage errors that install nothing: --codex-home with --engine claude, --claude-home with --engine codex, curated CI skills for Claude', async () => {
    const home = tempDir('agentpr-home-');
    const ctx = context({ HOME: home });
    await expect(installSkills(ctx, { engine: 'claude', codexHome: join(home, 'c') })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--claude-home') });
    await expect(installSkills(ctx, { engine: 'codex', claudeHome: join(home, 'c') })).rejects.toMatchObject({ code: 'usage' });
    await expect(installSkills(ctx, { engine: 'claude', installCuratedCi: true })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('codex only') });
    expect(existsSync(join(home, '.claude'))).toBe(false);
    expect(existsSync(join(home, 'c'))).toBe(false);
  });
});
