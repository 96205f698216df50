import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startModelStub, type RunningModelStub } from '@agentpr/model-stub';

/** The vendored scenarios of the operator-loop test (operator-loop/scenarios/*.json). */
export const SCENARIO_DIR = fileURLToPath(new URL('./scenarios/', import.meta.url));

/** Which scenario answers each agent attempt of a run: `attempts[0]` the first, then the next; the last repeats. */
export type ScenarioPlan = Record<string, readonly string[]>;

/** One agent attempt the router saw: the run it belongs to, its ordinal and the scenario that answered it. */
export interface RoutedAttempt {
  runId: string;
  attempt: number;
  scenario: string;
  session: string;
}

/** The running router: one model stub per scenario behind one base URL. */
export interface ModelRouter {
  /** The base URL for codex's config.toml (ends in `/v1`). */
  url: string;
  /** Every agent attempt so far, in arrival order. */
  attempts: RoutedAttempt[];
  /** Requests that named no planned run (answered 404, so a wrong route fails loudly). */
  unrouted: number;
  close(): Promise<void>;
}

function sessionOf(req: IncomingMessage, body: string): string {
  const header = req.headers['session_id'] ?? req.headers['conversation_id'] ?? req.headers['session-id'];
  if (typeof header === 'string' && header) return header;
  const match = /"prompt_cache_key"\s*:\s*"([^"]+)"/.exec(body);
  return match?.[1] ?? 'no-session';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts one scripted model stub per scenario named in `plan` and a small HTTP router on 127.0.0.1 in front of
 * them. The stub is stateless (it answers by the number of tool results), so the router gives each run its own
 * script: it finds the run id in the request (codex sends the workspace path, which ends in the run id, in its
 * environment context) and counts the run's codex sessions, so a retry gets the run's next scenario.
 */
export async function startModelRouter(plan: ScenarioPlan): Promise<ModelRouter> {
  const names = [...new Set(Object.values(plan).flat())];
  const stubs = new Map<string, RunningModelStub>();
  for (const name of names) stubs.set(name, await startModelStub({ scenario: `${SCENARIO_DIR}${name}.json` }));
  const sessions = new Map<string, RoutedAttempt>();
  const attempts: RoutedAttempt[] = [];
  const sockets = new Set<Socket>();
  const state = { unrouted: 0 };

  function route(req: IncomingMessage, body: string): RunningModelStub | undefined {
    const runId = Object.keys(plan).find((id) => body.includes(`/${id}`));
    if (!runId) return req.method === 'GET' ? stubs.values().next().value : undefined;
    const session = sessionOf(req, body);
    let seen = sessions.get(`${runId} ${session}`);
    if (!seen) {
      const attempt = attempts.filter((a) => a.runId === runId).length + 1;
      const scripts = plan[runId]!;
      seen = { runId, attempt, scenario: scripts[Math.min(attempt, scripts.length) - 1]!, session };
      sessions.set(`${runId} ${session}`, seen);
      attempts.push(seen);
    }
    return stubs.get(seen.scenario);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = route(req, body.toString('utf8'));
    if (!target) {
      state.unrouted++;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'operator-loop model router: the request names no planned run' } }));
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    url: `http://127.0.0.1:${port}/v1`,
    attempts,
    get unrouted() {
      return state.unrouted;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...stubs.values()].map((stub) => stub.close()));
    },
  };
}
