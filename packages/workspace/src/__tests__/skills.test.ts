import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { hashSkillDir, installSkills, listSkillNames, REQUIRED_SKILLS, resolveSkillLocations, skillsStatus } from '../index.js';

const SHIPPED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../skills');
const env = { PATH: process.env.PATH ?? '' };

afterEach(() => cleanupTempDirs());

function codexHome(): string {
  return join(tempDir('agentpr-codex-'), '.codex');
}

describe('shipped stage skills', () => {
  it.each(REQUIRED_SKILLS)('skill %s has SKILL.md front matter, agents/openai.yaml invoking it, and references', (name) => {
    const dir = join(SHIPPED, name);
    const skill = readFileSync(join(dir, 'SKILL.md'), 'utf8');
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill);
    expect(front).not.toBeNull();
    expect(front![1]).toMatch(new RegExp(`^name: ${name}$`, 'm'));
    expect(front![1]).toMatch(/^description: \S.{40,}$/m);
    const agent = readFileSync(join(dir, 'agents', 'openai.yaml'), 'utf8');
    expect(agent).toMatch(/^interface:\n/);
    expect(agent).toMatch(/^ {2}display_name: "\S/m);
    expect(agent).toMatch(/^ {2}short_description: "\S/m);
    expect(agent).toContain(`default_prompt: "Use $${name} `);
    const refs = readdirSync(join(dir, 'references')).filter((f) => f.endsWith('.md'));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(readFileSync(join(dir, 'references', ref), 'utf8').length).toBeGreaterThan(200);
    // Every reference the skill text names exists.
    for (const [, ref] of skill.matchAll(/`(references\/[^`]+\.md)`/g)) expect(existsSync(join(dir, ref!))).toBe(true);
  });

  it('listSkillNames on the shipped dir lists exactly the three stage skills', async () => {
    expect(await listSkillNames(SHIPPED)).toEqual([...REQUIRED_SKILLS].sort());
  });
});

describe('resolveSkillLocations', () => {
  it('resolveSkillLocations prefers --codex-home, then CODEX_HOME, then ~/.codex', () => {
    const base = { localSkillsRoot: '~/skills', homeDir: '/home/me' };
    expect(resolveSkillLocations({ ...base, env: {} })).toEqual({ codex_home: '/home/me/.codex', skills_root: '/home/me/.codex/skills', local_skills_root: '/home/me/skills' });
    expect(resolveSkillLocations({ ...base, env: { CODEX_HOME: '~/alt' } }).codex_home).toBe('/home/me/alt');
    expect(resolveSkillLocations({ ...base, env: { CODEX_HOME: '/x' }, codexHome: '/flag' })).toMatchObject({ codex_home: '/flag', skills_root: '/flag/skills' });
    expect(resolveSkillLocations({ ...base, env: {}, skillsRoot: '/custom' }).skills_root).toBe('/custom');
  });
});

describe('installSkills', () => {
  it('installSkills copies the three stage skills, then reports already_exists on a second run and keeps user skills', async () => {
    const home = codexHome();
    mkdirSync(join(home, 'skills', 'my-own-skill'), { recursive: true });
    writeFileSync(join(home, 'skills', 'my-own-skill', 'SKILL.md'), '---\nname: my-own-skill\n---\n');

    const first = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/nonexistent' });
    expect(first.results.map((r) => [r.name, r.status])).toEqual([...REQUIRED_SKILLS].sort().map((n) => [n, 'installed']));
    expect(first).toMatchObject({ ok: true, codex_home: home, skills_root: join(home, 'skills'), local_skills_root: SHIPPED, curated_ci_install: null, missing_required_after_install: [], missing_optional_ci_after_install: ['gh-fix-ci', 'gh-address-comments'] });
    expect(first.note).toMatch(/restart/i);
    for (const name of REQUIRED_SKILLS) expect(await hashSkillDir(join(home, 'skills', name))).toBe(await hashSkillDir(join(SHIPPED, name)));

    const second = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/nonexistent' });
    expect(second.results.map((r) => r.status)).toEqual(['already_exists', 'already_exists', 'already_exists']);
    expect(second.results.every((r) => r.outdated === undefined)).toBe(true);
    expect(readdirSync(join(home, 'skills')).sort()).toEqual([...REQUIRED_SKILLS, 'my-own-skill'].sort());
  });

  it('installSkills into a codex home that cannot be made (a file, /proc) says which directory and how to fix it', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    for (const [home, code] of [[file, 'ENOTDIR'], ['/proc/agentpr-nope', 'ENOENT']] as const) {
      await expect(installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/nonexistent' })).rejects.toMatchObject({
        code: 'not_writable',
        message: expect.stringMatching(new RegExp(`^cannot create the skills directory ${home}/skills: ${code}: .*Pass --skills-root or --codex-home \\(or set CODEX_HOME\\) to a writable directory\\.$`)),
      });
    }
  });

  it('installSkills with --name installs only that skill and reports an unknown name as missing_source', async () => {
    const home = codexHome();
    const report = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x', names: [' agentpr-ci-review-fix ', '', 'nope', '../escape'] });
    expect(report.results).toEqual([
      { name: 'agentpr-ci-review-fix', status: 'installed', source: join(SHIPPED, 'agentpr-ci-review-fix'), dest: join(home, 'skills', 'agentpr-ci-review-fix') },
      { name: 'nope', status: 'missing_source', source: null, dest: join(home, 'skills', 'nope') },
      { name: '../escape', status: 'missing_source', source: null, dest: join(home, 'skills', '../escape') },
    ]);
    expect(report.missing_required_after_install).toEqual(['agentpr-repo-preflight-contract', 'agentpr-implement-and-validate']);
  });

  it('installSkills marks a changed installed copy as outdated and --force replaces it with the shipped content', async () => {
    const home = codexHome();
    await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' });
    const skillFile = join(home, 'skills', 'agentpr-implement-and-validate', 'SKILL.md');
    writeFileSync(skillFile, 'edited by hand\n');
    writeFileSync(join(home, 'skills', 'agentpr-implement-and-validate', 'stray.txt'), 'x');

    const status = await skillsStatus({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' });
    expect(status.outdated_required).toEqual(['agentpr-implement-and-validate']);
    const again = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' });
    expect(again.results.find((r) => r.name === 'agentpr-implement-and-validate')).toMatchObject({ status: 'already_exists', outdated: true });
    expect(readFileSync(skillFile, 'utf8')).toBe('edited by hand\n');

    const forced = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x', force: true, names: ['agentpr-implement-and-validate'] });
    expect(forced.results[0]!.status).toBe('installed');
    expect(existsSync(join(home, 'skills', 'agentpr-implement-and-validate', 'stray.txt'))).toBe(false);
    expect((await skillsStatus({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' })).outdated_required).toEqual([]);
    expect(readdirSync(join(home, 'skills')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('installSkills --install-curated-ci looks for the installer under the resolved codex home, not ~/.codex', async () => {
    const fakeUserHome = tempDir('agentpr-home-');
    const userInstaller = join(fakeUserHome, '.codex', 'skills', '.system', 'skill-installer', 'scripts', 'install-skill-from-github.py');
    mkdirSync(dirname(userInstaller), { recursive: true });
    writeFileSync(userInstaller, 'raise SystemExit(0)\n');
    const home = codexHome();
    const report = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: fakeUserHome, installCuratedCi: true });
    expect(report.curated_ci_install).toEqual({ ok: false, error: `installer script not found: ${join(home, 'skills', '.system', 'skill-installer', 'scripts', 'install-skill-from-github.py')}` });
  });

  it('installSkills --install-curated-ci runs the installer per missing skill and records each outcome', async () => {
    const home = codexHome();
    const installer = join(home, 'skills', '.system', 'skill-installer', 'scripts', 'install-skill-from-github.py');
    mkdirSync(dirname(installer), { recursive: true });
    // A stand-in for the real installer: installs gh-fix-ci, fails for anything else.
    writeFileSync(
      installer,
      [
        'import os, sys',
        'args = dict(zip(sys.argv[1::2], sys.argv[2::2]))',
        'name = os.path.basename(args["--path"])',
        'if name != "gh-fix-ci":',
        '    print("network unreachable", file=sys.stderr); sys.exit(3)',
        'os.makedirs(os.path.join(args["--dest"], name))',
        'open(os.path.join(args["--dest"], name, "SKILL.md"), "w").write("---\\nname: gh-fix-ci\\n---\\n")',
        'print("installed " + name)',
      ].join('\n'),
    );
    const report = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x', installCuratedCi: true, names: ['agentpr-ci-review-fix'] });
    const curated = report.curated_ci_install as unknown as { ok: boolean; results: Array<Record<string, unknown>> };
    expect(curated.ok).toBe(false);
    expect(curated.results).toEqual([
      {
        name: 'gh-fix-ci',
        status: 'installed',
        dest: join(home, 'skills', 'gh-fix-ci'),
        command: ['python3', installer, '--repo', 'openai/skills', '--path', 'skills/.curated/gh-fix-ci', '--dest', join(home, 'skills')],
        exit_code: 0,
        stdout: 'installed gh-fix-ci',
        stderr: '',
      },
      expect.objectContaining({ name: 'gh-address-comments', status: 'failed', exit_code: 3, stderr: 'network unreachable' }),
    ]);
    expect(report.missing_optional_ci_after_install).toEqual(['gh-address-comments']);

    const again = await installSkills({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x', installCuratedCi: true, names: ['agentpr-ci-review-fix'] });
    expect((again.curated_ci_install as { results: Array<{ status: string; command: unknown }> }).results[0]).toMatchObject({ status: 'already_exists', command: null });
  });
});

describe('skillsStatus', () => {
  it('skillsStatus on an empty codex home reports every required and optional skill as missing', async () => {
    const home = codexHome();
    const status = await skillsStatus({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' });
    expect(status).toEqual({
      ok: true,
      codex_home: home,
      skills_root: join(home, 'skills'),
      local_skills_root: SHIPPED,
      local_skill_names: [...REQUIRED_SKILLS].sort(),
      installed_skill_count: 0,
      installed_required: [],
      missing_required: [...REQUIRED_SKILLS],
      installed_optional_ci: [],
      missing_optional_ci: ['gh-fix-ci', 'gh-address-comments'],
      outdated_required: [],
    });
    expect(existsSync(home)).toBe(false);
  });

  it('skillsStatus counts every installed skill dir with SKILL.md, ignoring hidden dirs and dirs without SKILL.md', async () => {
    const home = codexHome();
    for (const dir of ['gh-fix-ci', '.system', 'no-skill-md']) mkdirSync(join(home, 'skills', dir), { recursive: true });
    writeFileSync(join(home, 'skills', 'gh-fix-ci', 'SKILL.md'), 'x');
    writeFileSync(join(home, 'skills', '.system', 'SKILL.md'), 'x');
    const status = await skillsStatus({ codexHome: home, localSkillsRoot: SHIPPED, env, homeDir: '/x' });
    expect(status).toMatchObject({ installed_skill_count: 1, installed_optional_ci: ['gh-fix-ci'], missing_optional_ci: ['gh-address-comments'] });
  });
});
