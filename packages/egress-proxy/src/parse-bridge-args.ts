import { isIPv4 } from 'node:net';

/** A host-side loopback endpoint the bridge also serves inside the sandbox, tunnelled with `CONNECT`. */
export interface BridgeForward {
  /** Where the bridge listens inside the sandbox (`127.0.0.1`, another `127.x.y.z`, or `::1`). */
  listenHost: string;
  port: number;
  /** The `CONNECT` authority sent to the proxy, as written (`localhost:4010`, `127.0.0.1:4010`, `[::1]:4010`). */
  target: string;
}

/** What the bridge program was asked to do. */
export interface BridgeOptions {
  socketPath: string;
  /** Port of the proxy listener on 127.0.0.1 inside the sandbox; 0 picks a free one. */
  port: number;
  forwards: BridgeForward[];
  command: string;
  args: string[];
}

/** The bridge program's usage line. */
export const BRIDGE_USAGE = 'usage: node bridge.js --socket <path> --port <n> [--forward 127.0.0.1:<port> ...] -- <command> [args...]';

/**
 * Parses the bridge's argv (without `node` and the script). `--forward` accepts only loopback endpoints
 * (`127.x.y.z:<port>`, `[::1]:<port>`, `localhost:<port>`): the bridge can only listen on the sandbox's own loopback.
 */
export function parseBridgeArgs(argv: readonly string[]): { ok: true; options: BridgeOptions } | { ok: false; error: string } {
  const separator = argv.indexOf('--');
  if (separator < 0 || separator === argv.length - 1) return { ok: false, error: `a command to run is required after "--"; ${BRIDGE_USAGE}` };
  const flags = argv.slice(0, separator);
  let socketPath: string | null = null;
  let port: number | null = null;
  const forwards: BridgeForward[] = [];
  for (let i = 0; i < flags.length; i += 2) {
    const flag = flags[i];
    const value = flags[i + 1];
    if (value === undefined) return { ok: false, error: `${flag} needs a value; ${BRIDGE_USAGE}` };
    if (flag === '--socket') {
      if (!value.startsWith('/')) return { ok: false, error: `--socket ${JSON.stringify(value)} must be an absolute path.` };
      socketPath = value;
    } else if (flag === '--port') {
      const parsed = parsePort(value);
      if (parsed === null) return { ok: false, error: `--port ${JSON.stringify(value)} must be a number from 0 to 65535.` };
      port = parsed;
    } else if (flag === '--forward') {
      const forward = parseForward(value);
      if (!forward) return { ok: false, error: `--forward ${JSON.stringify(value)} must be a loopback endpoint such as 127.0.0.1:4010, [::1]:4010 or localhost:4010.` };
      if (forwards.some((f) => f.listenHost === forward.listenHost && f.port === forward.port)) return { ok: false, error: `--forward ${value} is given twice.` };
      forwards.push(forward);
    } else {
      return { ok: false, error: `unknown option ${JSON.stringify(flag)}; ${BRIDGE_USAGE}` };
    }
  }
  if (!socketPath) return { ok: false, error: `--socket is required; ${BRIDGE_USAGE}` };
  if (port === null) return { ok: false, error: `--port is required; ${BRIDGE_USAGE}` };
  if (port !== 0 && forwards.some((f) => f.listenHost === '127.0.0.1' && f.port === port)) return { ok: false, error: `--port ${port} is also a --forward port; pick another proxy port.` };
  const [command = '', ...args] = argv.slice(separator + 1);
  return { ok: true, options: { socketPath, port, forwards, command, args } };
}

function parseForward(text: string): BridgeForward | null {
  const match = /^(\[::1\]|localhost|[0-9.]+):([0-9]{1,5})$/.exec(text);
  if (!match) return null;
  const host = match[1] ?? '';
  const port = parsePort(match[2] ?? '');
  if (port === null || port < 1) return null;
  if (host === '[::1]') return { listenHost: '::1', port, target: text };
  if (host === 'localhost') return { listenHost: '127.0.0.1', port, target: text };
  if (!isIPv4(host) || !host.startsWith('127.')) return null;
  return { listenHost: host, port, target: text };
}

function parsePort(text: string): number | null {
  return /^[0-9]{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : null;
}
