#!/usr/bin/env node
// A scripted stand-in for `codex exec --json` (codex-cli 0.169.0), for tests and benchmarks that need many fast agent
// steps and no model: it reads the prompt on stdin, appends one numbered line to src/scripted-change.js in the
// workspace (so a later round builds on what an earlier one pushed), and prints a codex 0.169 JSONL stream with that
// file change, an `npm test` command reported as passing (canned output: the tests are NOT run, for speed) and a
// final `Status: PASS` message, which it also writes to --output-last-message.
// Mode: SCRIPTED_CODEX_MODE=pass|hang|fail in its environment (pass it through the policy's env_passthrough) or a
// line `scripted-codex: hang` in the prompt. hang prints a started command and then waits until killed; fail reports
// `npm test` failing with exit 1 and `Status: FAIL`.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const VERSION = 'codex-cli 0.169.0';
const HELP = `Run Codex non-interactively

Usage: codex exec [OPTIONS] [PROMPT]

Options:
  -m, --model <MODEL>                    Model the agent should use
  -s, --sandbox <SANDBOX_MODE>           [possible values: read-only, workspace-write, danger-full-access]
  -C, --cd <DIR>                         Tell the agent to use the specified directory as its working root
      --json                             Print events to stdout as JSONL
  -o, --output-last-message <FILE>       Specifies file where the last message from the agent should be written
  -h, --help                             Print help
`;

const args = process.argv.slice(2);
if (args[0] === '--version' || args[0] === '-V') {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}
if (args[0] !== 'exec') {
  process.stderr.write('scripted codex: only `exec` and `--version` are scripted\n');
  process.exit(2);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}

/** The value after `name` (or its short alias), or undefined. */
function option(...names) {
  const i = args.findIndex((a) => names.includes(a));
  return i >= 0 ? args[i + 1] : undefined;
}

const workdir = resolve(option('-C', '--cd') ?? process.cwd());
const lastMessagePath = option('-o', '--output-last-message');
if (!args.includes('--json')) {
  process.stderr.write('scripted codex: pass --json (only the JSONL stream is scripted)\n');
  process.exit(2);
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const prompt = Buffer.concat(chunks).toString('utf8');
const fromPrompt = /^scripted-codex:\s*(pass|hang|fail)\s*$/m.exec(prompt)?.[1];
const mode = process.env.SCRIPTED_CODEX_MODE || fromPrompt || 'pass';

let item = 0;
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const itemId = () => `item_${item++}`;

emit({ type: 'thread.started', thread_id: `scripted-${process.pid}-${Date.now()}` });
emit({ type: 'turn.started' });

if (mode === 'hang') {
  const id = itemId();
  emit({ type: 'item.started', item: { id, type: 'command_execution', command: "/bin/bash -c 'npm test'", aggregated_output: '', exit_code: null, status: 'in_progress' } });
  // Waits until agentpr's watchdog (or a SIGKILL of the whole tree) ends it.
  setInterval(() => {}, 60_000);
} else {
  const file = join(workdir, 'src', 'scripted-change.js');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const round = before.split('\n').filter((line) => line.startsWith('export const scriptedChange')).length + 1;
  mkdirSync(join(workdir, 'src'), { recursive: true });
  appendFileSync(file, `export const scriptedChange${round} = ${round};\n`);
  const change = { id: itemId(), type: 'file_change', changes: [{ path: file, kind: before ? 'update' : 'add' }] };
  emit({ type: 'item.started', item: { ...change, status: 'in_progress' } });
  emit({ type: 'item.completed', item: { ...change, status: 'completed' } });
  const passed = mode !== 'fail';
  const test = { id: itemId(), type: 'command_execution', command: "/bin/bash -c 'npm test'" };
  emit({ type: 'item.started', item: { ...test, aggregated_output: '', exit_code: null, status: 'in_progress' } });
  const output = passed ? '# tests 1\n# pass 1\n# fail 0\n' : '# tests 1\n# pass 0\n# fail 1\n';
  emit({ type: 'item.completed', item: { ...test, aggregated_output: output, exit_code: passed ? 0 : 1, status: passed ? 'completed' : 'failed' } });
  const text = passed
    ? `Status: PASS\nAppended scriptedChange${round} to src/scripted-change.js.\nFiles changed: src/scripted-change.js\nTests: npm test passed.`
    : `Status: FAIL\nAppended scriptedChange${round} to src/scripted-change.js, but npm test failed.`;
  emit({ type: 'item.completed', item: { id: itemId(), type: 'agent_message', text } });
  if (lastMessagePath) writeFileSync(lastMessagePath, text);
  emit({ type: 'turn.completed', usage: { input_tokens: 200, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 40, reasoning_output_tokens: 0 } });
}
