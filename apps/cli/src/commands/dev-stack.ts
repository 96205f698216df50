import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { int, str } from '../values.js';

/** The parts of the GitHub stand-in (tools/github-stub) dev-stack uses. */
interface GitHubStandIn {
  url: string;
  close(): Promise<void>;
}
type StartGitHubStub = (options: { token: string; port?: number; forks?: string; upstreams?: string; autoRepos?: boolean }) => Promise<GitHubStandIn>;

/** The parts of the model stub (tools/model-stub) dev-stack uses. */
interface ModelStubModule {
  startModelStub(options: { scenario: string; port?: number }): Promise<{ url: string; close(): Promise<void> }>;
  scenarioPath(name: string): string;
}

/**
 * Loads a development tool at run time from the source checkout's node_modules. The specifier is a variable so the
 * bundler leaves it out: the published `agentpr` package does not carry the stand-ins, and says so.
 */
async function loadTool<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new Error(
      `dev-stack needs ${specifier} from an agentpr source checkout (built): run \`npm ci && npm run dev-stack\` there ` +
        `(${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
}

/** The codex binary installed with the checkout (`@openai/codex`), if any. */
function checkoutCodex(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@openai/codex/package.json');
    const bin = join(dirname(pkg), '..', '..', '.bin', 'codex');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** A codex home whose config selects the model stub (the same settings the demo and the tests use). */
function writeCodexHome(dir: string, modelUrl: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const toml = [
    'model = "gpt-5.5"',
    'model_provider = "stub"',
    '',
    '[model_providers.stub]',
    'name = "agentpr scripted model stub"',
    `base_url = ${JSON.stringify(modelUrl)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.toml'), toml, { mode: 0o600 });
}

const shellQuote = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * `agentpr dev-stack`: starts the GitHub stand-in and the scripted model stub on 127.0.0.1, prints the environment
 * that points agentpr and codex at them (also written to `<data>/dev-stack/env.sh`), and serves until SIGINT or
 * SIGTERM. The stand-in reads pushed branch heads from the forks folder itself, so a push needs no extra call.
 */
export const command: CommandSpec = {
  name: 'dev-stack',
  summary: 'Start the local GitHub stand-in and model stub, print the environment to use, and serve until Ctrl-C.',
  example: 'agentpr dev-stack --forks ~/dev/fork --upstreams ~/dev/upstream --scenario implement-and-tests-pass',
  options: {
    forks: { type: 'string', value: 'DIR', description: 'forks laid out as DIR/<owner>/<repo>(.git): pushed branches are read from them' },
    upstreams: { type: 'string', value: 'DIR', description: 'upstreams laid out the same way (default: every repository exists, default branch main)' },
    scenario: { type: 'string', value: 'NAME|FILE', description: 'model-stub scenario (default implement-and-tests-pass)' },
    'github-port': { type: 'string', value: 'N', description: 'port of the GitHub stand-in (default: a free one)' },
    'model-port': { type: 'string', value: 'N', description: 'port of the model stub (default: a free one)' },
  },
  async run(ctx, values) {
    const forks = str(values, 'forks');
    const upstreams = str(values, 'upstreams');
    const scenario = str(values, 'scenario') ?? 'implement-and-tests-pass';
    const githubPort = int(values, 'github-port', { min: 0, default: 0 });
    const modelPort = int(values, 'model-port', { min: 0, default: 0 });
    const { startGitHubStub } = await loadTool<{ startGitHubStub: StartGitHubStub }>('@agentpr/github-stub');
    const models = await loadTool<ModelStubModule>('@agentpr/model-stub');

    const token = `dev-stack-${randomBytes(12).toString('hex')}`;
    const github = await startGitHubStub({
      token,
      ...(githubPort !== undefined ? { port: githubPort } : {}),
      ...(forks ? { forks: resolve(forks) } : {}),
      ...(upstreams ? { upstreams: resolve(upstreams) } : { autoRepos: true }),
    });
    const model = await models
      .startModelStub({ scenario: scenario.endsWith('.json') ? resolve(scenario) : models.scenarioPath(scenario), ...(modelPort !== undefined ? { port: modelPort } : {}) })
      .catch(async (error: unknown) => {
        await github.close();
        throw error;
      });
    try {
      const home = join(ctx.base.paths.dataDir, 'dev-stack');
      const codexHome = join(home, 'codex-home');
      writeCodexHome(codexHome, model.url);
      const codex = checkoutCodex();
      const env: Array<[string, string]> = [
        ['GITHUB_API_URL', github.url],
        ['GITHUB_TOKEN', token],
        ['AGENTPR_OFFLINE', '1'],
        ['CODEX_HOME', codexHome],
        ['OPENAI_API_KEY', 'local-stub'],
        ...(codex ? ([['AGENTPR_CODEX_BIN', codex]] as Array<[string, string]>) : []),
      ];
      const exports = env.map(([k, v]) => `export ${k}=${shellQuote(v)}`);
      const envFile = join(home, 'env.sh');
      writeFileSync(envFile, `${exports.join('\n')}\n`, { mode: 0o600 });
      chmodSync(envFile, 0o600);
      ctx.stdout.write(
        [
          `# GitHub stand-in: ${github.url}${forks ? ` (branch heads read from ${resolve(forks)})` : ''}`,
          `# model stub:      ${model.url} (scenario ${scenario})`,
          '# In another shell, run these (or `source ' + envFile + '`):',
          ...exports,
          '# dev-stack is up; Ctrl-C or SIGTERM stops it.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) done();
        else ctx.signal.addEventListener('abort', () => done(), { once: true });
      });
      return { output: { stopped: String(ctx.signal.reason ?? 'signal'), github_api_url: github.url, model_url: model.url, env_file: envFile }, text: 'dev-stack stopped' };
    } finally {
      await Promise.all([github.close(), model.close()]);
    }
  },
};
