import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** Builds `dist/bin.js` once for the test files that spawn the real binary (kill -9, flood), so they never race on `tsup --clean`. */
export default async function buildBin(): Promise<void> {
  // Test files that do not spawn the binary may skip the build (while a sibling package is mid-change).
  if (process.env.AGENTPR_WEBHOOK_SKIP_BUILD === '1') return;
  const appDir = fileURLToPath(new URL('../..', import.meta.url));
  await execa('npx', ['tsup'], { cwd: appDir, stdin: 'ignore', timeout: 180_000 });
}
