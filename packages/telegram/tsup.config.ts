import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // The one rotating JSONL writer is bundled (logging is side-effect free, so pino is not pulled in).
  noExternal: ['@agentpr/logging'],
  esbuildOptions(options) {
    options.conditions = ['@agentpr/source'];
  },
});
