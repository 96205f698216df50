import { defineConfig } from 'tsup';

// `dist/bin.js` is the standalone agentpr-bot (the npm `agentpr` package bundles the same source as its
// `agentpr-bot`). Workspace packages and small pure-JS dependencies are bundled; native and CJS-heavy
// dependencies stay external, as in apps/cli.
export default defineConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: false,
  sourcemap: true,
  clean: true,
  noExternal: [/^@agentpr\//, 'kysely', 'valibot'],
  external: ['better-sqlite3', 'pg', 'execa', 'node-telegram-bot-api', 'pino', 'pino-pretty', /^@octokit\//],
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
  },
  banner: { js: "import { createRequire as __agentprCreateRequire } from 'node:module'; const require = __agentprCreateRequire(import.meta.url);" },
});
