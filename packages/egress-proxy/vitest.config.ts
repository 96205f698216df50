import { createVitestConfig } from '../../vitest.shared.js';

// The bridge runs as its own program (also inside bwrap), so the tests need dist/bridge.js: built once, before any
// test file runs, so parallel files never see a half-written dist.
export default createVitestConfig(import.meta.dirname, { globalSetup: ['src/__tests__/global-setup.ts'] });
