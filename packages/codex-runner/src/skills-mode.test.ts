import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { buildSkillPlan, buildTaskPacket, listInstalledSkills, stageSkills } from './skills-mode.js';

describe('skills mode', () => {
  it('stageSkills maps run states to their stage skills', () => {
    expect(stageSkills('DISCOVERY').required).toEqual(['agentpr-repo-preflight-contract']);
    expect(stageSkills('PLAN_READY').required).toEqual(['agentpr-repo-preflight-contract']);
    expect(stageSkills('LOCAL_VALIDATING').required).toEqual(['agentpr-implement-and-validate']);
    expect(stageSkills('CI_WAIT')).toEqual({ required: ['agentpr-ci-review-fix'], optional: ['gh-fix-ci', 'gh-address-comments'] });
    expect(stageSkills('QUEUED').required).toEqual(['agentpr-implement-and-validate']);
  });

  it('listInstalledSkills lists non-hidden directories that contain SKILL.md', () => {
    const fs = fakeFileProbe({
      '/s/agentpr-ci-review-fix/SKILL.md': {},
      '/s/gh-fix-ci/SKILL.md': {},
      '/s/.system/x/SKILL.md': {},
      '/s/no-skill-md/README.md': {},
      '/s/file.txt': {},
    });
    expect(listInstalledSkills('/s', fs)).toEqual(['agentpr-ci-review-fix', 'gh-fix-ci']);
  });

  it('buildSkillPlan reports missing required and available optional skills', () => {
    expect(buildSkillPlan('agentpr', 'ITERATING', ['gh-fix-ci'], '/s')).toEqual({
      mode: 'agentpr',
      run_state: 'ITERATING',
      required_now: ['agentpr-ci-review-fix'],
      optional_now: ['gh-fix-ci', 'gh-address-comments'],
      missing_required: ['agentpr-ci-review-fix'],
      available_optional: ['gh-fix-ci'],
      missing_optional: ['gh-address-comments'],
      skills_root: '/s',
    });
  });

  it('buildSkillPlan in mode off has only empty lists', () => {
    const plan = buildSkillPlan('off', 'IMPLEMENTING', ['agentpr-implement-and-validate'], '/s');
    expect([plan.required_now, plan.optional_now, plan.missing_required, plan.available_optional, plan.missing_optional]).toEqual([[], [], [], [], []]);
  });

  it('buildTaskPacket writes the v1 shape with docs under the integration root and user_packet only when given', () => {
    const input = {
      createdAt: '2026-02-25T00:47:07.861Z',
      run: { runId: 'r1', owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', state: 'IMPLEMENTING' },
      repoPath: '/w',
      policy: { codexSandbox: 'workspace-write', allowAgentPush: false, maxChangedFiles: 6, maxAddedLines: 120 },
      artifacts: { contractUri: '/w/.agentpr_runtime/contracts/c.json', contractSourceUri: '/data/c.json', contractText: '{}' },
      integrationRoot: '/int',
      skillPlan: buildSkillPlan('agentpr', 'IMPLEMENTING', [], '/s'),
    };
    const packet = buildTaskPacket(input);
    expect(packet).toMatchObject({
      version: 'agentpr.task_packet.v1',
      created_at: '2026-02-25T00:47:07.861Z',
      run: { run_id: 'r1', owner: 'o', repo: 'r', prompt_version: 'v1', mode: 'push_only', state: 'IMPLEMENTING' },
      repo: { path: '/w' },
      policy: { codex_sandbox: 'workspace-write', allow_agent_push: false, max_changed_files: 6, max_added_lines: 120 },
      docs: { workflow: '/int/workflow.md', prompt_template: '/int/prompt_template.md', pr_template: '/int/pr_description_template.md' },
    });
    expect(Object.keys(packet.required_output)).toEqual(['status', 'files_changed', 'test_results', 'notes']);
    expect('user_packet' in packet).toBe(false);
    expect(buildTaskPacket({ ...input, userPacket: { text: 'hi' } }).user_packet).toEqual({ text: 'hi' });
  });
});
