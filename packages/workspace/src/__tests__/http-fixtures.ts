import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A local HTTP server answering every request with `status` (or never, for `hang`). */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 port 0 that answers with `status`, or holds the request open when `status` is `'hang'`. */
export async function startServer(status: number | 'hang'): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const pending = new Set<ServerResponse>();
  const server: Server = createServer((_req, res) => {
    if (status === 'hang') {
      pending.add(res);
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens (a server was started and closed), so connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const s = await startServer(200);
  await s.close();
  return s.url;
}
