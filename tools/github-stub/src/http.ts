import type { IncomingMessage, ServerResponse } from 'node:http';

/** A REST answer other than 2xx, thrown by a route and sent as `{ message, ...extra }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a route answers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** One parsed REST request. */
export interface StubCall {
  method: string;
  /** The path without a trailing slash, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** A route: a method, a path pattern and a handler receiving the pattern's groups (percent-decoded). */
export interface Route {
  method: string;
  pattern: RegExp;
  handle(call: StubCall, params: string[]): Reply | Promise<Reply>;
}

/** Finds the first route matching the call and runs it; undefined when none does. */
export async function dispatch(routes: readonly Route[], call: StubCall): Promise<Reply | undefined> {
  for (const route of routes) {
    if (route.method !== call.method) continue;
    const m = call.path.match(route.pattern);
    if (m) return route.handle(call, m.slice(1).map((p) => decodeURIComponent(p ?? '')));
  }
  return undefined;
}

/** Writes a JSON answer. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a JSON request body (undefined when empty); malformed JSON is GitHub's 400. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}

/** One page of `items` by `per_page` (≤ 100, default 30) and `page`, with GitHub's `Link: <…>; rel="next"` when more follow. */
export function paginate(baseUrl: string, call: StubCall, items: unknown[]): Reply {
  const perPage = Math.max(1, Math.min(100, Number(call.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(call.query.get('page') ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URL(`${baseUrl}${call.path}`);
    call.query.forEach((v, k) => next.searchParams.set(k, v));
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('page', String(page + 1));
    headers.link = `<${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: slice, headers };
}

/** A 422 "Validation Failed" as GitHub words it. */
export function validationFailed(resource: string, code: string, field: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', { errors: [{ resource, code, field, ...(message ? { message } : {}) }] });
}
