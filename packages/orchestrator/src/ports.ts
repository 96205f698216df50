import type { GitHubClient } from '@agentpr/github';
import type { Git } from '@agentpr/workspace';
import type { AgentRunner } from './agent/agent-runner.js';

export type { AgentRunner } from './agent/agent-runner.js';
export type { Git } from '@agentpr/workspace';

/**
 * GitHub, resolved lazily: a command that never calls GitHub never needs a token. The app builds it once with the
 * API URL it was given (`--github-api-url`, `GITHUB_API_URL`); the use cases only ask for the client.
 */
export interface GitHubPort {
  /**
   * The client, or `undefined` when no token is configured. Rejects with an `AgentprError` when the API URL is
   * unsafe for a token (plain http to a non-loopback host).
   */
  client(): Promise<GitHubClient | undefined>;
}

/** Options of {@link ArtifactWriter.writeNew}. */
export interface WriteArtifactOptions {
  /** Skip the secret redaction (bytes the caller already redacted, or content that is not text). Default false. */
  raw?: boolean;
}

/**
 * Writes agentpr's own private files: reports, task packets, contracts, PR requests. Files are created 0600 under
 * 0700 directories, never overwrite each other, and pass through the secret redactor.
 */
export interface ArtifactWriter {
  /**
   * Creates `<dir>/<prefix><stamp><suffix>` (stamp from the wall clock, `-2`, `-3`, … on a collision) and returns
   * its absolute path. `dir` is created 0700 when missing.
   */
  writeNew(dir: string, prefix: string, suffix: string, content: string, options?: WriteArtifactOptions): string;
}

/**
 * Every external collaborator of the use cases, as the smallest interface they call. Apps build the real ones
 * with `createAppPorts` (the composition root); tests pass fakes. Use cases never build adapters themselves.
 */
export interface AppPorts {
  /** The one hardened git runner (no hooks, no credential helpers, allowlisted environment). */
  git: Git;
  github: GitHubPort;
  /** The coding-agent engine: resolves, probes and runs the agent process under its confinement. */
  agent: AgentRunner;
  artifacts: ArtifactWriter;
  /** Milliseconds from an arbitrary origin that never goes back (durations, timeouts). */
  monotonic: () => number;
}
