import { defineConfig, type Options } from 'tsup';

// `dist/bin.js` is the standalone agentpr-webhook. Workspace packages and small pure-JS dependencies are bundled;
// native and CJS-heavy dependencies stay external, as in apps/cli.
const common: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: false,
  sourcemap: true,
  noExternal: [/^@agentpr\//, 'kysely', 'valibot'],
  external: ['better-sqlite3', 'pg', 'execa', /^@octokit\//],
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
  },
  banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
};

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts', bin: 'src/bin.ts' }, splitting: true, clean: true },
  // The delivery worker is a bundle of its own (no chunks shared with the server): a thread loads only what it runs.
  // The server starts it from the file next to its own chunk.
  { ...common, entry: { 'delivery-worker': 'src/delivery-worker.ts' }, splitting: false, clean: false },
]);
