import { defineConfig } from 'tsup';

// Two entries: the library, and the bridge program that runs inside the sandbox. No code splitting, so
// `dist/bridge.js` is one self-contained file that needs only `node`.
export default defineConfig({
  entry: ['src/index.ts', 'src/bridge.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: 'src/index.ts' },
  splitting: false,
  sourcemap: true,
  clean: true,
});
