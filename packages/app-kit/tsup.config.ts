import { defineConfig } from 'tsup';

export default defineConfig({
  // client-address: a subpath of its own (it loads node:net, ~10 ms of start-up the CLI does not need).
  entry: ['src/index.ts', 'src/client-address.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
});
