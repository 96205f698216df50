import { bridgeScriptPath } from './bridge-script-path.js';

/** Options of {@link bridgeCommand}. */
export interface BridgeCommandOptions {
  /** The proxy's socket path as seen inside the sandbox. */
  socketPath: string;
  /** Proxy listener port on the sandbox's 127.0.0.1 (any free port there; the sandbox has its own network). */
  port: number;
  /** Host-side loopback endpoints to serve inside the sandbox too, e.g. the model endpoint `127.0.0.1:4010`. */
  forward?: readonly string[];
  command: string;
  args?: readonly string[];
  /** The node binary; default this process's. */
  nodePath?: string;
  /** The bridge script; default {@link bridgeScriptPath}. */
  scriptPath?: string;
}

/** The default proxy port inside the sandbox. */
export const DEFAULT_BRIDGE_PORT = 3128;

/**
 * The argv that puts the bridge in front of a command, to place after bwrap's `--`. The bridge sets the proxy
 * variables (`proxyEnvironment(port)`) for the command itself.
 * @example
 * const { command, args } = bridgeCommand({
 *   socketPath: '/run/agentpr-egress/proxy.sock', port: 3128, forward: ['127.0.0.1:4010'], command: codex, args: codexArgs,
 * });
 * // bwrap ... --ro-bind <sockdir> /run/agentpr-egress -- <command> <args...>
 */
export function bridgeCommand(options: BridgeCommandOptions): { command: string; args: string[] } {
  return {
    command: options.nodePath ?? process.execPath,
    args: [
      options.scriptPath ?? bridgeScriptPath(),
      '--socket',
      options.socketPath,
      '--port',
      String(options.port),
      ...(options.forward ?? []).flatMap((endpoint) => ['--forward', endpoint]),
      '--',
      options.command,
      ...(options.args ?? []),
    ],
  };
}
