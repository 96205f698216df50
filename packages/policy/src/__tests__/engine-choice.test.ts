import { describe, expect, it } from 'vitest';
import { effectivePolicy, engineForStage, parseManagerPolicy, type ManagerPolicy } from '../index.js';

function policy(value: unknown): ManagerPolicy {
  const r = parseManagerPolicy(value);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.policy;
}

describe('engine choice', () => {
  const p = policy({
    run_agent_step: {
      engine: 'Codex',
      engine_by_stage: { iterating: 'claude' },
      repo_overrides: {
        'acme/widgets': { engine: 'claude' },
        'acme/gears': { engine_by_stage: { DISCOVERY: 'claude' } },
        'acme/bolts': { engine: 'claude', engine_by_stage: { ITERATING: 'codex' } },
      },
    },
  });

  it('defaults to codex for every stage', () => {
    const eff = effectivePolicy(policy({}), 'o', 'r');
    expect(engineForStage(eff, 'IMPLEMENTING')).toEqual({ engine: 'codex', source: 'default' });
  });

  it('takes the global per-stage engine (stage keys are case-folded)', () => {
    const eff = effectivePolicy(p, 'someone', 'else');
    expect(engineForStage(eff, 'ITERATING')).toEqual({ engine: 'claude', source: 'stage' });
    expect(engineForStage(eff, 'discovery')).toEqual({ engine: 'codex', source: 'default' });
  });

  it("lets a repository's engine win over the global per-stage map", () => {
    const eff = effectivePolicy(p, 'acme', 'widgets');
    expect(engineForStage(eff, 'ITERATING')).toEqual({ engine: 'claude', source: 'repo' });
    expect(engineForStage(eff, 'DISCOVERY')).toEqual({ engine: 'claude', source: 'repo' });
  });

  it("keeps the global per-stage map for stages a repository's own map does not name", () => {
    const eff = effectivePolicy(p, 'acme', 'gears');
    expect(engineForStage(eff, 'DISCOVERY')).toEqual({ engine: 'claude', source: 'repo_stage' });
    expect(engineForStage(eff, 'ITERATING')).toEqual({ engine: 'claude', source: 'stage' });
    expect(engineForStage(eff, 'IMPLEMENTING')).toEqual({ engine: 'codex', source: 'default' });
  });

  it("lets a repository's per-stage engine win over its own engine", () => {
    const eff = effectivePolicy(p, 'acme', 'bolts');
    expect(engineForStage(eff, 'ITERATING')).toEqual({ engine: 'codex', source: 'repo_stage' });
    expect(engineForStage(eff, 'DISCOVERY')).toEqual({ engine: 'claude', source: 'repo' });
  });

  it('lets the --engine flag win over everything', () => {
    expect(engineForStage(effectivePolicy(p, 'acme', 'bolts'), 'ITERATING', 'claude')).toEqual({ engine: 'claude', source: 'flag' });
  });

  it('refuses an unknown engine, a bad stage key and an unknown claude field, naming each', () => {
    const r = parseManagerPolicy({ run_agent_step: { engine: 'gemini', engine_by_stage: { 'not a state': 'codex' }, claude: { max_turns: 0, turbo: true } } });
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues.join('\n');
    expect(issues).toContain('run_agent_step.engine: must be one of codex, claude');
    expect(issues).toContain('keys must be run states');
    expect(issues).toContain('run_agent_step.claude.turbo: unknown field; allowed: model, permission_mode, allowed_tools, disallowed_tools, max_turns');
  });

  it('reads the claude settings with their defaults and refuses bypassPermissions', () => {
    const eff = effectivePolicy(policy({ run_agent_step: { claude: { model: 'claude-sonnet-4-5', max_turns: 12, allowed_tools: ['Bash', 'Bash(npm test:*)', 'Bash'] } } }), 'o', 'r');
    expect(eff.claude).toEqual({ model: 'claude-sonnet-4-5', permission_mode: 'acceptEdits', allowed_tools: ['Bash', 'Bash(npm test:*)'], disallowed_tools: ['WebSearch', 'WebFetch'], max_turns: 12 });
    const edit = parseManagerPolicy({ run_agent_step: { claude: { allowed_tools: ['Bash', 'Edit(src/**)'] } } });
    expect(edit.ok ? '' : edit.issues.join('\n')).toContain('run_agent_step.claude.allowed_tools: must not contain Write, Edit, MultiEdit, NotebookEdit');
    const bypass = parseManagerPolicy({ run_agent_step: { claude: { permission_mode: 'bypassPermissions' } } });
    expect(bypass.ok ? '' : bypass.issues.join('\n')).toContain('run_agent_step.claude.permission_mode: must be one of acceptEdits, default, plan, dontAsk');
  });
});
