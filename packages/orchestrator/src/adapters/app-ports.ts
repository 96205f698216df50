import { performance } from 'node:perf_hooks';
import type { Clock } from '@agentpr/store';
import { createGitRunner } from '@agentpr/workspace';
import { createAgentRunner } from '../agent/agent-runner.js';
import type { Logger } from '../context.js';
import { githubClientFor } from './github-access.js';
import type { AppPorts, GitHubPort } from '../ports.js';
import type { SecretRedactor } from '../secrets/secret-redactor.js';
import { createSecretRedactor } from '../secrets/secret-redactor.js';
import { fileArtifactWriter } from './artifact-writer.js';

/** Options of {@link createAppPorts}. */
export interface AppPortsOptions {
  /** The wall clock the artifact names are stamped with; default `new Date()`. */
  clock?: Clock;
  redactor?: SecretRedactor;
  /** `--github-api-url`; default `GITHUB_API_URL`, else api.github.com. */
  githubApiUrl?: string | undefined;
  log?: Pick<Logger, 'warn'>;
  /** Replace single ports (tests: a fake GitHub client, a scripted agent). */
  overrides?: Partial<AppPorts>;
}

/**
 * The real {@link GitHubPort}: Octokit with the token from `GITHUB_TOKEN`/`GH_TOKEN` or `gh auth token`, resolved on
 * the first call and kept. The API URL is checked before any token is looked up.
 */
export function createGitHubPort(env: Readonly<Record<string, string | undefined>>, options: { apiUrl?: string | undefined; log?: Pick<Logger, 'warn'> } = {}): GitHubPort {
  let client: ReturnType<GitHubPort['client']> | undefined;
  const warn = options.log ? (m: string) => options.log!.warn(m) : () => {};
  return { client: () => (client ??= githubClientFor({ env, log: { info() {}, warn, error() {} } }, { apiUrl: options.apiUrl })) };
}

/**
 * The composition root: the real adapters behind every port, built from the app's environment. Only apps and test
 * harnesses call this; use cases receive the ports in their context.
 */
export function createAppPorts(env: Readonly<Record<string, string | undefined>>, options: AppPortsOptions = {}): AppPorts {
  const clock = options.clock ?? (() => new Date());
  const redactor = options.redactor ?? createSecretRedactor(env);
  const pushToken = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim() || undefined;
  const log = options.log ?? { warn() {} };
  return {
    git: createGitRunner({ env, pushToken }),
    github: createGitHubPort(env, { apiUrl: options.githubApiUrl, log }),
    agent: createAgentRunner(),
    artifacts: fileArtifactWriter({ clock, redact: redactor.redact }),
    monotonic: () => performance.now(),
    ...options.overrides,
  };
}
