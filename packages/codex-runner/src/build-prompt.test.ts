import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { buildPrompt, buildSafetyContract, buildSkillsEnvelope, resolveExternalReadOnlyPaths } from './build-prompt.js';

describe('buildSafetyContract', () => {
  it('buildSafetyContract names the repo, the scratch area, and forbids sudo, global installs and commit/push by default', () => {
    const text = buildSafetyContract({ repoDir: '/ws/o/r/run_1', runtimeDir: '/ws/o/r/run_1/.agentpr_runtime' });
    expect(text).toContain('/ws/o/r/run_1.');
    expect(text).toContain('/ws/o/r/run_1/.agentpr_runtime');
    expect(text).toMatch(/\/tmp/);
    expect(text).toMatch(/Never use sudo/);
    expect(text).toMatch(/brew install.*npm -g.*pip install --user.*uv tool install.*poetry self/);
    expect(text).toMatch(/\.venv.*node_modules.*\.agentpr_runtime/);
    expect(text).toMatch(/Do not run `git commit`, `git push` or the finish script/);
    expect(text).toMatch(/NEEDS REVIEW/);
    expect(text).toContain('Do not read outside the repository.');
    expect(text).not.toMatch(/read-only paths/);
  });

  it('buildSafetyContract lists external read-only paths only when there are some, and allows push only when asked', () => {
    const text = buildSafetyContract({ repoDir: '/r', runtimeDir: '/r/.agentpr_runtime', externalReadOnlyPaths: ['/int', '/skills'], allowAgentPush: true });
    expect(text).toMatch(/except these read-only paths:\n {2}- \/int\n {2}- \/skills\n/);
    expect(text).toMatch(/may commit and push, but only after every required test and lint command passes/);
    expect(text).not.toMatch(/Do not run `git commit`/);
  });
});

describe('buildPrompt', () => {
  it('buildPrompt joins the contract, a --- line, a blank line and the inner prompt', () => {
    expect(buildPrompt('CONTRACT\n\n', 'Do the task.\n')).toBe('CONTRACT\n---\n\nDo the task.\n');
  });
});

describe('buildSkillsEnvelope', () => {
  it('buildSkillsEnvelope states the stage, the skills in order, the rules, the packet as fenced JSON and the base prompt', () => {
    const text = buildSkillsEnvelope({
      runState: 'ITERATING',
      requiredSkills: ['agentpr-ci-review-fix'],
      optionalSkills: ['gh-fix-ci'],
      taskPacket: { version: 'agentpr.task_packet.v1', run: { run_id: 'r1' } },
      basePrompt: '  Fix CI.  \n',
    });
    expect(text).toMatch(/exactly one stage.*ITERATING/);
    expect(text).toMatch(/do not skip any of them:\n- \$agentpr-ci-review-fix\n/);
    expect(text).toMatch(/Optional helper skills.*\n- \$gh-fix-ci\n/);
    expect(text).toMatch(/Keep the diff minimal/);
    expect(text).toMatch(/NEEDS REVIEW with concrete evidence/);
    expect(text).toMatch(/push policy in the task packet/);
    const fenced = /```json\n([\s\S]*?)\n```/.exec(text);
    expect(JSON.parse(fenced![1]!)).toEqual({ version: 'agentpr.task_packet.v1', run: { run_id: 'r1' } });
    expect(text.trimEnd().endsWith('Fix CI.')).toBe(true);
  });

  it('buildSkillsEnvelope without installed helpers leaves the optional list out', () => {
    const text = buildSkillsEnvelope({ runState: 'IMPLEMENTING', requiredSkills: ['agentpr-implement-and-validate'], taskPacket: {}, basePrompt: 'x' });
    expect(text).not.toMatch(/Optional helper skills/);
  });
});

describe('resolveExternalReadOnlyPaths', () => {
  it('resolveExternalReadOnlyPaths keeps the order, drops missing optional paths and duplicates', () => {
    const fs = fakeFileProbe({ '/forge/x': {}, '/ch/skills/a/SKILL.md': {}, '/extra/f': {} });
    expect(
      resolveExternalReadOnlyPaths(
        { integrationRoot: '/int/../int', extraRoots: ['/forge', '/missing'], skillsRoot: '/ch/skills', allowReadPaths: ['/extra', '/int', 'rel/missing', '/forge/'] },
        fs,
      ),
    ).toEqual(['/int', '/forge', '/ch/skills', '/extra']);
  });
});
