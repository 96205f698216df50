import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppPorts, dataDirPaths, type AppContext } from '@agentpr/orchestrator';
import { startWebhookServer } from '@agentpr/webhook-app';
import { openStore } from '@agentpr/store';
import { freshDatabase, tempDir } from '@agentpr/testing';

/** agentpr's real webhook server on 127.0.0.1 (fresh SQLite store), plus a recorder in front that keeps the headers it saw. */
export interface RecordedWebhook {
  /** Port of the recorder, which forwards everything to the real server. */
  port: number;
  seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Starts the real webhook server with `secret` and a header-recording forwarder in front of it. */
export async function startRecordedWebhook(secret: string): Promise<RecordedWebhook> {
  const db = await freshDatabase('sqlite');
  const store = await openStore(db.location);
  const dataDir = tempDir('agentpr-deploy-data-');
  const ctx: AppContext = {
    db: store.db,
    dialect: store.dialect,
    clock: () => new Date(),
    env: {},
    ...createAppPorts({}),
    actor: 'webhook',
    log: { info() {}, warn() {}, error() {} },
    paths: dataDirPaths(dataDir),
  };
  const server = await startWebhookServer({ ctx, host: '127.0.0.1', port: 0, secret });
  const seen: RecordedWebhook['seen'] = [];
  const recorder: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const upstream = request({ host: server.host, port: server.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  return {
    port: (recorder.address() as AddressInfo).port,
    seen,
    async close() {
      recorder.closeAllConnections();
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
      await server.close();
      await store.close();
      await db.drop();
    },
  };
}
