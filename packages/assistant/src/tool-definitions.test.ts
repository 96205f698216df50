import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { AssistantTool } from './tool.js';
import { parseToolArguments, toolDefinitions } from './tool-definitions.js';

const pause: AssistantTool = {
  name: 'pause_run',
  description: 'Pause a run.',
  tier: 'write',
  effect: 'write',
  args: v.object({
    run_id: v.pipe(v.string(), v.regex(/^run_[0-9a-f]{12}$/, 'must be a run id'), v.description('The run.')),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 5),
    note: v.optional(v.pipe(v.string(), v.check((s) => !s.includes('!'), 'no bangs'))),
  }),
  run: async () => ({ data: null, summary: '' }),
};

describe('toolDefinitions', () => {
  it('generates each JSON Schema from the valibot schema: input types, closed, without $schema', () => {
    expect(toolDefinitions([pause])).toEqual([
      {
        name: 'pause_run',
        description: 'Pause a run.',
        parameters: {
          type: 'object',
          properties: {
            run_id: { type: 'string', pattern: '^run_[0-9a-f]{12}$', description: 'The run.' },
            limit: { type: 'integer', minimum: 1, default: 5 },
            note: { type: 'string' },
          },
          required: ['run_id'],
          additionalProperties: false,
        },
      },
    ]);
  });
});

describe('parseToolArguments', () => {
  it('accepts valid arguments and applies defaults; an empty text is {}', () => {
    expect(parseToolArguments(pause, '{"run_id":"run_45f3cbdcdc56"}')).toEqual({ ok: true, args: { run_id: 'run_45f3cbdcdc56', limit: 5 } });
    expect(parseToolArguments(pause, '')).toEqual({ ok: false, error: expect.stringMatching(/^invalid arguments for pause_run: run_id: /) });
  });

  it.each([
    ['{"run_id":42}', 'invalid arguments for pause_run: run_id: Invalid type: Expected string but received 42'],
    ['{"run_id":"run_x"}', 'invalid arguments for pause_run: run_id: must be a run id'],
    ['{"run_id":"run_45f3cbdcdc56","note":"hi!"}', 'invalid arguments for pause_run: note: no bangs'],
    ['{not json', 'arguments of pause_run are not valid JSON'],
    [`{"run_id":"${'a'.repeat(9000)}"}`, 'arguments of pause_run are longer than 8192 bytes'],
  ])('refuses %s with one line', (raw, error) => {
    expect(parseToolArguments(pause, raw)).toEqual({ ok: false, error });
  });
});
