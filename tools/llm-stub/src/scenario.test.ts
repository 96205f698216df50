import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLlmScenario, parseLlmScenario, substituteLlmScenarioVars } from './scenario.js';
import { LLM_SCENARIO_NAMES, llmScenarioPath } from './scenario-path.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('parseLlmScenario', () => {
  it('parseLlmScenario accepts every step kind and defaults the model to stub-manager', () => {
    const result = parseLlmScenario({
      name: 'all',
      turns: [
        {
          match: 'stuck|blocked',
          steps: [
            { kind: 'tool_calls', calls: [{ name: 'list_runs', arguments: { limit: 20 } }, { name: 'pause_run', arguments: '{not json' }, { name: 'bottlenecks' }] },
            { kind: 'obey_injection', trigger: 'ignore previous instructions', call: 'resume_run', then: { kind: 'reply', content: 'none' } },
            { kind: 'http_error', status: 429, times: 1, retry_after_ms: 5 },
            { kind: 'hang' },
            { kind: 'garbage' },
            { kind: 'reply', content: 'done {{tool_results}}', usage: { prompt_tokens: 50000, completion_tokens: 1 } },
          ],
        },
        { steps: [{ kind: 'reply', content: 'anything else' }] },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.model).toBe('stub-manager');
    const first = result.scenario.turns[0]!.steps[0];
    expect(first).toMatchObject({ calls: [{ arguments: { limit: 20 } }, { arguments: '{not json' }, { arguments: {} }] });
  });

  it('parseLlmScenario reports every issue as path.to.field: message', () => {
    const result = parseLlmScenario({
      name: '',
      turns: [
        { match: '(', steps: [{ kind: 'tool_calls', calls: [] }, { kind: 'http_error', status: 200 }, { kind: 'nope' }, { kind: 'reply', content: 'x', usage: { prompt_tokens: -1 } }] },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContain('name: must not be empty');
    expect(result.issues).toContain('turns.0.match: must be a valid regular expression');
    expect(result.issues).toContain('turns.0.steps.0.calls: a tool_calls step needs at least one call');
    expect(result.issues).toContain('turns.0.steps.1.status: must be an HTTP error status (400-599)');
    expect(result.issues.some((issue) => issue.startsWith('turns.0.steps.2.kind: '))).toBe(true);
    expect(result.issues).toContain('turns.0.steps.3.usage.prompt_tokens: must be >= 0');
  });

  it('parseLlmScenario rejects unknown keys and arguments that are neither an object nor a string', () => {
    expect(parseLlmScenario({ name: 'x', turns: [{ steps: [{ kind: 'reply', content: 'a', contnet: 'b' }] }] }).ok).toBe(false);
    const result = parseLlmScenario({ name: 'x', turns: [{ steps: [{ kind: 'tool_calls', calls: [{ name: 'a', arguments: 42 }] }] }] });
    expect(result).toEqual({ ok: false, issues: ['turns.0.steps.0.calls.0.arguments: must be an object or a string'] });
    expect(parseLlmScenario({ name: 'x', turns: [] })).toEqual({ ok: false, issues: ['turns: a scenario needs at least one turn'] });
  });
});

describe('loadLlmScenario', () => {
  it('loadLlmScenario names the file and the bad field in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-stub-'));
    dirs.push(dir);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'b', turns: [{ steps: [{ kind: 'reply' }] }] }));
    expect(() => loadLlmScenario(bad)).toThrow(new RegExp(`^scenario file ${bad} is invalid: turns\\.0\\.steps\\.0\\.content: `));
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    expect(() => loadLlmScenario(notJson)).toThrow(/is not valid JSON/);
    expect(() => loadLlmScenario(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'scenario_not_found' }));
  });

  it('every shipped scenario is valid and named after its file', () => {
    for (const name of LLM_SCENARIO_NAMES) expect(loadLlmScenario(llmScenarioPath(name)).name).toBe(name);
  });

  it('llmScenarioPath with an unknown name lists the shipped ones', () => {
    expect(() => llmScenarioPath('nope')).toThrow(/no shipped llm-stub scenario named nope; choose one of read-stuck-runs, pause-run/);
    expect(() => llmScenarioPath('../package')).toThrow(/no shipped llm-stub scenario/);
  });
});

describe('substituteLlmScenarioVars', () => {
  it('substituteLlmScenarioVars fills {{NAME}} everywhere, arguments included, and leaves answer-time and unknown placeholders', () => {
    const parsed = parseLlmScenario({
      name: 'v',
      vars: { RUN_ID: 'run_default', N: '1' },
      turns: [
        {
          steps: [
            { kind: 'tool_calls', calls: [{ name: 'pause_run', arguments: { run_id: '{{RUN_ID}}', nested: ['{{N}}'] } }, { name: 'x', arguments: '{"id":"{{RUN_ID}}"}' }] },
            { kind: 'reply', content: '{{RUN_ID}} {{MISSING}} {{tool_results}} {{last_user}}' },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.issues.join());
    const out = substituteLlmScenarioVars(parsed.scenario, { RUN_ID: 'run_abc' });
    expect(out.turns[0]!.steps).toEqual([
      { kind: 'tool_calls', calls: [{ name: 'pause_run', arguments: { run_id: 'run_abc', nested: ['1'] } }, { name: 'x', arguments: '{"id":"run_abc"}' }] },
      { kind: 'reply', content: 'run_abc {{MISSING}} {{tool_results}} {{last_user}}' },
    ]);
  });
});
