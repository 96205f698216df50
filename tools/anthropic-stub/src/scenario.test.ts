import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, substituteScenarioVars, substituteVars } from './scenario.js';
import { ANTHROPIC_SCENARIO_NAMES, anthropicScenarioPath } from './scenario-path.js';

describe('parseScenario', () => {
  it('parseScenario accepts every step kind and block type', () => {
    const result = parseScenario({
      name: 'all',
      steps: [
        { kind: 'reply', content: [{ type: 'text', text: 't' }, { type: 'tool_use', name: 'Bash', input: { command: 'ls' } }], usage: { input_tokens: 1 }, stop_reason: 'max_tokens', delay_ms: 5 },
        { kind: 'http_error', status: 529, error_type: 'overloaded_error', times: 1, then: { content: [{ type: 'text', text: 'ok' }] } },
        { kind: 'stream_error', content: [{ type: 'text', text: 'partial' }], message: 'Overloaded' },
        { kind: 'hang', ping_interval_ms: 1000 },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it('parseScenario reports every issue as path.to.field: message', () => {
    const result = parseScenario({ name: '', steps: [{ kind: 'reply', content: [] }, { kind: 'http_error', status: 200 }, { kind: 'reply', content: [{ type: 'tool_use', name: 'Bash' }] }, { kind: 'nope' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContain('name: must not be empty');
    expect(result.issues).toContain('steps.0.content: a reply needs at least one content block');
    expect(result.issues).toContain('steps.1.status: must be an HTTP error status (400-599)');
    expect(result.issues.some((i) => i.startsWith('steps.2.content.0.input: '))).toBe(true);
    expect(result.issues.some((i) => i.startsWith('steps.3.kind: '))).toBe(true);
  });

  it('parseScenario rejects unknown keys so typos do not pass silently', () => {
    expect(parseScenario({ name: 'x', steps: [{ kind: 'reply', content: [{ type: 'text', text: 'a', txet: 'b' }] }] }).ok).toBe(false);
  });

  it('substituteScenarioVars fills {{NAME}} from vars over the scenario defaults and leaves unknown names such as {{CWD}}', () => {
    const parsed = parseScenario({ name: 'v', vars: { DIR: '/default', N: '1' }, steps: [{ kind: 'reply', content: [{ type: 'tool_use', name: 'Write', input: { file_path: '{{CWD}}/{{DIR}}/{{N}}', nested: ['{{DIR}}'] } }] }] });
    if (!parsed.ok) throw new Error(parsed.issues.join());
    const out = substituteScenarioVars(parsed.scenario, { DIR: 'over' });
    expect(out.steps[0]).toEqual({ kind: 'reply', content: [{ type: 'tool_use', name: 'Write', input: { file_path: '{{CWD}}/over/1', nested: ['over'] } }] });
    expect(substituteVars(out.steps[0], { CWD: '/ws' })).toMatchObject({ content: [{ input: { file_path: '/ws/over/1' } }] });
  });

  it('every shipped scenario is valid and named after its file', () => {
    for (const name of ANTHROPIC_SCENARIO_NAMES) expect(loadScenarioFile(anthropicScenarioPath(name)).name).toBe(name);
  });

  it('anthropicScenarioPath with an unknown or path-like name lists the shipped ones', () => {
    expect(() => anthropicScenarioPath('nope')).toThrow(/no shipped anthropic-stub scenario named nope; choose one of pass, tests-fail/);
    expect(() => anthropicScenarioPath('../scenarios/pass')).toThrow(/no shipped anthropic-stub scenario/);
  });

  it('loadScenarioFile names the file and what is wrong with it', () => {
    expect(() => loadScenarioFile('/nonexistent/x.json')).toThrow(/scenario file \/nonexistent\/x\.json cannot be read/);
  });
});
