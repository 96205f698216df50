#!/usr/bin/env node
// `node tools/demo/build-quietly.mjs PROJECT…`: builds the given Nx projects (and what they depend on) without
// asking anything and without printing the build log. It prints one line when it is done; when the build fails it
// prints the full log, so nothing is hidden when it matters. Used by `npm run demo` and `npm run dev-stack`.
//
// Nothing may prompt here: stdin is closed for Nx, the daemon, the terminal UI and Nx Cloud are off (nx.json also
// sets `analytics: false` and `neverConnectToCloud`), so the build behaves the same with a terminal and without.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const projects = process.argv.slice(2);
if (projects.length === 0) {
  process.stderr.write('usage: node tools/demo/build-quietly.mjs PROJECT…\n');
  process.exit(2);
}

const nx = join(root, 'node_modules', '.bin', 'nx');
const args = [nx, 'run-many', '-t', 'build', `--projects=${projects.join(',')}`, '--outputStyle=static'];
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };

const started = Date.now();
const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
const chunks = [];
child.stdout.on('data', (c) => chunks.push(c));
child.stderr.on('data', (c) => chunks.push(c));
child.on('error', (error) => {
  process.stderr.write(`build: could not start nx: ${error.message}\n`);
  process.exit(1);
});
child.on('close', (code, signal) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code === 0) {
    process.stdout.write(`built ${projects.join(', ')} and their dependencies (${seconds} s)\n`);
    // After the CLI is built, make sure `npx agentpr` works (npm could not link its binaries before they existed).
    if (projects.includes('agentpr')) {
      // A failure is reported but does not fail the build: the demo runs the built file directly.
      spawnSync(process.execPath, [join(root, 'tools', 'demo', 'link-bins.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    }
    return;
  }
  process.stderr.write(Buffer.concat(chunks).toString('utf8'));
  process.stderr.write(`\nbuild of ${projects.join(', ')} failed (${signal ?? `exit ${code}`}); the full log is above.\n`);
  process.exit(code || 1);
});
