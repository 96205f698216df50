#!/usr/bin/env node
// `npm run demo:check`: the README's first command must finish on a machine where nobody can answer a question.
// Runs `npm run demo` twice with stdin closed: once without a terminal (pipes, as in CI) and once under a pseudo
// terminal from `script(1)` (as an operator's shell, but with no input). A prompt from npm, Nx, a git hook or
// anything else would block on the closed stdin and hit the deadline; each run must exit 0 and print the demo's
// final "Done." line. Exits 0 when both pass, 1 otherwise, and says which mode failed with the output's tail.
// Arguments go to the demo: `npm run demo:check -- --engine claude` checks `npm run demo -- --engine claude`.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const deadlineMs = Number(process.env.DEMO_CHECK_TIMEOUT_MS || 15 * 60_000);
const demoArgs = process.argv.slice(2);
// A shell word for script(1)'s command line; the demo's own arguments are plain flags, but quote them anyway.
const shellWord = (s) => (/^[\w.=-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
const demoCommand = ['npm', 'run', 'demo', ...(demoArgs.length > 0 ? ['--', ...demoArgs] : [])];

/** Runs argv with stdin closed; resolves with the exit status, the combined output and whether the deadline hit. */
function runClosed(argv) {
  return new Promise((done) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, deadlineMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({ status, signal, output, timedOut: signal === 'SIGKILL' });
    });
  });
}

const modes = [{ name: 'no terminal, stdin closed', argv: demoCommand }];
if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0) {
  // util-linux script: -q quiet, -e return the child's status, -c the command; the typescript goes to /dev/null.
  // The demo sees a terminal on stdin/stdout, and nothing is ever typed into it (script's own stdin is closed).
  modes.push({ name: 'terminal from script(1), stdin closed', argv: ['script', '-qec', demoCommand.map(shellWord).join(' '), '/dev/null'] });
} else {
  console.log('skip: script(1) (util-linux) is not installed, so the terminal mode is not checked');
}

let failed = 0;
for (const mode of modes) {
  const started = Date.now();
  const r = await runClosed(mode.argv);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const done = /^Done\./m.test(r.output.replace(/\x1b\[[0-9;]*m/g, ''));
  if (r.status === 0 && done) {
    console.log(`ok    ${mode.name} (${seconds} s)`);
    continue;
  }
  failed++;
  const why = r.timedOut ? `still running after ${deadlineMs / 1000} s (waiting for input?)` : r.status !== 0 ? `exit ${r.status ?? r.signal}` : 'no "Done." line';
  console.log(`FAIL  ${mode.name}: ${why}\n${r.output.split('\n').slice(-30).join('\n')}`);
}
process.exit(failed === 0 ? 0 : 1);
