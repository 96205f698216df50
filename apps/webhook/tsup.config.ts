import { defineConfig } from 'tsup';

// `dist/bin.js` is the standalone agentpr-webhook. Workspace packages and small pure-JS dependencies are bundled;
// native and CJS-heavy dependencies stay external, as in apps/cli.
export default defineConfig({
  // The delivery worker is its own entry: the server starts it as a thread from the file next to its chunk.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'delivery-worker': 'src/delivery-worker.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: false,
  sourcemap: true,
  clean: true,
  noExternal: [/^@agentpr\//, 'kysely', 'valibot'],
  external: ['better-sqlite3', 'pg', 'execa', /^@octokit\//],
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
  },
  banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
});
