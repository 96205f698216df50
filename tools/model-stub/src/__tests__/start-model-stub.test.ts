import { afterEach, describe, expect, it } from 'vitest';
import { ModelStubError } from '../errors.js';
import { startModelStub, type RunningModelStub } from '../start-model-stub.js';
import type { Scenario } from '../scenario.js';

const stubs: RunningModelStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function start(scenario: unknown): Promise<RunningModelStub> {
  const stub = await startModelStub({ scenario });
  stubs.push(stub);
  return stub;
}

interface Sse {
  event: string;
  data: Record<string, unknown>;
}

async function post(stub: RunningModelStub, body: unknown): Promise<{ status: number; events: Sse[]; json: unknown }> {
  const response = await fetch(`${stub.url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return { status: response.status, events: [], json: JSON.parse(text) };
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown> };
    });
  return { status: response.status, events, json: null };
}

const tools = [{ type: 'function', name: 'exec_command' }, { type: 'custom', name: 'apply_patch' }];
const scenario: Scenario = {
  name: 'two-steps',
  steps: [
    { kind: 'reply', items: [{ type: 'exec_command', cmd: 'npm test' }] },
    { kind: 'reply', items: [{ type: 'message', text: 'done' }] },
  ],
};

describe('startModelStub', () => {
  it('startModelStub listens on 127.0.0.1 and answers GET /v1/models with an empty list', async () => {
    const stub = await start(scenario);
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${stub.url}/models`);
    expect(await response.json()).toEqual({ object: 'list', data: [], models: [] });
    expect(stub.requests[0]).toMatchObject({ method: 'GET', outcome: 'models' });
  });

  it('POST /v1/responses picks the step from the number of tool outputs in input', async () => {
    const stub = await start(scenario);
    const first = await post(stub, { input: [{ type: 'message', role: 'user' }], tools });
    expect(first.status).toBe(200);
    const done = first.events.find((e) => e.event === 'response.output_item.done');
    expect(done?.data.item).toMatchObject({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"npm test","login":false}' });
    expect(first.events.at(-1)?.event).toBe('response.completed');
    const second = await post(stub, { input: [{ type: 'message' }, { type: 'function_call' }, { type: 'function_call_output', call_id: 'call_0_0', output: 'ok' }], tools });
    expect(second.events.find((e) => e.event === 'response.output_item.done')?.data.item).toMatchObject({ type: 'message', content: [{ text: 'done' }] });
    // A retried request (same input) gets the same reply: the stub is stateless.
    const retried = await post(stub, { input: [{ type: 'message', role: 'user' }], tools });
    expect(retried.events.map((e) => e.event)).toEqual(first.events.map((e) => e.event));
    expect(stub.requests.map((r) => r.step)).toEqual([0, 1, 0]);
  });

  it('POST /v1/responses past the last step ends the turn with a message saying so', async () => {
    const stub = await start(scenario);
    const out = await post(stub, { input: [{ type: 'function_call_output' }, { type: 'function_call_output' }], tools });
    expect(JSON.stringify(out.events)).toContain('has no step 2');
    expect(stub.requests[0]?.outcome).toBe('exhausted');
  });

  it('an http_error step with times fails that many requests, then answers its then-reply', async () => {
    const stub = await start({ name: 'flaky', steps: [{ kind: 'http_error', status: 500, times: 2, message: 'busy', then: { items: [{ type: 'message', text: 'ok' }] } }] });
    expect((await post(stub, { input: [] })).status).toBe(500);
    const second = await post(stub, { input: [] });
    expect(second).toMatchObject({ status: 500, json: { error: { message: 'busy' } } });
    expect((await post(stub, { input: [] })).status).toBe(200);
  });

  it('a failed step streams response.failed with the scripted error', async () => {
    const stub = await start({ name: 'f', steps: [{ kind: 'failed', message: 'dropped' }] });
    const out = await post(stub, { input: [] });
    expect(out.events.map((e) => e.event)).toEqual(['response.created', 'response.failed']);
    expect(out.events[1]?.data).toMatchObject({ response: { status: 'failed', error: { code: 'server_error', message: 'dropped' } } });
  });

  it('a hang step keeps the stream open until close(), which does not wait for it', async () => {
    const stub = await start({ name: 'h', steps: [{ kind: 'hang' }] });
    const response = await fetch(`${stub.url}/responses`, { method: 'POST', body: JSON.stringify({ input: [] }) });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: response.created');
    const pending = reader.read().then(
      (r) => (r.done ? 'ended' : 'more'),
      () => 'aborted',
    );
    const raced = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still open'), 200))]);
    expect(raced).toBe('still open');
    const started = performance.now();
    await stub.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(['ended', 'aborted']).toContain(await pending);
  });

  it('a step with apply_patch that codex did not offer answers a message naming the fix', async () => {
    const stub = await start({ name: 'p', steps: [{ kind: 'reply', items: [{ type: 'apply_patch', patch: '*** Begin Patch\n*** End Patch\n' }] }] });
    const out = await post(stub, { input: [], tools: [{ name: 'exec_command' }] });
    expect(JSON.stringify(out.events)).toContain('known model slug such as gpt-5.5');
    expect(stub.requests[0]?.outcome).toBe('tool_not_offered');
  });

  it('unknown routes get 404 and a non-JSON body gets 400', async () => {
    const stub = await start(scenario);
    expect((await fetch(`${stub.url}/chat/completions`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${stub.url}/responses`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('startModelStub with an invalid scenario throws invalid_scenario listing the issues', async () => {
    await expect(startModelStub({ scenario: { name: 'x', steps: [] } })).rejects.toMatchObject({
      code: 'invalid_scenario',
      issues: ['steps: a scenario needs at least one step'],
    });
    await expect(startModelStub({ scenario: '/nonexistent.json' })).rejects.toBeInstanceOf(ModelStubError);
  });
});
