import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@agentpr/orchestrator';
import { applyEvent, createRun, openStore, type Db, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { LiveHub, type LiveMessage } from '../live.js';
import { startDashboard, type RunningDashboard } from '../run-dashboard.js';
import { CONTENT_SECURITY_POLICY } from '../security-headers.js';
import { openTestDeps } from './seed.js';

// The live stream over a real SQLite file: a writer applies events through `openStore` while the dashboard reads
// through `openReadOnlyStore`, served on 127.0.0.1. Every wait is on an event (a stream's text, a sink's message).

let dbPath: string;
let writer: OpenDatabase;
let readOnly: { deps: Awaited<ReturnType<typeof openTestDeps>>['deps']; close(): Promise<void> };
let running: RunningDashboard | undefined;
let runCounter = 0;

beforeAll(async () => {
  dbPath = join(tempDir('dash-live-'), 'agentpr.db');
  writer = await openStore({ kind: 'sqlite', path: dbPath });
  readOnly = await openTestDeps(dbPath, { clock: () => new Date() });
});

afterEach(async () => {
  await running?.close();
  running = undefined;
});

afterAll(async () => {
  await readOnly?.close();
  await writer?.close();
  cleanupTempDirs();
});

async function newRun(): Promise<string> {
  runCounter += 1;
  const runId = `run_live_${runCounter}`;
  await createRun(writer.db, { runId, owner: 'acme', repo: `repo-${runCounter}`, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/tmp/${runId}` });
  return runId;
}

async function start(options: { maxLiveStreams?: number } = {}): Promise<RunningDashboard> {
  running = await startDashboard(readOnly.deps, { host: '127.0.0.1', port: 0, token: undefined, livePollMs: 50, heartbeatMs: 60_000, ...options });
  return running;
}

/** An open `/live` stream: its response, the text read so far, and waits on that text. */
async function openStream(base: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}live`, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const until = async (what: string, done: (t: string) => boolean): Promise<string> => {
    const timer = setTimeout(() => abort.abort(new Error(`timed out waiting for ${what}; got ${JSON.stringify(text)}`)), 15_000);
    try {
      while (!done(text) && !ended) {
        const chunk = await reader!.read();
        if (chunk.done) ended = true;
        else text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    } finally {
      clearTimeout(timer);
    }
  };
  return { res, until, ended: () => ended, cancel: () => abort.abort() };
}

describe('GET /live', () => {
  it('is an event stream with the security headers that starts with a retry hint and a ready comment', async () => {
    const { info } = await start();
    const stream = await openStream(info.url);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(stream.res.headers.get('cache-control')).toBe('no-store');
    expect(stream.res.headers.get('x-accel-buffering')).toBe('no');
    expect(await stream.until('ready', (t) => t.includes(': ready\n\n'))).toBe('retry: 5000\n: ready\n\n');
    stream.cancel();
  });

  it('sends event: runs with the run id after another connection applies an event to that run', async () => {
    const { info } = await start();
    const runId = await newRun();
    const stream = await openStream(info.url);
    await stream.until('ready', (t) => t.includes(': ready'));
    // A change the stream already saw (the run's creation, within the first look's slack) may come first.
    await applyEvent(writer.db, runId, { event: { type: 'command.pause', actor: 'operator' } });
    const text = await stream.until('the runs event', (t) => new RegExp(`event: runs\\ndata: \\{"runs":\\[[^\\]]*"${runId}"`).test(t));
    const data = /event: runs\ndata: (.*)\n\n/.exec(text.slice(text.lastIndexOf('event: runs')))![1]!;
    expect(JSON.parse(data)).toEqual({ runs: expect.arrayContaining([runId]), more: false });
    stream.cancel();
  });

  it('refuses the 33rd stream with 503 and Retry-After, and takes a new one once a stream ends', async () => {
    const { info } = await start();
    const streams = await Promise.all(Array.from({ length: 32 }, () => openStream(info.url)));
    for (const s of streams) {
      expect(s.res.status).toBe(200);
      await s.until('ready', (t) => t.includes(': ready'));
    }
    const refused = await fetch(`${info.url}live`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.text()).toContain('Too many live streams');
    streams.pop()!.cancel();
    let again = await fetch(`${info.url}live`);
    for (let i = 0; i < 100 && again.status === 503; i++) {
      await again.body?.cancel();
      await new Promise((r) => setImmediate(r));
      again = await fetch(`${info.url}live`);
    }
    expect(again.status).toBe(200);
    await again.body?.cancel();
    for (const s of streams) s.cancel();
  });

  it('stop ends every open stream at once and closes the server', async () => {
    const { info } = await start();
    const streams = await Promise.all([openStream(info.url), openStream(info.url), openStream(info.url)]);
    for (const s of streams) await s.until('ready', (t) => t.includes(': ready'));
    const started = performance.now();
    await running!.close();
    running = undefined;
    expect(performance.now() - started).toBeLessThan(900);
    for (const s of streams) {
      await s.until('the end', () => false);
      expect(s.ended()).toBe(true);
    }
    await expect(fetch(`${info.url}healthz`)).rejects.toThrow();
  });
});

describe('LiveHub', () => {
  it('one poller serves every stream: ten streams, one query, the same event to each', async () => {
    const runId = await newRun();
    await applyEvent(writer.db, runId, { event: { type: 'command.pause', actor: 'operator' } });
    let queries = 0;
    const db = new Proxy(readOnly.deps.db, {
      get(target, prop, receiver) {
        if (prop === 'selectFrom') queries += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Db;
    const hub = new LiveHub({ db, clock: () => new Date(), pollMs: 100, heartbeatMs: 60_000, log: silentLogger, redact: (t) => t });
    const got: LiveMessage[][] = Array.from({ length: 10 }, () => []);
    const allGot = new Promise<void>((resolve) => {
      got.forEach((messages, i) => {
        hub.subscribe({
          send: (m) => {
            messages.push(m);
            if (got.every((g) => g.length > 0) && i >= 0) resolve();
          },
          end: () => undefined,
        });
      });
    });
    expect(hub.size).toBe(10);
    await allGot;
    expect(queries).toBe(1);
    for (const messages of got) expect(messages).toEqual([{ kind: 'runs', runIds: expect.arrayContaining([runId]), more: false }]);
    hub.close();
    expect(hub.size).toBe(0);
    expect(hub.hasRoom()).toBe(false);
  });

  it('close ends every sink and refuses new ones; the last unsubscribe stops the poller', async () => {
    const hub = new LiveHub({ db: readOnly.deps.db, clock: () => new Date(), pollMs: 60_000, maxStreams: 2, log: silentLogger, redact: (t) => t });
    const ended: number[] = [];
    const first = hub.subscribe({ send: () => undefined, end: () => ended.push(1) });
    hub.subscribe({ send: () => undefined, end: () => ended.push(2) });
    expect(hub.subscribe({ send: () => undefined, end: () => undefined })).toBeUndefined();
    first!();
    expect(hub.size).toBe(1);
    hub.close();
    expect(ended).toEqual([2]);
    expect(hub.subscribe({ send: () => undefined, end: () => undefined })).toBeUndefined();
  });
});
