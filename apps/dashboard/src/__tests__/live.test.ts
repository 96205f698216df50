import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@agentpr/orchestrator';
import { applyEvent, createRun, openReadOnlyStore, openStore, type Db, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir } from '@agentpr/testing';
import { LIVE_JS } from '../assets/live-js.js';
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

describe.each(dialectsUnderTest())('LiveHub on %s', (kind) => {
  it("announces a run another connection moves, read through the dashboard's read-only connection", async () => {
    const database = await freshDatabase(kind);
    const write = await openStore(database.location);
    const read = await openReadOnlyStore(database.location);
    const hub = new LiveHub({ db: read.db, clock: () => new Date(), pollMs: 50, heartbeatMs: 60_000, log: silentLogger, redact: (t) => t });
    try {
      const runId = `run_live_${kind}`;
      await createRun(write.db, { runId, owner: 'acme', repo: 'dialects', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/tmp/${runId}` });
      const moved = applyEvent(write.db, runId, { event: { type: 'command.pause', actor: 'operator' } });
      const announced = new Promise<LiveMessage>((resolve) => {
        hub.subscribe({ send: (m) => m.kind === 'runs' && m.runIds.includes(runId) && resolve(m), end: () => undefined });
      });
      await moved;
      expect(await announced).toMatchObject({ kind: 'runs', more: false });
    } finally {
      hub.close();
      await read.close();
      await write.close();
      await database.drop();
    }
  });
});

/** A page for the live script, with just the DOM and network it uses, each recording what the script does with it. */
function simulatedPage(opts: { live: boolean }) {
  const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  const sources: Array<{ url: string; closed: boolean; listeners: Record<string, Array<() => void>> }> = [];
  const fetches: Array<{ url: string; init: Record<string, unknown>; answer: (status: number, type: string, body: string) => void }> = [];
  const docListeners: Record<string, Array<() => void>> = {};
  const mainListeners: Record<string, Array<() => void>> = {};
  const status = { textContent: '' };
  const scrolls: Array<[number, number]> = [];
  let content = 'old';
  const input = { tagName: 'INPUT', id: 'f-repo', getAttribute: () => null, focus: () => undefined };
  const main = {
    hasAttribute: (name: string) => name === 'data-live' && opts.live,
    contains: (el: unknown) => el === input || el === main,
    replaceChildren: (...nodes: string[]) => void (content = nodes.join('')),
    addEventListener: (type: string, fn: () => void) => void (mainListeners[type] ??= []).push(fn),
    querySelector: () => null,
    focus: () => undefined,
  };
  const document = {
    hidden: false,
    activeElement: null as unknown,
    getElementById: (id: string) => (id === 'main' ? main : id === 'live-status' ? status : null),
    addEventListener: (type: string, fn: () => void) => void (docListeners[type] ??= []).push(fn),
    adoptNode: (n: string) => n,
  };
  class EventSource {
    readonly record: (typeof sources)[number];
    constructor(url: string) {
      this.record = { url, closed: false, listeners: {} };
      sources.push(this.record);
    }
    addEventListener(type: string, fn: () => void) {
      (this.record.listeners[type] ??= []).push(fn);
    }
    close() {
      this.record.closed = true;
    }
  }
  const context = {
    document,
    EventSource,
    location: { pathname: '/approvals', search: '?x=1', href: 'http://127.0.0.1/approvals?x=1' },
    URL,
    CSS: { escape: (s: string) => s },
    DOMParser: class {
      parseFromString(html: string) {
        return { body: { childNodes: [html.replace('<!doctype html><body>', '')] } };
      }
    },
    window: { scrollX: 0, scrollY: 420, scrollTo: (x: number, y: number) => void scrolls.push([x, y]) },
    fetch: (url: string, init: Record<string, unknown>) =>
      new Promise((resolve) => {
        fetches.push({
          url,
          init,
          answer: (s, type, body) => resolve({ status: s, headers: { get: () => type }, text: async () => body }),
        });
      }),
    setTimeout: (fn: () => void, ms: number) => timers.push({ fn, ms, cancelled: false }),
    clearTimeout: (id: number) => {
      if (timers[id - 1]) timers[id - 1]!.cancelled = true;
    },
  };
  new Script(LIVE_JS).runInNewContext(context);
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const emit = (type: string) => {
    for (const fn of sources.at(-1)?.listeners[type] ?? []) fn();
  };
  const fire = (listeners: Record<string, Array<() => void>>, type: string) => {
    for (const fn of listeners[type] ?? []) fn();
  };
  return { sources, fetches, timers, status, scrolls, document, input, emit, settle, content: () => content, fire, docListeners, mainListeners };
}

describe('the live script (in a simulated page)', () => {
  it('does nothing on a page whose <main> has no data-live', () => {
    expect(simulatedPage({ live: false }).sources).toHaveLength(0);
  });

  it('on a runs event re-fetches the page as a fragment and swaps <main> on 200 text/html, keeping the scroll', async () => {
    const page = simulatedPage({ live: true });
    expect(page.sources.map((s) => s.url)).toEqual(['/live']);
    page.emit('runs');
    expect(page.fetches).toHaveLength(1);
    expect(page.fetches[0]!.url).toBe('/approvals?x=1&fragment=main');
    expect(page.fetches[0]!.init).toMatchObject({ headers: { Accept: 'text/html' }, credentials: 'same-origin', redirect: 'manual' });
    page.fetches[0]!.answer(200, 'text/html; charset=UTF-8', '<h1>new</h1>');
    await page.settle();
    expect(page.content()).toBe('<h1>new</h1>');
    expect(page.scrolls).toEqual([[0, 420]]);
    expect(page.status.textContent).toMatch(/^Updated \d\d:\d\d:\d\d$/);
  });

  it('does not swap on a redirect (signed out), an error status or a non-HTML answer', async () => {
    const page = simulatedPage({ live: true });
    for (const [status, type] of [
      [0, ''],
      [500, 'text/html'],
      [200, 'application/json'],
    ] as const) {
      page.emit('runs');
      page.fetches.at(-1)!.answer(status, type, '<p>login</p>');
      await page.settle();
    }
    expect(page.fetches).toHaveLength(3);
    expect(page.content()).toBe('old');
    expect(page.status.textContent).toBe('');
  });

  it('folds events that arrive while a fetch is in flight into one more fetch', async () => {
    const page = simulatedPage({ live: true });
    page.emit('runs');
    page.emit('runs');
    page.emit('runs');
    expect(page.fetches).toHaveLength(1);
    page.fetches[0]!.answer(200, 'text/html', 'a');
    await page.settle();
    expect(page.fetches).toHaveLength(2);
  });

  it('waits while a form field in <main> has focus, then refreshes when it loses it', async () => {
    const page = simulatedPage({ live: true });
    page.document.activeElement = page.input;
    page.emit('runs');
    expect(page.fetches).toHaveLength(0);
    page.document.activeElement = null;
    page.fire(page.mainListeners, 'focusout');
    page.timers.at(-1)!.fn();
    expect(page.fetches).toHaveLength(1);
  });

  it('backs off when the stream fails (1 s, 2 s, 4 s …), refreshes once it is back, and closes it while the tab is hidden', async () => {
    const page = simulatedPage({ live: true });
    page.emit('error');
    expect(page.sources[0]!.closed).toBe(true);
    expect(page.timers.at(-1)!.ms).toBe(1000);
    page.timers.at(-1)!.fn();
    expect(page.sources).toHaveLength(2);
    page.emit('error');
    expect(page.timers.at(-1)!.ms).toBe(2000);
    page.timers.at(-1)!.fn();
    page.emit('error');
    expect(page.timers.at(-1)!.ms).toBe(4000);
    page.timers.at(-1)!.fn();
    expect(page.fetches).toHaveLength(0);
    page.emit('open');
    expect(page.fetches).toHaveLength(1);
    page.emit('open');
    expect(page.fetches).toHaveLength(1);
    page.fetches[0]!.answer(200, 'text/html', 'back');
    await page.settle();
    page.document.hidden = true;
    page.fire(page.docListeners, 'visibilitychange');
    expect(page.sources.at(-1)!.closed).toBe(true);
    page.document.hidden = false;
    page.fire(page.docListeners, 'visibilitychange');
    expect(page.sources.at(-1)!.closed).toBe(false);
    expect(page.fetches).toHaveLength(2);
  });
});
