#!/usr/bin/env node
// `npm test`: builds and tests every project with Nx, then prints the summed `N passed, N failed` line.
// Nx stops at the first failing project unless told otherwise, so --nxBail=false keeps every project's result.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('.reports/vitest', { recursive: true, force: true });
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', '--nxBail=false', ...process.argv.slice(2)], { stdio: 'inherit', env });
const summary = spawnSync(process.execPath, ['tools/scripts/test-summary.mjs'], { stdio: 'inherit' });
process.exit(nx.status !== 0 || summary.status !== 0 ? 1 : 0);
