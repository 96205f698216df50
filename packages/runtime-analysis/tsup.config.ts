import { defineConfig } from 'tsup';

export default defineConfig({
  // format-duration: a subpath of its own, so an app that formats durations does not load the whole analyser.
  entry: ['src/index.ts', 'src/format-duration.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
