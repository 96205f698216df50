import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Db, DialectName } from '@agentpr/store';
import { makeDirectory } from '@agentpr/workspace/directories';
import type { AppPorts } from './ports.js';
import type { SecretRedactor } from './secrets/secret-redactor.js';

export { createSecretRedactor, KNOWN_SECRET_ENV_NAMES, MIN_SECRET_LENGTH, REDACTED } from './secrets/secret-redactor.js';
export type { ExtraSecrets, SecretRedactor } from './secrets/secret-redactor.js';
export { redactorFor } from './secrets/redactor-for.js';
export { redactingStream } from './secrets/redacting-stream.js';

/** Where agentpr keeps and finds files. Every path is absolute. */
export interface AgentprPaths {
  /** `--data-dir` / `AGENTPR_HOME`: database, reports, task packets, contracts, audit logs. */
  dataDir: string;
  /** `<data>/reports`. */
  reportsDir: string;
  /** `--workspace-root` / `AGENTPR_BASE_DIR`, else `<data>/workspaces`. */
  workspaceRoot: string;
  /** `--campaign-dir` (alias `--integration-root`): prompt, workflow and PR description templates. */
  campaignDir: string;
  /** The shipped stage skills (`skills/`). */
  skillsDir: string;
  /** `--policy-file`, default `<data>/manager_policy.json`. */
  policyFile: string;
  /** The runtime env override file, default `<data>/runtime_env_overrides.json`. */
  runtimeEnvFile: string;
}

/** A minimal structured logger; apps decide where lines go. Never pass secrets. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * What every use case receives: the store, the ports to every external collaborator ({@link AppPorts}: git,
 * GitHub, the agent engine, the artifact writer, the monotonic clock) and the environment it runs in. Apps build
 * it once per process with `createAppPorts`; nothing below an app reads `process.env` or the wall clock directly,
 * and no use case builds an adapter.
 */
export interface AppContext extends AppPorts {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  paths: AgentprPaths;
  /** The process environment as the app saw it (for resolving tokens and binaries). */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /**
   * Replaces agentpr's own secrets (tokens, webhook secrets, database passwords, model keys) in anything stored or
   * printed. Apps build it once with `createSecretRedactor(env, secretFlags)`; use cases call `redactorFor(ctx)`,
   * which falls back to one built from `env` when an app (or a test) did not set it.
   */
  redactor?: SecretRedactor;
  /** Who is acting: `operator` for the CLI, `bot`, `manager`, `webhook`, `sync`. */
  actor: 'operator' | 'bot' | 'manager' | 'webhook' | 'sync' | 'worker';
  /**
   * The run-lease holder id of the caller, when it already holds run leases (the manager loop). Use cases that
   * take a run lease reuse it instead of colliding with their caller.
   */
  leaseHolder?: string;
}

/**
 * The conventional layout under a data directory (`<data>/reports`, `<data>/workspaces`, …); `overrides` replace
 * single entries, e.g. a `--workspace-root` or the shipped skills folder. Campaign and skills default to the
 * data directory itself so a bare call still yields absolute, existing-parent paths.
 */
export function dataDirPaths(dataDir: string, overrides: Partial<AgentprPaths> = {}): AgentprPaths {
  return {
    dataDir,
    reportsDir: join(dataDir, 'reports'),
    workspaceRoot: join(dataDir, 'workspaces'),
    campaignDir: dataDir,
    skillsDir: dataDir,
    policyFile: join(dataDir, 'manager_policy.json'),
    runtimeEnvFile: join(dataDir, 'runtime_env_overrides.json'),
    ...overrides,
  };
}

/** The data-dir subfolders agentpr writes private files into; {@link prepareDataDir} makes them 0700 up front. */
export const PRIVATE_DATA_SUBDIRS: readonly string[] = Object.freeze(['reports', 'task_packets', 'contracts']);

/**
 * Creates the data directory and its {@link PRIVATE_DATA_SUBDIRS} (and `paths.reportsDir`) with mode 0700 whatever
 * the umask, so the database, reports, task packets and PR requests are never readable by other users even
 * where a later `mkdir -p` or a file write uses the umask. Levels that already exist keep their mode (see
 * {@link dataDirExposure}). Throws the `mkdir` error (with `code`) when a level cannot be made.
 */
export function prepareDataDir(paths: Pick<AgentprPaths, 'dataDir' | 'reportsDir'>): void {
  makeDirectory(paths.dataDir, { mode: 0o700 });
  for (const dir of [paths.reportsDir, ...PRIVATE_DATA_SUBDIRS.map((name) => join(paths.dataDir, name))]) {
    makeDirectory(dir, { mode: 0o700 });
  }
}

/**
 * A one-line warning when an existing data directory is open to other users (group or other permission bits),
 * e.g. one created by an older agentpr under umask 022; undefined when it is private or missing.
 */
export function dataDirExposure(dataDir: string): string | undefined {
  const found = statSync(dataDir, { throwIfNoEntry: false });
  if (!found || (found.mode & 0o077) === 0) return undefined;
  const mode = (found.mode & 0o777).toString(8).padStart(3, '0');
  return `data directory ${dataDir} has mode ${mode}; other users may read the database and reports. Run: chmod 700 ${dataDir}`;
}
