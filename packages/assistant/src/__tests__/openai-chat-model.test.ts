import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLlmStub, type RunningLlmStub } from '@agentpr/llm-stub';
import { ChatModelError, type ChatRequest } from '../chat-model.js';
import type { LlmConfig } from '../llm-config.js';
import { createOpenAiChatModel } from '../openai-chat-model.js';
import { closedPort, limits } from './assistant-fixtures.js';

const KEY = 'sk-adapter-test-key-0123456789';

function config(baseUrl: string, patch: Partial<LlmConfig> = {}): LlmConfig {
  return { baseUrl, model: 'stub-manager', apiKey: KEY, provider: 'openai-compatible', timeoutMs: 10_000, limits: limits(), prices: { inputPerMTokens: 0, outputPerMTokens: 0 }, ...patch };
}

const REQUEST: ChatRequest = {
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'which runs are stuck?' },
  ],
  tools: [{ name: 'list_runs', description: 'List runs.', parameters: { type: 'object', properties: { limit: { type: 'integer' } }, additionalProperties: false } }],
  maxOutputTokens: 321,
};

async function failure(promise: Promise<unknown>): Promise<ChatModelError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChatModelError) return error;
    throw error;
  }
  throw new Error('expected a ChatModelError');
}

const COMPLETION = { id: 'x', object: 'chat.completion', model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } }] };

/** A real HTTP server that answers one fixed completion and keeps what it was sent. */
interface Capture {
  url: string;
  bodies: Array<Record<string, unknown>>;
  headers: IncomingHttpHeaders[];
  server: Server;
}

async function captureServer(answer: unknown = COMPLETION): Promise<Capture> {
  const bodies: Array<Record<string, unknown>> = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      headers.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}/v1`, bodies, headers, server };
}

describe('createOpenAiChatModel', () => {
  let stub: RunningLlmStub | undefined;
  let server: Server | undefined;

  afterEach(async () => {
    await stub?.close();
    stub = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sends the conversation and the tools, and reads tool calls and usage', async () => {
    stub = await startLlmStub({ scenario: 'read-stuck-runs', apiKey: KEY });
    const model = createOpenAiChatModel(config(stub.url));
    expect(model.endpoint).toBe(stub.url);
    const answer = await model.complete(REQUEST);
    expect(answer).toMatchObject({ content: null, finishReason: 'tool_calls', model: 'stub-manager', usage: { inputTokens: 100, outputTokens: 20 } });
    expect(answer.toolCalls).toEqual([{ id: expect.any(String), name: 'list_runs', arguments: '{"limit":20}' }]);
    expect(stub.requests[0]).toMatchObject({ authorized: true, tools: ['list_runs'], maxTokens: 321, model: 'stub-manager' });
    const next = await model.complete({ ...REQUEST, messages: [...REQUEST.messages, { role: 'assistant', content: null, toolCalls: answer.toolCalls }, { role: 'tool', toolCallId: answer.toolCalls[0]!.id, content: 'none' }] });
    expect(next).toMatchObject({ content: 'Here is what I found:\nnone', toolCalls: [], finishReason: 'stop' });
  });

  it('sends max_tokens to OpenAI-compatible servers and max_completion_tokens to OpenAI, tool_choice auto, never streaming', async () => {
    const capture = await captureServer();
    server = capture.server;
    await createOpenAiChatModel(config(capture.url)).complete(REQUEST);
    await createOpenAiChatModel(config(capture.url, { provider: 'openai' })).complete(REQUEST);
    expect(capture.bodies[0]).toMatchObject({ max_tokens: 321, tool_choice: 'auto', stream: false });
    expect(capture.bodies[0]).not.toHaveProperty('max_completion_tokens');
    expect(capture.bodies[1]).toMatchObject({ max_completion_tokens: 321 });
    expect(capture.bodies[1]).not.toHaveProperty('max_tokens');
  });

  it('sends the placeholder key to a keyless loopback server', async () => {
    const capture = await captureServer();
    server = capture.server;
    await createOpenAiChatModel(config(capture.url, { apiKey: undefined })).complete(REQUEST);
    expect(capture.headers[0]?.authorization).toBe('Bearer unused');
  });

  it('talks to Azure OpenAI as a deployment, from the resource endpoint or the /openai base URL', async () => {
    stub = await startLlmStub({ scenario: 'read-stuck-runs', apiKey: KEY });
    for (const baseUrl of [stub.origin, `${stub.origin}/openai`]) {
      const answer = await createOpenAiChatModel(config(baseUrl, { provider: 'azure', azureApiVersion: '2024-10-21', model: 'my-deployment' })).complete(REQUEST);
      expect(answer.toolCalls[0]?.name).toBe('list_runs');
    }
    expect(stub.requests.map((r) => [r.path, r.model])).toEqual([
      ['/openai/deployments/my-deployment/chat/completions', 'my-deployment'],
      ['/openai/deployments/my-deployment/chat/completions', 'my-deployment'],
    ]);
  });

  it('maps a refused connection to one line naming the endpoint', async () => {
    const port = await closedPort();
    const error = await failure(createOpenAiChatModel(config(`http://127.0.0.1:${port}/v1`)).complete(REQUEST));
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(`The manager LLM at http://127.0.0.1:${port}/v1 is unreachable (connection refused). Check --llm-base-url / AGENTPR_LLM_BASE_URL; every other command keeps working.`);
  });

  it('maps a wrong key to auth, naming AGENTPR_LLM_API_KEY and never the key', async () => {
    stub = await startLlmStub({ scenario: 'read-stuck-runs', apiKey: 'sk-the-right-key-0000' });
    const error = await failure(createOpenAiChatModel(config(stub.url)).complete(REQUEST));
    expect(error.code).toBe('auth');
    expect(error.message).toBe(`The manager LLM at ${stub.url} refused the key (HTTP 401). Check AGENTPR_LLM_API_KEY; every other command keeps working.`);
    expect(error.message).not.toContain(KEY);
  });

  it.each([
    [429, 'rate_limited', 'is rate limiting (HTTP 429)'],
    [400, 'bad_request', 'is the model name "stub-manager" right?'],
    [503, 'server_error', 'failed (HTTP 503)'],
  ] as const)('maps HTTP %i to %s with one line', async (status, code, text) => {
    stub = await startLlmStub({ scenario: { name: 'err', turns: [{ steps: [{ kind: 'http_error', status, message: 'upstream says no, key sk-secret' }] }] }, apiKey: KEY });
    const error = await failure(createOpenAiChatModel(config(stub.url)).complete(REQUEST));
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
    expect(error.message).not.toContain('upstream says no');
    expect(error.message).not.toMatch(/\n/);
  });

  it('maps an answer that is not a chat completion (not JSON, or JSON of another shape) to bad_response', async () => {
    stub = await startLlmStub({ scenario: { name: 'garbage', turns: [{ steps: [{ kind: 'garbage' }] }] }, apiKey: KEY });
    const error = await failure(createOpenAiChatModel(config(stub.url)).complete(REQUEST));
    expect(error.code).toBe('bad_response');
    expect(error.message).toContain(`The manager LLM at ${stub.url} sent something that is not a chat completion`);
    const capture = await captureServer({ choices: [] });
    server = capture.server;
    expect((await failure(createOpenAiChatModel(config(capture.url)).complete(REQUEST))).code).toBe('bad_response');
  });

  it('gives up on a model that never answers after the timeout, and stops on abort', async () => {
    stub = await startLlmStub({ scenario: { name: 'hang', turns: [{ steps: [{ kind: 'hang' }] }] }, apiKey: KEY });
    const timeout = await failure(createOpenAiChatModel(config(stub.url, { timeoutMs: 300 })).complete(REQUEST));
    expect(timeout.code).toBe('timeout');
    expect(timeout.message).toBe(`The manager LLM at ${stub.url} did not answer within 0.3 s; every other command keeps working.`);
    const controller = new AbortController();
    const pending = createOpenAiChatModel(config(stub.url)).complete({ ...REQUEST, signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe('aborted');
  });
});
