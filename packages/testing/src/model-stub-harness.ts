import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { sampleProjectDir, startModelStub, type RunningModelStub, type Scenario } from '@agentpr/model-stub';
import { createCodexHome, type CodexHomeOptions } from './codex-home.js';
import { git } from './git-repos.js';
import { tempDir } from './temp-dir.js';

/** Options of {@link withCodexSandbox}. */
export interface CodexSandboxOptions {
  /** A shipped scenario file path (`scenarioPath(name)`), a scenario file path, or a scenario object. */
  scenario: string | Scenario;
  /** Values for the scenario's `{{NAME}}` placeholders. */
  vars?: Record<string, string>;
  /** Model slug; default the scenario's `model`, else `gpt-5.5`. */
  model?: string;
  /** More config.toml options. */
  config?: Omit<CodexHomeOptions, 'baseUrl' | 'model'>;
}

/** A running model stub plus a codex home that uses it. */
export interface CodexSandbox {
  /** `CODEX_HOME` for codex (outside `env.TMPDIR`). */
  codexHome: string;
  /**
   * Variables to add to the parent environment of the agent: `CODEX_HOME`, the provider key (e.g. `OPENAI_API_KEY`), and
   * a `TMPDIR` that does not contain the codex home (only used when the caller runs codex without agentpr's runtime env).
   */
  env: Record<string, string>;
  /** The stub's base URL (ends in `/v1`). */
  stubUrl: string;
  stub: RunningModelStub;
  model: string;
  /** The provider key variable name (its value is a dummy). */
  envKey: string;
  /** Stops the stub. Temp dirs go with `cleanupTempDirs`. */
  close(): Promise<void>;
}

/**
 * Starts the scripted model stub for a scenario and makes a throwaway codex home whose config.toml selects it as a
 * custom provider (`wire_api = "responses"`, no retries). For tests of run-agent-step, the manager and the demo.
 * @example
 * const sandbox = await withCodexSandbox({ scenario: scenarioPath('implement-and-tests-pass') });
 * try { ...run codex with { ...process.env, ...sandbox.env }... } finally { await sandbox.close(); }
 */
export async function withCodexSandbox(options: CodexSandboxOptions): Promise<CodexSandbox> {
  const stub = await startModelStub({ scenario: options.scenario, ...(options.vars ? { vars: options.vars } : {}) });
  try {
    const model = options.model ?? stub.scenario.model ?? 'gpt-5.5';
    const home = createCodexHome({ ...(options.config ?? {}), baseUrl: stub.url, model });
    const tmp = tempDir('agentpr-codex-tmp-');
    return {
      codexHome: home.codexHome,
      env: { CODEX_HOME: home.codexHome, [home.envKey]: home.envValue, TMPDIR: tmp },
      stubUrl: stub.url,
      stub,
      model,
      envKey: home.envKey,
      close: () => stub.close(),
    };
  } catch (error) {
    await stub.close();
    throw error;
  }
}

/** A git workspace holding a copy of the bundled sample project, and optionally a bare `origin` it can push to. */
export interface SampleWorkspace {
  dir: string;
  /** The bare remote's path, when `withRemote` was set. */
  remote: string | null;
  /** The commit the workspace starts at. */
  baseSha: string;
}

/**
 * Copies the model stub's sample project into a fresh temp dir, commits it (branch `main`), and with `withRemote`
 * adds a bare repository as `origin` with `main` pushed. The shipped scenarios edit and test this project.
 */
export async function createSampleWorkspace(options: { withRemote?: boolean } = {}): Promise<SampleWorkspace> {
  const root = tempDir('agentpr-sample-');
  const dir = join(root, 'work');
  cpSync(sampleProjectDir(), dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'chore: sample project']);
  const baseSha = await git(dir, ['rev-parse', 'HEAD']);
  let remote: string | null = null;
  if (options.withRemote) {
    remote = join(root, 'origin.git');
    await git(root, ['init', '-q', '--bare', '-b', 'main', remote]);
    await git(dir, ['remote', 'add', 'origin', remote]);
    await git(dir, ['push', '-q', 'origin', 'main']);
  }
  return { dir, remote, baseSha };
}
