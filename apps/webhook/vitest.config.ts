import { createVitestConfig } from '../../vitest.shared.js';

export default createVitestConfig(import.meta.dirname, { globalSetup: ['src/__tests__/build-bin.global-setup.ts'] });
