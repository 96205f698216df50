import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, substituteScenarioVars } from './scenario.js';
import { SCENARIO_NAMES, scenarioPath } from './scenario-path.js';

describe('parseScenario', () => {
  it('parseScenario accepts every step kind and item type', () => {
    const result = parseScenario({
      name: 'all',
      steps: [
        { kind: 'reply', items: [{ type: 'reasoning', text: 'r' }, { type: 'message', text: 'm', phase: 'commentary' }, { type: 'exec_command', cmd: 'ls', yield_time_ms: 5 }, { type: 'apply_patch', patch: 'p' }], usage: { input_tokens: 1 } },
        { kind: 'http_error', status: 500, times: 1, then: { items: [{ type: 'message', text: 'ok' }] } },
        { kind: 'failed', message: 'boom' },
        { kind: 'hang' },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it('parseScenario reports every issue as path.to.field: message', () => {
    const result = parseScenario({ name: '', steps: [{ kind: 'reply', items: [{ type: 'exec_command' }] }, { kind: 'http_error', status: 200 }, { kind: 'nope' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContain('name: must not be empty');
    expect(result.issues.some((i) => i.startsWith('steps.0.items.0.cmd: '))).toBe(true);
    expect(result.issues).toContain('steps.1.status: must be an HTTP error status (400-599)');
    expect(result.issues.some((i) => i.startsWith('steps.2.kind: '))).toBe(true);
  });

  it('parseScenario rejects unknown keys so typos do not pass silently', () => {
    const result = parseScenario({ name: 'x', steps: [{ kind: 'reply', items: [{ type: 'message', text: 'a', txet: 'b' }] }] });
    expect(result.ok).toBe(false);
  });

  it('substituteScenarioVars fills {{NAME}} from vars over the scenario defaults and leaves unknown names', () => {
    const parsed = parseScenario({ name: 'v', vars: { DIR: '/default', N: '1' }, steps: [{ kind: 'reply', items: [{ type: 'exec_command', cmd: 'ls {{DIR}} {{N}} {{MISSING}}' }] }] });
    if (!parsed.ok) throw new Error(parsed.issues.join());
    const out = substituteScenarioVars(parsed.scenario, { DIR: '/override' });
    expect(out.steps[0]).toEqual({ kind: 'reply', items: [{ type: 'exec_command', cmd: 'ls /override 1 {{MISSING}}' }] });
  });

  it('every shipped scenario is valid and named after its file', () => {
    for (const name of SCENARIO_NAMES) expect(loadScenarioFile(scenarioPath(name)).name).toBe(name);
  });

  it('scenarioPath with an unknown name lists the shipped ones', () => {
    expect(() => scenarioPath('nope')).toThrow(/no shipped scenario named nope; choose one of implement-and-tests-pass/);
  });
});
