import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { offeredTools } from './ask.js';
import type { AssistantTool } from './tool.js';

const tool = (name: string, tier: AssistantTool['tier']): AssistantTool => ({
  name,
  description: name,
  tier,
  effect: tier === 'read' ? 'read' : 'write',
  args: v.object({}),
  run: async () => ({ data: null, summary: '' }),
});

const tools = [tool('list_runs', 'read'), tool('pause_run', 'write'), tool('drive_run', 'write'), tool('purge', 'admin')];
const names = (list: AssistantTool[]) => list.map((t) => t.name);

describe('offeredTools', () => {
  it('offers the tools the tier allows, and drive_run only when the app can drive a tick', () => {
    const signal = new AbortController().signal;
    const tickRun = async () => ({ data: null, summary: '' });
    expect(names(offeredTools({ tools, runtime: { signal } }, 'read'))).toEqual(['list_runs']);
    expect(names(offeredTools({ tools, runtime: { signal } }, 'write'))).toEqual(['list_runs', 'pause_run']);
    expect(names(offeredTools({ tools, runtime: { signal, tickRun } }, 'write'))).toEqual(['list_runs', 'pause_run', 'drive_run']);
    expect(names(offeredTools({ tools, runtime: { signal, tickRun } }, 'admin'))).toEqual(['list_runs', 'pause_run', 'drive_run', 'purge']);
  });
});
