import { describe, expect, it } from 'vitest';
import { failedEvents, formatSse, offeredToolNames, replyEvents, stepIndexOf, toOutputItem, toUsage } from './responses-events.js';

describe('Responses API events', () => {
  it('stepIndexOf counts tool-result items in input', () => {
    expect(stepIndexOf({ input: [{ type: 'message' }, { type: 'function_call_output' }, { type: 'custom_tool_call_output' }, { type: 'local_shell_call_output' }, { type: 'function_call' }] })).toBe(3);
    expect(stepIndexOf({})).toBe(0);
    expect(stepIndexOf(null)).toBe(0);
  });

  it('offeredToolNames lists tool names', () => {
    expect(offeredToolNames({ tools: [{ name: 'exec_command' }, { type: 'custom', name: 'apply_patch' }, { type: 'web_search' }] })).toEqual(['exec_command', 'apply_patch']);
  });

  it('toOutputItem builds an exec_command function call with login false by default', () => {
    expect(toOutputItem({ type: 'exec_command', cmd: 'npm test' }, { itemId: 'fc_1', callId: 'call_1' })).toEqual({
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_1',
      name: 'exec_command',
      arguments: '{"cmd":"npm test","login":false}',
    });
  });

  it('toOutputItem builds apply_patch as a custom tool call, reasoning with a summary, messages with output_text', () => {
    expect(toOutputItem({ type: 'apply_patch', patch: 'P' }, { itemId: 'c', callId: 'k' })).toEqual({ type: 'custom_tool_call', id: 'c', call_id: 'k', name: 'apply_patch', input: 'P' });
    expect(toOutputItem({ type: 'reasoning', text: 'why' }, { itemId: 'r', callId: 'k' })).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'why' }] });
    expect(toOutputItem({ type: 'message', text: 'hi', phase: 'final_answer' }, { itemId: 'm', callId: 'k' })).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'hi', annotations: [] }],
      phase: 'final_answer',
    });
  });

  it('replyEvents frames items between response.created and response.completed with usage', () => {
    const events = replyEvents([{ type: 'message', text: 'hi' }, { type: 'exec_command', cmd: 'ls' }], { input_tokens: 7, cached_tokens: 2, reasoning_tokens: 1 }, 2, 'resp_x');
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.at(-1)?.data).toEqual({
      response: { id: 'resp_x', status: 'completed', usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 2 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 27 } },
    });
    expect(toUsage(undefined, 3)).toMatchObject({ input_tokens: 130, output_tokens: 20 });
  });

  it('failedEvents ends with response.failed carrying the error', () => {
    expect(failedEvents('server_error', 'boom', 'r').at(-1)).toEqual({ type: 'response.failed', data: { response: { id: 'r', status: 'failed', error: { code: 'server_error', message: 'boom' } } } });
  });

  it('formatSse writes event and data lines and a blank line', () => {
    expect(formatSse({ type: 'response.created', data: { response: { id: 'r' } } })).toBe('event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n');
  });
});
