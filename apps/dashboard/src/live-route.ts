import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { LiveHub, LiveMessage, LiveSink } from './live.js';

/** How long a browser waits before reconnecting a dropped stream (the live script also backs off on its own). */
const RETRY_MS = 5_000;

function frame(message: LiveMessage): string {
  switch (message.kind) {
    case 'runs':
      // JSON has no raw newline, so it is one `data:` line.
      return `event: runs\ndata: ${JSON.stringify({ runs: message.runIds, more: message.more })}\n\n`;
    case 'heartbeat':
      return ': heartbeat\n\n';
    default: {
      const never: never = message;
      return never;
    }
  }
}

/**
 * A sink that writes to one SSE stream without ever making the hub wait: while a write is still in flight (a slow
 * client), later `runs` events fold into one that follows it and heartbeats are dropped.
 */
function streamSink(stream: SSEStreamingApi, end: () => void): LiveSink {
  let writing = false;
  let folded: LiveMessage | undefined;
  const write = (message: LiveMessage): void => {
    writing = true;
    void stream.write(frame(message)).then(() => {
      writing = false;
      const next = folded;
      folded = undefined;
      if (next && !stream.closed && !stream.aborted) write(next);
    });
  };
  return {
    send(message) {
      if (stream.closed || stream.aborted) return;
      if (!writing) write(message);
      else if (message.kind === 'runs') folded = { kind: 'runs', runIds: [], more: true };
    },
    end,
  };
}

/**
 * `GET /live`: a server-sent event stream fed by the shared {@link LiveHub}. It starts with a `retry` hint and a
 * `: ready` comment (the stream is registered: a change from now on is announced), then sends `event: runs` with
 * `{"runs": [ids], "more": bool}` whenever runs move. It ends when the client goes away or the hub closes. When
 * the hub is full (32 streams) or stopping, 503 with `Retry-After`.
 */
export function liveRoute(hub: LiveHub) {
  return (c: Context): Response | Promise<Response> => {
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' });
    if (!hub.hasRoom()) {
      c.header('Retry-After', '5');
      return c.text('Too many live streams are open; the page still works, reload it for fresh data.\n', 503);
    }
    c.header('X-Accel-Buffering', 'no');
    const response = streamSSE(c, async (stream) => {
      let end: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => {
        end = resolve;
      });
      // The subscription happens before the first await: no other request can take the slot checked above.
      const unsubscribe = hub.subscribe(streamSink(stream, () => end()));
      if (!unsubscribe) return;
      stream.onAbort(() => end());
      c.req.raw.signal.addEventListener('abort', () => end(), { once: true });
      try {
        await stream.write(`retry: ${RETRY_MS}\n: ready\n\n`);
        await ended;
      } finally {
        unsubscribe();
      }
    });
    // A stream has its connection to itself: when it ends (the hub stopping), the connection closes with it.
    response.headers.set('Connection', 'close');
    return response;
  };
}
