import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/runs/views.ts', 'src/errors.ts', 'src/context.ts', 'src/open-app-store.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
