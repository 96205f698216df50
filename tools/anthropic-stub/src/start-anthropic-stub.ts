import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { AnthropicStubError } from './errors.js';
import { errorEvent, errorTypeForStatus, formatSse, messageStart, replyEvents, replyMessage, streamErrorEvents, type ReplyIds, type SseEvent } from './messages-events.js';
import { lastToolResults, offeredToolNames, parseMessagesRequest, stepIndexOf, workingDirectoryOf, type MessagesRequest, type ToolResultRecord } from './messages-request.js';
import { loadScenarioFile, parseScenario, substituteScenarioVars, substituteVars, type Scenario, type ScenarioBlock, type ScenarioStep, type ScenarioUsage } from './scenario.js';

/** What the stub did with one request. */
export type AnthropicStubOutcome =
  | 'reply' | 'http_error' | 'stream_error' | 'hang' | 'exhausted' | 'tool_not_offered'
  | 'count_tokens' | 'models' | 'hello' | 'not_found' | 'bad_request' | 'unauthorized';

/** One request the stub received, for test assertions. It never holds the API key. */
export interface AnthropicStubRequest {
  method: string;
  path: string;
  /** The scenario step answered (assistant turns in `messages`), or null for other routes and rejected requests. */
  step: number | null;
  outcome: AnthropicStubOutcome;
  /** The request's model, stream flag and offered tool names (null/false/[] when not a valid Messages request). */
  model: string | null;
  stream: boolean;
  tools: string[];
  /** The tool results in the request's last user message: what Claude Code ran since the previous step. */
  toolResults: ToolResultRecord[];
  /** Why a request was rejected (`bad_request`, `unauthorized`), one line. */
  error?: string;
  /** The parsed JSON body (null when absent or not JSON). */
  body: unknown;
}

/** Options of {@link startAnthropicStub}. */
export interface StartAnthropicStubOptions {
  /** A validated scenario, a raw scenario object, or the path of a scenario JSON file. */
  scenario: Scenario | string | unknown;
  /** Values for `{{NAME}}` placeholders, over the scenario's own `vars`. `{{CWD}}` is read from each request when not given. */
  vars?: Record<string, string>;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** When set, `x-api-key` (or `Authorization: Bearer`) must equal it, else 401 `authentication_error`. */
  apiKey?: string;
  /** Append one JSON line per request (without the body) to this file. */
  logFile?: string;
}

/** A running stub. `url` is the value for `ANTHROPIC_BASE_URL` (no `/v1`: the client appends `/v1/messages`). */
export interface RunningAnthropicStub {
  url: string;
  port: number;
  scenario: Scenario;
  /** Every request received so far, in arrival order. */
  requests: AnthropicStubRequest[];
  /** Stops listening and drops open connections, including hanging streams. */
  close(): Promise<void>;
}

type RecordOutcome = (outcome: AnthropicStubOutcome, extra?: Partial<AnthropicStubRequest>) => void;

/**
 * Starts a scripted Anthropic Messages API server on 127.0.0.1 that plays the model for the real `claude` binary:
 * `POST /v1/messages` answers the scenario step selected by the number of assistant turns in `messages` (streaming SSE
 * or one JSON message), `POST /v1/messages/count_tokens` estimates, `GET /v1/models` lists the scenario's model, and
 * `/api/hello` (Claude Code's connectivity check) answers 200. Throws {@link AnthropicStubError} for an invalid scenario.
 * @example
 * const stub = await startAnthropicStub({ scenario: anthropicScenarioPath('pass') });
 * // ANTHROPIC_BASE_URL=${stub.url} ANTHROPIC_API_KEY=sk-test claude -p … --output-format stream-json --verbose
 * await stub.close();
 */
export async function startAnthropicStub(options: StartAnthropicStubOptions): Promise<RunningAnthropicStub> {
  const scenario = substituteScenarioVars(resolveScenario(options.scenario), options.vars);
  const requests: AnthropicStubRequest[] = [];
  const errorCounts = new Map<number, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'api_error', `anthropic-stub internal error: ${(error as Error).message}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const base = { method, path, step: null, model: null, stream: false, tools: [], toolResults: [], body: null };
    const record: RecordOutcome = (outcome, extra = {}) => {
      const entry: AnthropicStubRequest = { ...base, outcome, ...extra };
      requests.push(entry);
      if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify({ ...entry, body: undefined })}\n`);
    };
    if ((method === 'HEAD' || method === 'GET') && path === '/api/hello') {
      record('hello');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (method === 'GET' && /^\/v1\/models\/?$/.test(path)) {
      record('models');
      const id = scenario.model ?? 'claude-stub';
      sendJson(res, 200, { data: [{ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: id, last_id: id });
      return;
    }
    const isMessages = /^\/v1\/messages\/?$/.test(path);
    const isCount = /^\/v1\/messages\/count_tokens\/?$/.test(path);
    if (method !== 'POST' || (!isMessages && !isCount)) {
      record('not_found');
      sendError(res, 404, 'not_found_error', `anthropic-stub: no route ${method} ${path}`);
      return;
    }
    const refusal = checkHeaders(req, options.apiKey);
    if (refusal) {
      record(refusal.status === 401 ? 'unauthorized' : 'bad_request', { error: refusal.message });
      sendError(res, refusal.status, errorTypeForStatus(refusal.status), refusal.message);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      record('bad_request', { error: 'request body is not JSON' });
      sendError(res, 400, 'invalid_request_error', 'anthropic-stub: request body is not JSON');
      return;
    }
    if (isCount) {
      record('count_tokens', { body });
      sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
      return;
    }
    const parsed = parseMessagesRequest(body);
    if (!parsed.ok) {
      const message = parsed.issues.join('; ');
      record('bad_request', { body, error: message });
      sendError(res, 400, 'invalid_request_error', message);
      return;
    }
    answer(parsed.request, res, (outcome, extra) => record(outcome, { ...requestFacts(parsed.request), body, ...extra }));
  }

  function answer(request: MessagesRequest, res: ServerResponse, record: RecordOutcome): void {
    const stepIndex = stepIndexOf(request);
    const ids: ReplyIds = { messageId: `msg_stub_${stepIndex}_${requests.length}`, step: stepIndex };
    const cwd = options.vars?.CWD ?? workingDirectoryOf(request);
    const scripted = scenario.steps[stepIndex];
    const step: ScenarioStep | undefined = scripted && cwd ? substituteVars(scripted, { CWD: cwd }) : scripted;
    const reply = (blocks: readonly ScenarioBlock[], usage: ScenarioUsage | undefined, stopReason?: string): void => {
      const missing = blocks.find((b) => b.type === 'tool_use' && !offeredToolNames(request).includes(b.name));
      if (missing?.type === 'tool_use') {
        record('tool_not_offered');
        const text = `anthropic-stub: this step calls the ${missing.name} tool, but the request does not offer it; allow it in claude (--tools / --allowedTools).`;
        sendReply(res, request, [{ type: 'text', text }], undefined, ids);
        return;
      }
      record('reply');
      sendReply(res, request, blocks, usage, ids, stopReason);
    };
    if (!step) {
      record('exhausted');
      sendReply(res, request, [{ type: 'text', text: `anthropic-stub: scenario ${scenario.name} has no step ${stepIndex}; ending the turn.` }], undefined, ids);
      return;
    }
    switch (step.kind) {
      case 'reply':
        if (step.delay_ms) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            reply(step.content, step.usage, step.stop_reason);
          }, step.delay_ms);
          timers.add(timer);
          return;
        }
        reply(step.content, step.usage, step.stop_reason);
        return;
      case 'http_error':
      case 'stream_error': {
        const seen = errorCounts.get(stepIndex) ?? 0;
        if (step.times !== undefined && seen >= step.times && step.then) {
          reply(step.then.content, step.then.usage);
          return;
        }
        errorCounts.set(stepIndex, seen + 1);
        if (step.kind === 'http_error') {
          record('http_error');
          sendError(res, step.status, step.error_type ?? errorTypeForStatus(step.status), step.message ?? `anthropic-stub: injected HTTP ${step.status}`);
          return;
        }
        record('stream_error');
        const errorType = step.error_type ?? 'overloaded_error';
        const message = step.message ?? 'Overloaded';
        if (request.stream === true) sendSse(res, streamErrorEvents(step.content ?? [], errorType, message, ids, request.model));
        else sendError(res, errorType === 'overloaded_error' ? 529 : 500, errorType, message);
        return;
      }
      case 'hang':
        record('hang');
        if (request.stream !== true) return; // a non-streaming request simply never gets an answer
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(formatSse(messageStart(undefined, ids, request.model)) + formatSse({ type: 'ping', data: {} }));
        if (step.ping_interval_ms) {
          const timer = setInterval(() => res.write(formatSse({ type: 'ping', data: {} })), step.ping_interval_ms);
          timers.add(timer);
          res.on('close', () => {
            clearInterval(timer);
            timers.delete(timer);
          });
        }
        return;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) => reject(new AnthropicStubError('listen_failed', `anthropic stub cannot listen on 127.0.0.1:${options.port ?? 0}: ${cause.message}`, { cause })));
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    scenario,
    requests,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function requestFacts(request: MessagesRequest): Partial<AnthropicStubRequest> {
  return {
    step: stepIndexOf(request),
    model: request.model,
    stream: request.stream === true,
    tools: offeredToolNames(request),
    toolResults: lastToolResults(request),
  };
}

function sendReply(
  res: ServerResponse,
  request: MessagesRequest,
  blocks: readonly ScenarioBlock[],
  usage: ScenarioUsage | undefined,
  ids: ReplyIds,
  stopReason?: string,
): void {
  if (request.stream === true) sendSse(res, replyEvents(blocks, usage, ids, request.model, stopReason));
  else sendJson(res, 200, replyMessage(blocks, usage, ids, request.model, stopReason));
}

/** The API requires `anthropic-version`; with an `apiKey` option, the key must match (compared in constant time). */
function checkHeaders(req: IncomingMessage, apiKey: string | undefined): { status: number; message: string } | undefined {
  if (!req.headers['anthropic-version']) return { status: 400, message: 'anthropic-version: header is required' };
  if (apiKey === undefined) return undefined;
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const given = Buffer.from(String(req.headers['x-api-key'] ?? bearer ?? ''));
  const want = Buffer.from(apiKey);
  if (given.length === want.length && timingSafeEqual(given, want)) return undefined;
  return { status: 401, message: 'invalid x-api-key' };
}

function resolveScenario(input: unknown): Scenario {
  if (typeof input === 'string') return loadScenarioFile(input);
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new AnthropicStubError('invalid_scenario', `scenario is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  return parsed.scenario;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_stub_${Date.now()}` });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: errorEvent(type, message).data.error });
}

function sendSse(res: ServerResponse, events: readonly SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.end(events.map(formatSse).join(''));
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
