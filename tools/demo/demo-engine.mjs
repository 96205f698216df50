// The demo's agent engine: codex (default) against tools/model-stub, or Claude Code against tools/anthropic-stub.
// Each starts its local model stub and returns the environment that points the REAL engine binary at it, the flags
// agent steps take, and what the demo says about it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The engines the demo can drive. */
export const DEMO_ENGINES = ['codex', 'claude'];

/**
 * Reads `--engine NAME` (or `--engine=NAME`) from the demo's arguments; default codex. A bad value or an unknown
 * argument is a usage error: `{ error }` with one line.
 */
export function parseDemoArgs(argv) {
  let engine = 'codex';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg !== '--engine' && !arg.startsWith('--engine=')) return { error: `demo: unknown argument ${JSON.stringify(arg)}; usage: npm run demo [-- --engine codex|claude]` };
    const value = arg === '--engine' ? (argv[++i] ?? '') : arg.slice('--engine='.length);
    if (!DEMO_ENGINES.includes(value)) return { error: `demo: --engine must be codex or claude, got ${JSON.stringify(value)}` };
    engine = value;
  }
  return { engine };
}

/** The platform package holding Claude Code's native binary, e.g. `@anthropic-ai/claude-code-linux-x64`. */
function claudePlatformPackage() {
  const report = process.platform === 'linux' ? process.report?.getReport() : undefined;
  const musl = report !== undefined && report.header?.glibcVersionRuntime === undefined;
  return `@anthropic-ai/claude-code-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
}

/**
 * The pinned claude binary `npm ci` installed (the root devDependency's native platform binary: the wrapper's
 * `bin/claude.exe` is a placeholder until its postinstall runs), or null when it is not installed.
 */
export function claudeBinary(root) {
  try {
    const bin = join(dirname(createRequire(join(root, 'package.json')).resolve(`${claudePlatformPackage()}/package.json`)), 'claude');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

async function startCodex(root, demo) {
  const { startModelStub } = await import(join(root, 'tools', 'model-stub', 'dist', 'index.js'));
  const stub = await startModelStub({ scenario: join(root, 'tools', 'model-stub', 'scenarios', 'implement-and-tests-pass.json') });
  const codexHome = join(demo, 'codex-home');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'model = "gpt-5.5"',
      'model_provider = "stub"',
      '',
      '[model_providers.stub]',
      'name = "agentpr scripted model stub"',
      `base_url = ${JSON.stringify(stub.url)}`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
  return {
    name: 'codex',
    env: { CODEX_HOME: codexHome, OPENAI_API_KEY: 'local-stub', AGENTPR_CODEX_BIN: join(root, 'node_modules', '.bin', 'codex') },
    stepFlags: ['--codex-sandbox', 'workspace-write'],
    about: 'The model is a LOCAL STUB (tools/model-stub) replaying a scripted session; codex itself is the real binary.',
    realModel: [
      'To use a real model instead of the stub: install codex (npm i -g @openai/codex), log in or set',
      'OPENAI_API_KEY/CODEX_API_KEY, leave CODEX_HOME at ~/.codex (or point it at your config), and run the',
      'same commands without --upstream-url/--fork-url against a GitHub repository and your fork.',
    ],
    close: () => stub.close(),
  };
}

async function startClaude(root, demo) {
  const bin = claudeBinary(root);
  if (!bin) throw new Error(`demo: the claude binary is not installed (${claudePlatformPackage()}); run npm ci, or npm i -g @anthropic-ai/claude-code@2.1.332 and set AGENTPR_CLAUDE_BIN`);
  // The stub is not part of the CLI's build graph: build it here (cached by Nx, one line, the log only on failure).
  const built = spawnSync(process.execPath, [join(root, 'tools', 'demo', 'build-quietly.mjs'), '@agentpr/anthropic-stub'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) throw new Error('demo: building the anthropic stub failed (see above)');
  const { startAnthropicStub } = await import(join(root, 'tools', 'anthropic-stub', 'dist', 'index.js'));
  const stub = await startAnthropicStub({ scenario: join(root, 'tools', 'anthropic-stub', 'scenarios', 'pass.json') });
  // An empty Claude config dir of the demo's own: each attempt's CLAUDE_CONFIG_DIR is made from it, never from ~/.claude.
  const claudeHome = join(demo, 'claude-home');
  mkdirSync(claudeHome, { recursive: true, mode: 0o700 });
  return {
    name: 'claude',
    env: { ANTHROPIC_BASE_URL: stub.url, ANTHROPIC_API_KEY: 'local-stub', AGENTPR_CLAUDE_BIN: bin, CLAUDE_CONFIG_DIR: claudeHome },
    stepFlags: ['--engine', 'claude'],
    about: 'The model is a LOCAL STUB (tools/anthropic-stub) replaying a scripted session; Claude Code (claude) itself is the real binary.',
    realModel: [
      'To use a real model instead of the stub: install Claude Code (npm i -g @anthropic-ai/claude-code@2.1.332), set',
      'ANTHROPIC_API_KEY (a dedicated key with a spending limit; it is the only credential the agent gets), leave',
      'ANTHROPIC_BASE_URL unset, choose claude in the policy (run_agent_step.engine, or per repository) or pass',
      '--engine claude, and run the same commands without --upstream-url/--fork-url against a GitHub repository and your fork.',
    ],
    close: () => stub.close(),
  };
}

/** Starts the model stub of `engine` and returns the demo's view of that engine. */
export function startDemoEngine(engine, root, demo) {
  return engine === 'claude' ? startClaude(root, demo) : startCodex(root, demo);
}
