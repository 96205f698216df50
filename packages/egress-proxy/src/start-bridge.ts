import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { BridgeForward } from './parse-bridge-args.js';
import { splice } from './splice.js';

/** Options of {@link startBridge}. */
export interface BridgeListenOptions {
  /** The proxy's unix socket (bind-mounted into the sandbox). */
  socketPath: string;
  /** Port of the proxy listener on 127.0.0.1; 0 picks a free one. */
  port: number;
  forwards?: readonly BridgeForward[];
}

/** The bridge's listeners. */
export interface RunningBridge {
  /** The port the proxy listener got (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

const MAX_CONNECT_REPLY = 16 * 1024;

/**
 * Starts the in-sandbox listeners: `127.0.0.1:<port>` copies raw bytes to and from the proxy's unix socket, and each
 * forward listens on its loopback endpoint and tunnels every connection through the proxy with `CONNECT <target>`
 * (for clients that ignore proxy variables for loopback URLs). A tunnel the proxy refuses is closed at once.
 */
export async function startBridge(options: BridgeListenOptions): Promise<RunningBridge> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const listen = (server: Server, host: string, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  try {
    const proxyServer = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      track(client);
      const upstream = track(connect({ path: options.socketPath, allowHalfOpen: true }));
      splice(client, upstream);
    });
    servers.push(proxyServer);
    const port = await listen(proxyServer, '127.0.0.1', options.port);

    for (const forward of options.forwards ?? []) {
      const server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (client) => {
        track(client);
        tunnel(track(connect({ path: options.socketPath, allowHalfOpen: true })), client, forward.target);
      });
      servers.push(server);
      await listen(server, forward.listenHost, forward.port);
    }

    return {
      port,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      },
    };
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
}

function tunnel(upstream: Socket, client: Socket, target: string): void {
  const fail = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', fail);
  upstream.on('error', fail);
  upstream.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
  let reply = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    reply = Buffer.concat([reply, chunk]);
    const end = reply.indexOf('\r\n\r\n');
    if (end < 0) {
      if (reply.length > MAX_CONNECT_REPLY) fail();
      return;
    }
    upstream.off('data', onData);
    upstream.pause();
    if (!/^HTTP\/1\.[01] 200 /.test(reply.subarray(0, Math.min(end, 64)).toString('latin1'))) return fail();
    const rest = reply.subarray(end + 4);
    if (rest.length > 0) client.write(rest);
    client.off('error', fail);
    upstream.off('error', fail);
    splice(client, upstream);
  };
  upstream.on('data', onData);
  upstream.once('end', () => {
    if (upstream.listenerCount('data') > 0) fail();
  });
}
