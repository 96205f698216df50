import { createVitestConfig } from '../../vitest.shared.js';

export default createVitestConfig(import.meta.dirname);
