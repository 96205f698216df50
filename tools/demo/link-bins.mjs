#!/usr/bin/env node
// Links the `agentpr` binaries into node_modules/.bin once the CLI is built. npm links a workspace package's bins
// at install time only when their files exist, and apps/cli/dist is made by the build, so after `npm ci` on a fresh
// clone there is no `agentpr` in node_modules/.bin. Run after a build (`npm run build` and `npm run demo` do): it
// asks npm to relink the workspace package `agentpr` (no scripts, no network) when a binary is missing, else
// does nothing. Then `npx agentpr …` works, and `agentpr …` with node_modules/.bin on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'apps', 'cli');
const { bin } = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8'));
const built = Object.values(bin).every((file) => existsSync(join(cli, file)));
const linked = Object.keys(bin).every((name) => existsSync(join(root, 'node_modules', '.bin', name)));
if (!built) {
  process.stderr.write('link-bins: apps/cli is not built yet; run `npm run build` first\n');
  process.exit(1);
}
if (!linked) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['rebuild', 'agentpr', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}link-bins: npm rebuild agentpr failed; run node apps/cli/dist/agentpr.js instead\n`);
    process.exit(1);
  }
  process.stdout.write(`linked ${Object.keys(bin).join(', ')} into node_modules/.bin (npx agentpr --help)\n`);
}
