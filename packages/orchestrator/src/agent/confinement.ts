import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkIsolation, type CheckIsolationResult, type EgressBridge, type IsolationLevel } from '@agentpr/codex-runner';
import { bridgeCommand, bridgeScriptPath, classifyAddress, DEFAULT_BRIDGE_PORT, EgressProxyError, startEgressProxy, type EgressDenial } from '@agentpr/egress-proxy';
import type { NetworkMode } from '@agentpr/policy';
import { AgentprError } from '../errors.js';

/** The confinement an agent step runs under, after the doctor's check. */
export interface Confinement {
  isolation: IsolationLevel;
  /** The network mode that is enforced: under isolation none nothing is, so it reads `unconfined`. */
  network: NetworkMode | 'unconfined';
  bwrapPath: string | null;
  /** Loud lines for stderr, the output and the report (isolation none, unenforceable network modes). */
  warnings: string[];
}

/** The warning printed on every step an operator runs without isolation. */
export const ISOLATION_NONE_WARNING =
  'WARNING: isolation none: the agent runs unconfined with your user\'s rights: it can read every file you can (SSH keys, tokens, the agentpr database), reach every network address, and signal your processes. Use it only for agents and repositories you trust.';

/**
 * Decides and checks the step's confinement. bubblewrap must be usable when it is asked for (the default): if the
 * doctor's probe fails, the step is refused with one line that names the fix and the explicit way out
 * (`--isolation none`). Never falls back silently. `check` is the agent port's isolation check (default: the real one).
 */
export async function resolveConfinement(
  env: Readonly<Record<string, string | undefined>>,
  isolation: IsolationLevel,
  network: NetworkMode,
  check: (level: IsolationLevel, env: Readonly<Record<string, string | undefined>>) => Promise<CheckIsolationResult> = checkIsolation,
): Promise<Confinement> {
  if (isolation === 'none') {
    return { isolation, network: 'unconfined', bwrapPath: null, warnings: [ISOLATION_NONE_WARNING, ...(network !== 'on' ? [`network ${network} is not enforced under isolation none`] : [])] };
  }
  const checked = await check(isolation, env);
  if (!checked.ok) {
    throw new AgentprError('config', `agent steps run in a bubblewrap sandbox, but ${checked.reason} Fix: ${checked.hint.replace(/,? or use --isolation none\.?$/, '')}. To run the agent unconfined instead (not recommended), pass --isolation none or set run_agent_step.isolation: "none" in the policy.`);
  }
  return { isolation, network, bwrapPath: checked.bwrapPath, warnings: [] };
}

/** A model endpoint the engine will call, as an allowlist rule plus an in-sandbox forward when it is a loopback address. */
export interface ModelEndpoint {
  rule: string;
  /** `host:port` the bridge also listens on inside the sandbox (loopback endpoints only). */
  forward: string | null;
  url: string;
}

/**
 * The allowlist rules of the engine's model endpoint URLs (`AgentEngine.modelUrls`: codex's provider `base_url` and
 * `OPENAI_BASE_URL`, Claude's `ANTHROPIC_BASE_URL`). These are always allowed in allowlist mode, since the agent must
 * reach its model; a URL that does not parse is skipped.
 * @example modelEndpoints(['http://127.0.0.1:4010']) // [{ rule: '127.0.0.1:4010', forward: '127.0.0.1:4010', url: 'http://127.0.0.1:4010' }]
 */
export function modelEndpoints(urls: readonly string[]): ModelEndpoint[] {
  const endpoints: ModelEndpoint[] = [];
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    const literal = host.includes(':') ? `[${host}]` : host;
    const local = host === 'localhost' || ['loopback', 'private', 'link_local'].includes(classifyAddress(host) as string);
    endpoints.push({ rule: local || url.port ? `${literal}:${port}` : host, forward: local ? `${literal}:${port}` : null, url: raw });
  }
  return endpoints;
}

/** A running egress proxy for one attempt: the bridge to put in the sandbox, and the denials to judge afterwards. */
export interface AttemptEgress {
  bridge: EgressBridge;
  /** The bridge script's directory, to be made visible read-only in the sandbox. */
  readOnlyPaths: string[];
  rules: string[];
  denials(): EgressDenial[];
  deniedCount(): number;
  close(): Promise<void>;
}

/**
 * Starts agentpr's egress proxy for one attempt on a unix socket in a fresh private directory (short path: unix
 * sockets are limited to about 100 bytes), allowing the policy's hosts plus the model endpoints. The bridge runs in
 * front of the agent inside the sandbox and exposes the proxy on the sandbox's own loopback.
 */
export async function startAttemptEgress(allowlist: readonly string[], endpoints: readonly ModelEndpoint[]): Promise<AttemptEgress> {
  const dir = mkdtempSync(join(tmpdir(), 'agentpr-egress-'));
  const socketPath = join(dir, 'proxy.sock');
  const rules = [...new Set([...allowlist, ...endpoints.map((e) => e.rule)])];
  let proxy: Awaited<ReturnType<typeof startEgressProxy>>;
  try {
    proxy = await startEgressProxy({ socketPath, rules });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof EgressProxyError && error.code === 'invalid_rule') throw new AgentprError('config', `run_agent_step.network_allowlist: ${error.message}`);
    throw error;
  }
  const forward = [...new Set(endpoints.map((e) => e.forward).filter((f): f is string => f !== null))];
  const socat = socatBridge(socketPath, forward);
  let wrapper: string[];
  let readOnlyPaths: string[] = [];
  if (socat) wrapper = socat;
  else {
    const script = bridgeScriptPath();
    const wrapped = bridgeCommand({ socketPath, port: DEFAULT_BRIDGE_PORT, forward, command: '--', scriptPath: script });
    wrapper = [wrapped.command, ...wrapped.args.slice(0, wrapped.args.indexOf('--') + 1)];
    readOnlyPaths = [dirname(script)];
  }
  return {
    bridge: { socketDir: dir, wrapper },
    readOnlyPaths,
    rules,
    denials: () => proxy.denials(),
    deniedCount: () => proxy.stats().denied,
    async close() {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** socat in the sandbox's read-only system dirs, if installed. */
const SOCAT_PATHS = ['/usr/bin/socat', '/bin/socat'];
/** How long the bridge waits for its listeners before it starts the agent anyway, and how often it looks. */
const BRIDGE_READY_WAIT_MS = 1000;
const BRIDGE_READY_POLL_MS = 5;

/**
 * The bridge as a shell running socat listeners, when socat is installed: it starts in milliseconds where a Node
 * bridge needs ~150 ms. The proxy port forwards to the unix socket; each loopback model endpoint is tunnelled with
 * CONNECT through it. The shell waits (up to ~1 s) until the listeners are up, then execs the agent. Null when socat
 * is missing or an endpoint is IPv6 (the Node bridge handles those).
 */
export function socatBridge(
  socketPath: string,
  forward: readonly string[],
  socat: string | null = SOCAT_PATHS.find((p) => existsSync(p)) ?? null,
): string[] | null {
  if (!socat) return null;
  const listeners: Array<{ port: number; command: string }> = [{ port: DEFAULT_BRIDGE_PORT, command: `${socat} TCP-LISTEN:${DEFAULT_BRIDGE_PORT},bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:${socketPath}` }];
  for (const endpoint of forward) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}|localhost):(\d{1,5})$/.exec(endpoint);
    if (!m) return null;
    const host = m[1] === 'localhost' ? '127.0.0.1' : m[1]!;
    const port = Number(m[2]);
    if (port === DEFAULT_BRIDGE_PORT) return null;
    listeners.push({ port, command: `${socat} TCP-LISTEN:${port},bind=${host},reuseaddr,fork PROXY:127.0.0.1:${host}:${port},proxyport=${DEFAULT_BRIDGE_PORT}` });
  }
  if (/[^A-Za-z0-9_./:-]/.test(socketPath)) return null;
  // A listening socket shows in /proc/net/tcp as `:<PORT in hex> 00000000:0000 0A`.
  const ready = listeners.map((l) => `grep -q ':${l.port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A' /proc/net/tcp`).join(' && ');
  const wait = `i=0; until ${ready}; do i=$((i+1)); [ $i -gt ${BRIDGE_READY_WAIT_MS / BRIDGE_READY_POLL_MS} ] && break; sleep ${BRIDGE_READY_POLL_MS / 1000}; done`;
  const script = [...listeners.map((l) => `${l.command} &`), wait, 'exec "$@"'].join('\n');
  return ['/bin/sh', '-c', script, 'agentpr-egress'];
}
