import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicStubError } from '../errors.js';
import { startAnthropicStub, type RunningAnthropicStub } from '../start-anthropic-stub.js';
import { parseSse, rebuildMessage, type Sse } from './read-sse.js';

const stubs: RunningAnthropicStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function start(scenario: unknown, options: { apiKey?: string; logFile?: string; vars?: Record<string, string> } = {}): Promise<RunningAnthropicStub> {
  const stub = await startAnthropicStub({ scenario, ...options });
  stubs.push(stub);
  return stub;
}

const HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' };
const TOOLS = ['Bash', 'Edit', 'Read', 'Write'].map((name) => ({ name, description: name, input_schema: { type: 'object' } }));

/** A Messages request body after `turns` assistant turns, each answered with a tool result, as Claude Code sends it. */
function body(turns: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages: unknown[] = [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>\n - Primary working directory: /w/ws\n</system-reminder>' }, { type: 'text', text: 'go' }] }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: 'npm test' } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `ran ${i}`, is_error: i === 0 }] });
  }
  return { model: 'claude-sonnet-4-5', max_tokens: 32000, stream: true, messages, tools: TOOLS, ...extra };
}

async function post(stub: RunningAnthropicStub, payload: unknown, headers: Record<string, string> = HEADERS, path = '/v1/messages?beta=true'): Promise<{ status: number; events: Sse[]; json: any }> {
  const response = await fetch(`${stub.url}${path}`, { method: 'POST', headers, body: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('text/event-stream')) return { status: response.status, events: parseSse(text), json: null };
  return { status: response.status, events: [], json: JSON.parse(text) };
}

const twoSteps = {
  name: 'two-steps',
  steps: [
    { kind: 'reply', content: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', name: 'Write', input: { file_path: '{{CWD}}/a.txt', content: 'hi\n' } }], usage: { input_tokens: 900, output_tokens: 70, cache_read_input_tokens: 300 } },
    { kind: 'reply', content: [{ type: 'text', text: 'Status: PASS' }] },
  ],
};

describe('startAnthropicStub: POST /v1/messages', () => {
  it('streams message_start, ping, text and tool_use blocks (text_delta, input_json_delta), message_delta and message_stop', async () => {
    const stub = await start(twoSteps);
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const out = await post(stub, body(0));
    expect(out.status).toBe(200);
    expect(out.events.map((e) => e.event)).toEqual([
      'message_start', 'ping',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop',
    ]);
    expect(out.events[0]!.data.message).toMatchObject({ role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 900, cache_read_input_tokens: 300, output_tokens: 1 } });
    const message = rebuildMessage(out.events);
    expect(message.content).toEqual([
      { type: 'text', text: 'Writing it.' },
      // {{CWD}} comes from Claude Code's "Primary working directory" note in the request.
      { type: 'tool_use', id: 'toolu_stub_0_1', name: 'Write', input: { file_path: '/w/ws/a.txt', content: 'hi\n' } },
    ]);
    expect(message).toMatchObject({ stop_reason: 'tool_use', usage: { input_tokens: 900, output_tokens: 70 }, stopped: true, error: null });
  });

  it('picks the step from the assistant turns in messages, so a retried request gets the same answer, and records what it answered', async () => {
    const stub = await start(twoSteps);
    const second = rebuildMessage((await post(stub, body(1))).events);
    expect(second).toMatchObject({ content: [{ type: 'text', text: 'Status: PASS' }], stop_reason: 'end_turn', usage: { input_tokens: 1100, output_tokens: 50 } });
    const again = rebuildMessage((await post(stub, body(1))).events);
    expect(again.content).toEqual(second.content);
    expect(stub.requests.map((r) => [r.step, r.outcome, r.stream, r.model])).toEqual([[1, 'reply', true, 'claude-sonnet-4-5'], [1, 'reply', true, 'claude-sonnet-4-5']]);
    expect(stub.requests[0]).toMatchObject({ path: '/v1/messages', tools: ['Bash', 'Edit', 'Read', 'Write'], toolResults: [{ tool_use_id: 'toolu_0', is_error: true, text: 'ran 0' }] });
  });

  it('answers a non-streaming request with one message object', async () => {
    const stub = await start(twoSteps);
    const out = await post(stub, body(0, { stream: false }));
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({
      type: 'message', role: 'assistant', stop_reason: 'tool_use', stop_sequence: null,
      content: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', id: 'toolu_stub_0_1', name: 'Write', input: { file_path: '/w/ws/a.txt' } }],
      usage: { input_tokens: 900, output_tokens: 70, cache_read_input_tokens: 300, cache_creation_input_tokens: 0 },
    });
  });

  it('past the last step ends the turn with a text saying so', async () => {
    const stub = await start(twoSteps);
    const message = rebuildMessage((await post(stub, body(2))).events);
    expect(message.content).toEqual([{ type: 'text', text: 'anthropic-stub: scenario two-steps has no step 2; ending the turn.' }]);
    expect(stub.requests[0]?.outcome).toBe('exhausted');
  });

  it('a tool_use for a tool the request does not offer becomes a text naming the tool', async () => {
    const stub = await start(twoSteps);
    const message = rebuildMessage((await post(stub, body(0, { tools: [{ name: 'Bash' }] }))).events);
    expect(message.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('calls the Write tool, but the request does not offer it') });
    expect(stub.requests[0]?.outcome).toBe('tool_not_offered');
  });

  it('a stream_error step sends message_start, the partial blocks, then an SSE error event with no message_stop', async () => {
    const stub = await start({ name: 's', steps: [{ kind: 'stream_error', content: [{ type: 'text', text: 'Looking' }], message: 'Overloaded' }] });
    const out = await post(stub, body(0));
    expect(out.events.at(0)?.event).toBe('message_start');
    expect(out.events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    expect(rebuildMessage(out.events)).toMatchObject({ content: [{ type: 'text', text: 'Looking' }], stopped: false, stop_reason: null });
    const plain = await post(stub, body(0, { stream: false }));
    expect(plain).toMatchObject({ status: 529, json: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
  });

  it('http_error and stream_error steps with times fail that many requests, then answer their then-reply', async () => {
    const stub = await start({
      name: 'flaky',
      steps: [
        { kind: 'http_error', status: 529, times: 1, then: { content: [{ type: 'text', text: 'ok' }] } },
        { kind: 'stream_error', error_type: 'api_error', message: 'boom', times: 1, then: { content: [{ type: 'text', text: 'recovered' }] } },
      ],
    });
    expect(await post(stub, body(0))).toMatchObject({ status: 529, json: { type: 'error', error: { type: 'overloaded_error', message: 'anthropic-stub: injected HTTP 529' } } });
    expect(rebuildMessage((await post(stub, body(0))).events).content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(rebuildMessage((await post(stub, body(1))).events).error).toEqual({ type: 'api_error', message: 'boom' });
    expect(rebuildMessage((await post(stub, body(1))).events).content).toEqual([{ type: 'text', text: 'recovered' }]);
    expect(stub.requests.map((r) => r.outcome)).toEqual(['http_error', 'reply', 'stream_error', 'reply']);
  });

  it('a hang step sends message_start and pings, then keeps the stream open until close(), which does not wait for it', async () => {
    const stub = await start({ name: 'h', steps: [{ kind: 'hang', ping_interval_ms: 20 }] });
    const response = await fetch(`${stub.url}/v1/messages`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body(0)) });
    const reader = response.body!.getReader();
    let seen = '';
    while ((seen.match(/event: ping/g) ?? []).length < 3) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the hanging stream ended: ${seen}`);
      seen += new TextDecoder().decode(chunk.value);
    }
    expect(seen).toMatch(/^event: message_start\n/);
    expect(seen).not.toContain('message_stop');
    const started = performance.now();
    await stub.close();
    expect(performance.now() - started).toBeLessThan(1000);
    let ended = false;
    while (!ended) ended = await reader.read().then((r) => r.done, () => true);
    expect(stub.requests[0]?.outcome).toBe('hang');
  });
});

describe('startAnthropicStub: rejected requests and other routes', () => {
  it('a request without anthropic-version, with a wrong key, not JSON or without model/max_tokens/messages gets the API error and no step', async () => {
    const stub = await start(twoSteps, { apiKey: 'sk-test' });
    const { 'anthropic-version': _v, ...noVersion } = HEADERS;
    expect(await post(stub, body(0), noVersion)).toMatchObject({ status: 400, json: { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } } });
    expect(await post(stub, body(0), { ...HEADERS, 'x-api-key': 'sk-wrong' })).toMatchObject({ status: 401, json: { error: { type: 'authentication_error' } } });
    const { 'x-api-key': _k, ...bearer } = HEADERS;
    expect((await post(stub, body(1), { ...bearer, authorization: 'Bearer sk-test' })).status).toBe(200);
    expect(await post(stub, 'not json')).toMatchObject({ status: 400, json: { error: { message: 'anthropic-stub: request body is not JSON' } } });
    const invalid = await post(stub, { messages: [], tools: [{}] });
    expect(invalid.status).toBe(400);
    for (const issue of ['model: ', 'max_tokens: ', 'messages: must hold at least one message', 'tools.0.name: ']) expect(invalid.json.error.message).toContain(issue);
    expect((await post(stub, { ...body(0), messages: [{ role: 'tool', content: 'x' }] })).json.error.message).toContain('messages.0.role: must be "user", "assistant" or "system"');
    expect(stub.requests.map((r) => [r.outcome, r.step])).toEqual([
      ['bad_request', null], ['unauthorized', null], ['reply', 1], ['bad_request', null], ['bad_request', null], ['bad_request', null],
    ]);
    expect(JSON.stringify(stub.requests)).not.toContain('sk-wrong');
  });

  it('/api/hello, GET /v1/models and count_tokens answer what Claude Code needs; anything else is a 404 in the API error shape', async () => {
    const stub = await start({ ...twoSteps, model: 'claude-sonnet-4-5' });
    expect((await fetch(`${stub.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    expect(await (await fetch(`${stub.url}/v1/models`)).json()).toMatchObject({ data: [{ type: 'model', id: 'claude-sonnet-4-5' }], has_more: false });
    const count = await post(stub, body(0), HEADERS, '/v1/messages/count_tokens');
    expect(count.status).toBe(200);
    expect(count.json.input_tokens).toBeGreaterThan(0);
    const missing = await fetch(`${stub.url}/v1/complete`, { method: 'POST', headers: HEADERS, body: '{}' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'anthropic-stub: no route POST /v1/complete' } });
    expect(stub.requests.map((r) => r.outcome)).toEqual(['hello', 'models', 'count_tokens', 'not_found']);
  });

  it('with logFile, each request is one JSON line without its body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anthropic-stub-log-'));
    try {
      const logFile = join(dir, 'requests.jsonl');
      const stub = await start(twoSteps, { logFile });
      await post(stub, body(1));
      const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ method: 'POST', path: '/v1/messages', step: 1, outcome: 'reply', model: 'claude-sonnet-4-5' });
      expect(lines[0]).not.toHaveProperty('body');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startAnthropicStub with an invalid scenario or file throws invalid_scenario / scenario_not_found', async () => {
    await expect(startAnthropicStub({ scenario: { name: 'x', steps: [] } })).rejects.toMatchObject({ code: 'invalid_scenario', issues: ['steps: a scenario needs at least one step'] });
    await expect(startAnthropicStub({ scenario: '/nonexistent.json' })).rejects.toBeInstanceOf(AnthropicStubError);
  });
});
