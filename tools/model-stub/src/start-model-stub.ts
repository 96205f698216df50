import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ModelStubError } from './errors.js';
import { failedEvents, formatSse, offeredToolNames, replyEvents, stepIndexOf, type SseEvent } from './responses-events.js';
import { loadScenarioFile, parseScenario, substituteScenarioVars, type Scenario, type ScenarioItem, type ScenarioUsage } from './scenario.js';

/** What the stub did with one request. */
export type ModelStubOutcome = 'reply' | 'http_error' | 'failed' | 'hang' | 'exhausted' | 'tool_not_offered' | 'models' | 'not_found' | 'bad_request';

/** One request the stub received, for test assertions. */
export interface ModelStubRequest {
  method: string;
  path: string;
  /** The scenario step answered (number of tool results in `input`), or null for non-model routes. */
  step: number | null;
  outcome: ModelStubOutcome;
  /** The parsed JSON body of a model request (null otherwise). */
  body: unknown;
  /** The names of the tools the request offered. */
  tools: string[];
}

/** Options of {@link startModelStub}. */
export interface StartModelStubOptions {
  /** A validated scenario, a raw scenario object, or the path of a scenario JSON file. */
  scenario: Scenario | string | unknown;
  /** Values for `{{NAME}}` placeholders in the scenario, over the scenario's own `vars`. */
  vars?: Record<string, string>;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Extra delay before every model reply, in ms (for latency tests). Default 0. */
  replyDelayMs?: number;
}

/** A running stub. `url` is the provider `base_url` for codex's config.toml (it ends in `/v1`). */
export interface RunningModelStub {
  url: string;
  port: number;
  scenario: Scenario;
  /** Every request received so far, in arrival order. */
  requests: ModelStubRequest[];
  /** Stops listening and drops open connections, including hanging streams. */
  close(): Promise<void>;
}

/**
 * Starts a scripted OpenAI Responses API server on 127.0.0.1 that plays the model for the real codex binary:
 * `POST /v1/responses` answers the scenario step selected by the number of tool results in `input`, and
 * `GET /v1/models` answers an empty list. Throws {@link ModelStubError} for an invalid scenario.
 * @example
 * const stub = await startModelStub({ scenario: scenarioPath('implement-and-tests-pass') });
 * // config.toml: base_url = "${stub.url}", wire_api = "responses"
 * await stub.close();
 */
export async function startModelStub(options: StartModelStubOptions): Promise<RunningModelStub> {
  const scenario = substituteScenarioVars(resolveScenario(options.scenario), options.vars);
  const requests: ModelStubRequest[] = [];
  const errorCounts = new Map<number, number>();
  const sockets = new Set<Socket>();
  const replyDelayMs = options.replyDelayMs ?? 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `model-stub internal error: ${(error as Error).message}` } }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && /\/models\/?$/.test(path)) {
      requests.push({ method, path, step: null, outcome: 'models', body: null, tools: [] });
      sendJson(res, 200, { object: 'list', data: [], models: [] });
      return;
    }
    if (method !== 'POST' || !/\/responses\/?$/.test(path)) {
      requests.push({ method, path, step: null, outcome: 'not_found', body: null, tools: [] });
      sendJson(res, 404, { error: { message: `model-stub: no route ${method} ${path}` } });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      requests.push({ method, path, step: null, outcome: 'bad_request', body: null, tools: [] });
      sendJson(res, 400, { error: { message: 'model-stub: request body is not JSON' } });
      return;
    }
    const stepIndex = stepIndexOf(body);
    const tools = offeredToolNames(body);
    const record = (outcome: ModelStubOutcome): void => {
      requests.push({ method, path, step: stepIndex, outcome, body, tools });
    };
    if (replyDelayMs > 0) await sleep(replyDelayMs);
    const responseId = `resp_${stepIndex}_${requests.length}`;
    const step = scenario.steps[stepIndex];
    if (!step) {
      record('exhausted');
      const text = `model-stub: scenario ${scenario.name} has no step ${stepIndex}; ending the turn.`;
      sendSse(res, replyEvents([{ type: 'message', text }], undefined, stepIndex, responseId));
      return;
    }
    switch (step.kind) {
      case 'reply':
        if (step.delay_ms) await sleep(step.delay_ms);
        answerReply(res, step.items, step.usage, stepIndex, responseId, tools, record);
        return;
      case 'http_error': {
        const seen = errorCounts.get(stepIndex) ?? 0;
        if (step.times === undefined || seen < step.times || !step.then) {
          errorCounts.set(stepIndex, seen + 1);
          record('http_error');
          const message = step.message ?? `model-stub: injected HTTP ${step.status}`;
          sendJson(res, step.status, { error: { message, type: 'server_error', code: null } });
          return;
        }
        answerReply(res, step.then.items, step.then.usage, stepIndex, responseId, tools, record);
        return;
      }
      case 'failed':
        record('failed');
        sendSse(res, failedEvents(step.code ?? 'server_error', step.message, responseId));
        return;
      case 'hang':
        record('hang');
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(formatSse({ type: 'response.created', data: { response: { id: responseId, status: 'in_progress' } } }));
        // Keep the stream open until the client goes away or the stub closes.
        return;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) => reject(new ModelStubError('listen_failed', `model stub cannot listen on 127.0.0.1:${options.port ?? 0}: ${cause.message}`, { cause })));
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    scenario,
    requests,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function answerReply(
  res: ServerResponse,
  items: readonly ScenarioItem[],
  usage: ScenarioUsage | undefined,
  stepIndex: number,
  responseId: string,
  tools: string[],
  record: (outcome: ModelStubOutcome) => void,
): void {
  if (items.some((item) => item.type === 'apply_patch') && !tools.includes('apply_patch')) {
    // codex offers apply_patch only to model slugs it knows; say so instead of sending a call it would reject.
    record('tool_not_offered');
    const text = 'model-stub: this step needs the apply_patch tool, but codex did not offer it; run codex with a known model slug such as gpt-5.5.';
    sendSse(res, replyEvents([{ type: 'message', text }], usage, stepIndex, responseId));
    return;
  }
  record('reply');
  sendSse(res, replyEvents(items, usage, stepIndex, responseId));
}

function resolveScenario(input: unknown): Scenario {
  if (typeof input === 'string') return loadScenarioFile(input);
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new ModelStubError('invalid_scenario', `scenario is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  return parsed.scenario;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
