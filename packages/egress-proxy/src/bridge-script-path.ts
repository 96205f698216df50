import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EgressProxyError } from './errors.js';

/**
 * The absolute path of the built bridge program, to run as `node <path> ...` inside the sandbox. Looks next to this
 * module (`egress-bridge.js` for an app that bundles this package and emits the bridge under that name, else
 * `bridge.js` in this package's dist), then in `dist/` when running from source. Throws `bridge_missing` when it is
 * not built.
 */
export function bridgeScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'egress-bridge.js'), join(here, 'bridge.js'), join(here, '..', 'dist', 'bridge.js')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new EgressProxyError('bridge_missing', `the egress bridge is not built (looked for ${candidates.join(', ')}); build it with: npx nx run @agentpr/egress-proxy:build`);
}
