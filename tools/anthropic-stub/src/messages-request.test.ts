import { describe, expect, it } from 'vitest';
import { lastToolResults, parseMessagesRequest, stepIndexOf, workingDirectoryOf, type MessagesRequest } from './messages-request.js';

function parsed(body: unknown): MessagesRequest {
  const result = parseMessagesRequest(body);
  if (!result.ok) throw new Error(result.issues.join('; '));
  return result.request;
}

const base = { model: 'claude-sonnet-4-5', max_tokens: 100 };

describe('messages-request', () => {
  it('stepIndexOf counts assistant turns, however many tool calls and results each holds', () => {
    const request = parsed({
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'a' }, { type: 'tool_use', id: 'b' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'x' }, { type: 'tool_result', tool_use_id: 'b', is_error: true, content: [{ type: 'text', text: 'Exit code 1' }, { type: 'text', text: 'boom' }] }] },
      ],
    });
    expect(stepIndexOf(request)).toBe(1);
    expect(lastToolResults(request)).toEqual([{ tool_use_id: 'a', is_error: false, text: 'x' }, { tool_use_id: 'b', is_error: true, text: 'Exit code 1\nboom' }]);
  });

  it('workingDirectoryOf reads Claude Code environment note from the system prompt or the first user message', () => {
    expect(workingDirectoryOf(parsed({ ...base, system: 'x\n - Primary working directory: /a b/ws\n - Is a git repository: true', messages: [{ role: 'user', content: 'go' }] }))).toBe('/a b/ws');
    expect(workingDirectoryOf(parsed({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Primary working directory: /ws\n' }] }] }))).toBe('/ws');
    expect(workingDirectoryOf(parsed({ ...base, messages: [{ role: 'user', content: 'go' }] }))).toBeUndefined();
  });

  it('a system message inside messages (claude 2.1.332 with its default model) is accepted, holds the working directory and is no step', () => {
    const request = parsed({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>git status</system-reminder>' }, { type: 'text', text: 'go' }] },
        { role: 'system', content: [{ type: 'text', text: '# Environment\n - Primary working directory: /ws/run_1\n - Is a git repository: true' }] },
      ],
    });
    expect(workingDirectoryOf(request)).toBe('/ws/run_1');
    expect(stepIndexOf(request)).toBe(0);
    expect(parseMessagesRequest({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toEqual({ ok: false, issues: ['messages.0.role: must be "user", "assistant" or "system"'] });
  });

  it('parseMessagesRequest rejects a request the real API would, naming each field', () => {
    const result = parseMessagesRequest({ model: '', max_tokens: 0, messages: [{ role: 'user', content: 5 }], system: 3, stream: 'yes' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(expect.arrayContaining([
      'model: must not be empty',
      'max_tokens: must be >= 1',
      'messages.0.content: must be a string or an array of content blocks',
      'system: must be a string or an array of text blocks',
    ]));
    expect(result.issues.some((i) => i.startsWith('stream: '))).toBe(true);
  });
});
