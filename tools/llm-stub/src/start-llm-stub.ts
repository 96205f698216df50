import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { offeredToolNames, parseChatRequest, readConversation, type ChatMessage } from './chat-request.js';
import { LlmStubError } from './errors.js';
import { chatCompletion, openAiError } from './openai-wire.js';
import { planAnswer, type LlmStubOutcome } from './plan-answer.js';
import { loadLlmScenario, parseLlmScenario, substituteLlmScenarioVars, type LlmScenario, type LlmScenarioInput } from './scenario.js';
import { llmScenarioPath } from './scenario-path.js';

/** One request the stub received, for test assertions. Never holds the API key. */
export interface RecordedRequest {
  method: string;
  /** The request path without the query string. */
  path: string;
  /** The `model` the client asked for (the Azure deployment name when the body's is missing or empty), or null. */
  model: string | null;
  /** The chat messages as sent ([] for non-chat routes). */
  messages: ChatMessage[];
  /** The names of the function tools offered. */
  tools: string[];
  /** The tool definitions as sent, JSON Schemas included. */
  toolDefinitions: unknown[];
  /** `max_completion_tokens` (or the older `max_tokens`), or null. */
  maxTokens: number | null;
  /** Whether the request carried the stub's key (always true when the stub has none). */
  authorized: boolean;
  /** The matching turn and the step answered, or null when none was. */
  turn: number | null;
  step: number | null;
  outcome: LlmStubOutcome;
  /** When the request arrived, in ms since the epoch. */
  at: number;
}

/** Options of {@link startLlmStub}. */
export interface StartLlmStubOptions {
  /** A scenario object, the path of a scenario JSON file, or the name of a shipped scenario. */
  scenario: string | LlmScenario | LlmScenarioInput;
  /** When set, requests need `Authorization: Bearer <key>` or `api-key: <key>`, else they get 401. */
  apiKey?: string;
  /** Values for `{{NAME}}` placeholders in the scenario, over the scenario's own `vars`. */
  vars?: Record<string, string>;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** A running stub. `url` is the OpenAI `baseURL` (it ends in `/v1`); `origin` is the Azure `endpoint`. */
export interface RunningLlmStub {
  url: string;
  origin: string;
  port: number;
  scenario: LlmScenario;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Stops listening and drops open connections, hanging requests included. */
  close(): Promise<void>;
}

const CHAT_PATH = /^\/(?:openai\/)?v1\/chat\/completions\/?$/;
// Azure's `/openai/deployments/<name>/…`, or `<any base path>/deployments/<name>/…` when AzureOpenAI gets a baseURL.
const AZURE_CHAT_PATH = /^(?:\/[^/]+)*\/deployments\/([^/]+)\/chat\/completions\/?$/;
const MODELS_PATH = /^\/(?:openai\/)?v1\/models\/?$/;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Starts a scripted OpenAI-compatible Chat Completions server on 127.0.0.1 that plays the manager LLM:
 * `POST /v1/chat/completions` (and Azure's `/openai/deployments/<name>/chat/completions`) answers the scenario step
 * picked by the conversation, `GET /v1/models` lists the scenario's model. Throws {@link LlmStubError} for an
 * invalid or missing scenario.
 * @example
 * const stub = await startLlmStub({ scenario: 'pause-run', vars: { RUN_ID: runId }, apiKey: 'sk-test' });
 * const client = new OpenAI({ baseURL: stub.url, apiKey: 'sk-test' });
 * await stub.close();
 */
export async function startLlmStub(options: StartLlmStubOptions): Promise<RunningLlmStub> {
  const scenario = substituteLlmScenarioVars(resolveScenario(options.scenario), options.vars);
  const requests: RecordedRequest[] = [];
  const gateCounts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const keyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, openAiError(500, `llm-stub internal error: ${(error as Error).message}`));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const authorized = keyDigest === undefined || presentedKeys(req).some((key) => timingSafeEqual(digest(key), keyDigest));
    const at = Date.now();
    const base = { method, path, model: null, messages: [], tools: [], toolDefinitions: [], maxTokens: null, authorized, turn: null, step: null, at };
    if (!authorized) {
      requests.push({ ...base, outcome: 'unauthorized' });
      sendJson(res, 401, openAiError(401, 'llm-stub: missing or wrong API key; send Authorization: Bearer <key> or api-key: <key>.'));
      return;
    }
    if (method === 'GET' && MODELS_PATH.test(path)) {
      requests.push({ ...base, outcome: 'models' });
      sendJson(res, 200, { object: 'list', data: [{ id: scenario.model, object: 'model', created: 0, owned_by: 'llm-stub' }] });
      return;
    }
    const deployment = AZURE_CHAT_PATH.exec(path)?.[1];
    if (method !== 'POST' || (!CHAT_PATH.test(path) && deployment === undefined)) {
      requests.push({ ...base, outcome: 'not_found' });
      sendJson(res, 404, openAiError(404, `llm-stub: no route ${method} ${path}; use POST /v1/chat/completions or GET /v1/models.`));
      return;
    }
    const badRequest = (message: string): void => {
      requests.push({ ...base, outcome: 'bad_request' });
      sendJson(res, 400, openAiError(400, `llm-stub: ${message}`));
    };
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      badRequest(`request body is not JSON (${(error as Error).message}).`);
      return;
    }
    const parsed = parseChatRequest(body);
    if (!parsed.ok) {
      badRequest(`invalid chat request: ${parsed.message}`);
      return;
    }
    const request = parsed.request;
    // Azure clients may send an empty model: the deployment in the path names it.
    const model = request.model || (deployment === undefined ? null : decodeURIComponent(deployment));
    const seen = {
      ...base,
      model,
      messages: request.messages,
      tools: offeredToolNames(request),
      toolDefinitions: request.tools ?? [],
      maxTokens: request.max_completion_tokens ?? request.max_tokens ?? null,
    };
    if (request.stream === true) {
      requests.push({ ...seen, outcome: 'bad_request' });
      sendJson(res, 400, openAiError(400, 'llm-stub: stream: true is not supported; agentpr asks for non-streaming completions.'));
      return;
    }
    const plan = planAnswer(scenario, readConversation(request.messages), gateCounts);
    const record = (outcome: LlmStubOutcome): void => {
      requests.push({ ...seen, turn: plan.turn, step: plan.step, outcome });
    };
    const answer = plan.answer;
    switch (answer.kind) {
      case 'message': {
        record(answer.outcome);
        const meta = { id: `chatcmpl-stub-${requests.length}`, model: model ?? scenario.model, created: Math.floor(Date.now() / 1000) };
        sendJson(res, 200, chatCompletion(answer, meta));
        return;
      }
      case 'http_error': {
        record('http_error');
        const headers: Record<string, string> = answer.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(answer.retryAfterMs) };
        sendJson(res, answer.status, openAiError(answer.status, answer.message), headers);
        return;
      }
      case 'hang':
        // Never answer: the connection stays open until the client gives up or the stub closes.
        record('hang');
        return;
      case 'garbage':
        record('garbage');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>llm-stub: this is not JSON');
        return;
      default: {
        const never: never = answer;
        throw new Error(`unknown answer ${JSON.stringify(never)}`);
      }
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) => reject(new LlmStubError('listen_failed', `llm stub cannot listen on 127.0.0.1:${options.port ?? 0}: ${cause.message}`, { cause })));
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    port,
    scenario,
    requests,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function resolveScenario(input: StartLlmStubOptions['scenario']): LlmScenario {
  if (typeof input === 'string') return loadLlmScenario(input.endsWith('.json') || input.includes('/') ? input : llmScenarioPath(input));
  const parsed = parseLlmScenario(input);
  if (!parsed.ok) throw new LlmStubError('invalid_scenario', `scenario is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  return parsed.scenario;
}

function presentedKeys(req: IncomingMessage): string[] {
  const keys: string[] = [];
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer ')) keys.push(authorization.slice('Bearer '.length));
  const apiKey = req.headers['api-key'];
  if (typeof apiKey === 'string') keys.push(apiKey);
  return keys;
}

// Comparing fixed-size digests keeps the comparison constant-time whatever the lengths.
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
