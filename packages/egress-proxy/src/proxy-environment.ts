/** Loopback stays inside the sandbox: an agent's own test server on 127.0.0.1 must not be sent to the host proxy. */
export const SANDBOX_NO_PROXY = 'localhost,127.0.0.1,::1';

/**
 * The proxy variables for a process inside the sandbox whose bridge listens on `127.0.0.1:<port>`: `HTTP_PROXY`,
 * `HTTPS_PROXY`, `ALL_PROXY` and their lower-case forms, `NO_PROXY`/`no_proxy` = loopback (so in-sandbox servers
 * stay reachable directly; reach a host-side loopback endpoint with the bridge's `--forward`), and
 * `NODE_USE_ENV_PROXY=1` (Node 24+ `fetch` honours the variables only with it). The bridge sets these itself.
 * @example proxyEnvironment(3128).HTTPS_PROXY // 'http://127.0.0.1:3128'
 */
export function proxyEnvironment(port: number): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    ALL_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    all_proxy: url,
    NO_PROXY: SANDBOX_NO_PROXY,
    no_proxy: SANDBOX_NO_PROXY,
    NODE_USE_ENV_PROXY: '1',
  };
}
