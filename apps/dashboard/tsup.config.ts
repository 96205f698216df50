import { defineConfig } from 'tsup';

// `dist/bin.js` is the standalone agentpr-dashboard. Workspace packages and small pure-JS dependencies (hono, d3) are
// bundled; native and CJS-heavy dependencies stay external, as in apps/cli. The browser assets (CSS, the live-update
// script) are modules in src/assets that export them as strings, so they travel inside the bundle.
export default defineConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: false,
  sourcemap: true,
  splitting: true,
  clean: true,
  noExternal: [/^@agentpr\//, 'kysely', 'valibot', 'hono', '@hono/node-server', /^d3-/, /^internmap$/],
  external: ['better-sqlite3', 'pg', 'execa', /^@octokit\//, 'playwright-core'],
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
    options.jsx = 'automatic';
    options.jsxImportSource = 'hono/jsx';
  },
  banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
});
