#!/usr/bin/env node
// Captures what the real Claude Code binary prints in print mode (`--output-format stream-json --verbose`) for each
// scenario of tools/anthropic-stub, run against that stub in a throwaway git repository copied from
// tools/model-stub/sample-project, with its own config directory and home. Run from the repository root after building
// the stub (`cd tools/anthropic-stub && npx tsup`):
//
//   node tools/scripts/capture-claude-streams.mjs --claude /path/to/claude [--scenario pass ...] [--out DIR]
//
// It writes <out>/<scenario>.jsonl (claude's stdout, byte for byte) and <out>/<scenario>.meta.json (how claude ended,
// its stderr, and what the stub answered), plus <out>/README.md. The default <out> is
// tools/fixtures/claude-<version>-captures. Each scenario's workspace is /tmp/agentpr-claude-capture/<scenario>/ws (made
// afresh, so the paths in the streams are the same on every machine); nothing outside that directory and
// /var/tmp/agentpr-claude-outside (the write-outside scenario's target, removed afterwards) is touched.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stubDist = join(root, 'tools', 'anthropic-stub', 'dist', 'index.js');
const sample = join(root, 'tools', 'model-stub', 'sample-project');
const WORK_ROOT = '/tmp/agentpr-claude-capture';
const OUTSIDE_DIR = '/var/tmp/agentpr-claude-outside';
const MODEL = 'claude-sonnet-4-5';
const PROMPT = 'Add titleCase(text) in src/title-case.js (capitalise the first letter of each word, lower-case the rest) with a test in '
  + 'test/title-case.test.js, then run npm test. End with "Status: PASS" or "Status: FAIL" and one line of summary.';

/** How long each scenario may run before the process group is killed (hang is meant to be killed). */
const TIMEOUT_MS = { hang: 20_000, default: 180_000 };

const { values } = parseArgs({
  options: {
    claude: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || !values.claude) {
  process.stderr.write('usage: node tools/scripts/capture-claude-streams.mjs --claude <path to claude> [--scenario NAME ...] [--out DIR]\n');
  process.exit(values.help ? 0 : 2);
}
if (!existsSync(stubDist)) {
  process.stderr.write(`${stubDist} is missing; build the stub first: cd tools/anthropic-stub && npx tsup\n`);
  process.exit(2);
}
const { startAnthropicStub, anthropicScenarioPath, ANTHROPIC_SCENARIO_NAMES } = await import(stubDist);
const claude = resolve(values.claude);
const version = execFileSync(claude, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim().split(/\s+/)[0];
const out = resolve(values.out ?? join(root, 'tools', 'fixtures', `claude-${version}-captures`));
const scenarios = values.scenario ?? [...ANTHROPIC_SCENARIO_NAMES];
mkdirSync(out, { recursive: true });

/** The claude argv for one scenario (the prompt on the command line; stdin is closed). */
function claudeArgs() {
  return [
    '-p', PROMPT,
    '--output-format', 'stream-json', '--verbose',
    '--model', MODEL,
    '--max-turns', '12',
    '--permission-mode', 'acceptEdits',
    '--allowedTools', 'Bash,Read',
    '--no-session-persistence',
  ];
}

/** A git repository with the sample project committed, plus a private home and config directory. */
function prepare(name) {
  const dir = join(WORK_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const ws = join(dir, 'ws');
  cpSync(sample, ws, { recursive: true });
  for (const sub of ['home', 'config']) mkdirSync(join(dir, sub), { recursive: true });
  const git = (...args) => execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'user.name=agentpr', '-c', 'user.email=agentpr@example.invalid', ...args], { cwd: ws, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'sample project');
  return { dir, ws, home: join(dir, 'home'), config: join(dir, 'config') };
}

/** The fixed part of claude's environment: a fake key, and every switch that keeps it offline and quick to give up. */
function captureEnv() {
  return {
    LANG: 'C.UTF-8',
    ANTHROPIC_API_KEY: 'sk-ant-capture-not-a-real-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '2',
    CLAUDE_CODE_OVERLOADED_RETRY_BASE_DELAY_MS: '100',
    CLAUDE_CODE_OVERLOADED_RETRY_MAX_DELAY_MS: '200',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
  };
}

/** Runs claude in the workspace until it exits or the timeout kills its process group. */
function runClaude(paths, stubUrl, timeoutMs) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: paths.home, CLAUDE_CONFIG_DIR: paths.config, ANTHROPIC_BASE_URL: stubUrl, ...captureEnv() };
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(claude, claudeArgs(), { cwd: paths.ws, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), code, signal, timedOut, ms: Date.now() - started });
    });
  });
}

const results = [];
for (const name of scenarios) {
  const paths = prepare(name);
  rmSync(OUTSIDE_DIR, { recursive: true, force: true });
  const stub = await startAnthropicStub({ scenario: anthropicScenarioPath(name), vars: { OUTSIDE_DIR } });
  const run = await runClaude(paths, stub.url, TIMEOUT_MS[name] ?? TIMEOUT_MS.default);
  await stub.close();
  writeFileSync(join(out, `${name}.jsonl`), run.stdout);
  const outside = existsSync(OUTSIDE_DIR);
  rmSync(OUTSIDE_DIR, { recursive: true, force: true });
  const meta = {
    scenario: name,
    claude_version: version,
    captured_at: new Date().toISOString(),
    workspace: paths.ws,
    argv: ['claude', ...claudeArgs()],
    agent_exit: run.code,
    signal: run.signal,
    timed_out: run.timedOut,
    duration_ms: run.ms,
    stderr: run.stderr,
    wrote_outside_dir: outside,
    stub_requests: stub.requests.map((r) => ({
      method: r.method,
      path: r.path,
      step: r.step,
      outcome: r.outcome,
      stream: r.stream,
      tool_results: r.toolResults.map((t) => ({ is_error: t.is_error, text: t.text.slice(0, 400) })),
    })),
  };
  writeFileSync(join(out, `${name}.meta.json`), `${JSON.stringify(meta, null, 2)}\n`);
  results.push(meta);
  process.stdout.write(`${name}: exit ${run.code ?? run.signal}${run.timedOut ? ' (killed by the timeout)' : ''}, ${run.stdout.toString().split('\n').filter(Boolean).length} lines, ${stub.requests.length} stub requests\n`);
}

writeReadme();

/** (Re)writes <out>/README.md from every <scenario>.meta.json there, so a partial re-capture keeps the table whole. */
function writeReadme() {
  const order = (name) => (ANTHROPIC_SCENARIO_NAMES.includes(name) ? ANTHROPIC_SCENARIO_NAMES.indexOf(name) : ANTHROPIC_SCENARIO_NAMES.length);
  const metas = readdirSync(out)
    .filter((f) => f.endsWith('.meta.json'))
    .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')))
    .sort((a, b) => order(a.scenario) - order(b.scenario) || a.scenario.localeCompare(b.scenario));
  const lines = (name) => readFileSync(join(out, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).length;
  const ended = (m) => (m.timed_out ? `killed by the capture timeout (${m.signal})` : `exit ${m.agent_exit}`);
  writeFileSync(join(out, 'README.md'), `# Claude Code ${version}: real stream-json captures

Real captures, not hand-written: what \`claude\` ${version} (the npm package \`@anthropic-ai/claude-code\`, its native
linux-x64 binary) printed on stdout, byte for byte, when run against the scripted Anthropic Messages stub
(\`tools/anthropic-stub\`, one scenario per file) in a fresh git repository holding \`tools/model-stub/sample-project\`,
by \`tools/scripts/capture-claude-streams.mjs\` (each \`.meta.json\` holds its capture date):

\`\`\`sh
node tools/scripts/capture-claude-streams.mjs --claude <install>/node_modules/.bin/claude
# per scenario, in /tmp/agentpr-claude-capture/<scenario>/ws, with HOME and CLAUDE_CONFIG_DIR of its own, stdin closed:
${['claude', ...claudeArgs()].map((a) => (/^[\w./=,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ')}
# env: ${Object.entries(captureEnv()).map(([k, v]) => `${k}=${v}`).join(' ')}
\`\`\`

\`<scenario>.jsonl\` is the stream; \`<scenario>.meta.json\` records how claude ended (\`agent_exit\`, \`signal\`,
\`timed_out\`), its stderr, whether a file appeared outside the workspace, and what the stub answered to each request.
Do not edit them: they are evidence of what Claude Code really prints.
\`packages/runtime-analysis/src/__tests__/claude-captures.test.ts\` judges them.

| scenario | how claude ended | lines | stub answers |
|---|---|---|---|
${metas.map((m) => `| \`${m.scenario}\` | ${ended(m)} | ${lines(m.scenario)} | ${m.stub_requests.map((r) => r.outcome).join(', ')} |`).join('\n')}
`);
}
