import { cpSync, readFileSync, rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

const main: Options = {
  entry: {
    agentpr: 'src/bin/agentpr.ts',
    // The service apps own their entry points; the npm package bundles them as its service binaries.
    'agentpr-webhook': '../webhook/src/bin.ts',
    'agentpr-bot': '../bot/src/bin.ts',
    'agentpr-manager': '../manager-loop/src/bin.ts',
    'agentpr-dashboard': '../dashboard/src/bin.ts',
    index: 'src/index.ts',
    // Runs inside the agent's sandbox in front of the agent: found next to the bundle by bridgeScriptPath().
    'egress-bridge': '../../packages/egress-proxy/src/bridge.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: false,
  minify: true,
  sourcemap: true,
  clean: true,
  noExternal: [/^@agentpr\//, 'kysely', 'valibot', 'hono', '@hono/node-server', /^d3-/, 'internmap'],
  external: ['better-sqlite3', 'pg', 'execa', 'node-telegram-bot-api', 'pino', 'pino-pretty', /^@octokit\//],
  define: { __AGENTPR_VERSION__: JSON.stringify(pkg.version) },
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
    // The dashboard's pages are hono/jsx components.
    options.jsx = 'automatic';
    options.jsxImportSource = 'hono/jsx';
  },
  // Shipped read-only assets travel inside the package: stage skills, the example campaign, example policy files.
  async onSuccess() {
    const assets = new URL('./assets/', import.meta.url);
    rmSync(assets, { recursive: true, force: true });
    for (const [from, to] of [
      ['../../skills', 'skills'],
      ['../../campaigns', 'campaigns'],
    ]) {
      cpSync(new URL(from, import.meta.url), new URL(to, assets), { recursive: true });
    }
  },
  banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
};

// One bundle per binary. Workspace packages and small pure-JS dependencies are bundled (fast start-up);
// native and large CJS dependencies stay external and are installed with the package.
export default defineConfig([
  main,
  // The webhook's delivery worker thread: a bundle of its own (no shared chunks, so the thread loads only what it
  // runs), next to the chunk of the webhook server that starts it.
  {
    entry: { 'delivery-worker': '../webhook/src/delivery-worker.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    dts: false,
    minify: true,
    sourcemap: true,
    clean: false,
    noExternal: main.noExternal,
    external: main.external,
    esbuildOptions: main.esbuildOptions,
    banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
  },
]);
