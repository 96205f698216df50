import { defineConfig } from 'tsup';

export default defineConfig({
  // Named entries put every subpath export at the top of dist/, where package.json's exports point.
  entry: { index: 'src/index.ts', views: 'src/runs/views.ts', errors: 'src/errors.ts', context: 'src/context.ts', 'open-app-store': 'src/open-app-store.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
