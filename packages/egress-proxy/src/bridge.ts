// The egress bridge program (`node dist/bridge.js --socket <path> --port <n> [--forward h:p ...] -- <command> ...`).
// It runs inside the sandbox in front of the agent: it exposes the host's egress proxy (a unix socket bind-mounted
// into the sandbox) on the sandbox's own loopback, then runs the command with the proxy variables set, stdio
// inherited, signals forwarded, and exits with the command's status (128 + signal number when it was killed).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { parseBridgeArgs } from './parse-bridge-args.js';
import { proxyEnvironment } from './proxy-environment.js';
import { startBridge } from './start-bridge.js';

/** The bridge itself failed (bad arguments, a port in use): distinct from any status of the command. */
const BRIDGE_FAILED = 125;
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseBridgeArgs(argv);
  if (!parsed.ok) return fatal(parsed.error);
  const { options } = parsed;
  let bridge;
  try {
    bridge = await startBridge({ socketPath: options.socketPath, port: options.port, forwards: options.forwards });
  } catch (error) {
    return fatal(`cannot listen: ${(error as Error).message.split('\n')[0]}`);
  }
  const child = spawn(options.command, options.args, { stdio: 'inherit', env: { ...process.env, ...proxyEnvironment(bridge.port) } });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  child.once('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`agentpr egress bridge: cannot run ${options.command}: ${error.message.split('\n')[0]}\n`);
    process.exit(error.code === 'ENOENT' ? 127 : 126);
  });
  child.once('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
}

function fatal(message: string): void {
  process.stderr.write(`agentpr egress bridge: ${message}\n`);
  process.exit(BRIDGE_FAILED);
}

void main(process.argv.slice(2));
