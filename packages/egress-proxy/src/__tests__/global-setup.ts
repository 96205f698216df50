import { buildDist } from './fixtures.js';

/** vitest global setup: builds dist/index.js and dist/bridge.js once for every test file. */
export default async function setup(): Promise<void> {
  await buildDist();
}
