import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // ajv stays a dependency at run time; the OpenAPI subset is read from ../openapi next to dist.
  external: ['ajv'],
});
