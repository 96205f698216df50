import { describe, expect, it } from 'vitest';
import { parseBridgeArgs } from './parse-bridge-args.js';
import { proxyEnvironment } from './proxy-environment.js';

describe('parseBridgeArgs', () => {
  it('parseBridgeArgs reads socket, port, forwards and the command after --', () => {
    const parsed = parseBridgeArgs(['--socket', '/s/p.sock', '--port', '3128', '--forward', '127.0.0.1:4010', '--forward', 'localhost:4020', '--forward', '[::1]:4030', '--', 'codex', 'exec', '--json']);
    expect(parsed).toEqual({
      ok: true,
      options: {
        socketPath: '/s/p.sock',
        port: 3128,
        forwards: [
          { listenHost: '127.0.0.1', port: 4010, target: '127.0.0.1:4010' },
          { listenHost: '127.0.0.1', port: 4020, target: 'localhost:4020' },
          { listenHost: '::1', port: 4030, target: '[::1]:4030' },
        ],
        command: 'codex',
        args: ['exec', '--json'],
      },
    });
  });

  it.each([
    [['--socket', '/s', '--port', '1'], /command to run is required/],
    [['--socket', '/s', '--port', '1', '--'], /command to run is required/],
    [['--port', '1', '--', 'x'], /--socket is required/],
    [['--socket', 'rel.sock', '--port', '1', '--', 'x'], /absolute path/],
    [['--socket', '/s', '--', 'x'], /--port is required/],
    [['--socket', '/s', '--port', '70000', '--', 'x'], /0 to 65535/],
    [['--socket', '/s', '--port', '1', '--forward', '10.0.0.1:80', '--', 'x'], /loopback endpoint/],
    [['--socket', '/s', '--port', '1', '--forward', 'example.com:80', '--', 'x'], /loopback endpoint/],
    [['--socket', '/s', '--port', '1', '--forward', '127.0.0.1:4010', '--forward', '127.0.0.1:4010', '--', 'x'], /given twice/],
    [['--socket', '/s', '--port', '4010', '--forward', '127.0.0.1:4010', '--', 'x'], /also a --forward port/],
    [['--socket', '/s', '--port', '1', '--verbose', 'x', '--', 'x'], /unknown option "--verbose"/],
    [['--socket', '/s', '--port', '--', 'x'], /0 to 65535|needs a value/],
  ])('parseBridgeArgs(%j) refuses with one line', (argv, message) => {
    const parsed = parseBridgeArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('proxyEnvironment', () => {
  it('proxyEnvironment points every proxy variable at the bridge and keeps loopback direct', () => {
    const env = proxyEnvironment(3128);
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) expect(env[name]).toBe('http://127.0.0.1:3128');
    expect(env.NO_PROXY).toBe('localhost,127.0.0.1,::1');
    expect(env.no_proxy).toBe(env.NO_PROXY);
  });
});
