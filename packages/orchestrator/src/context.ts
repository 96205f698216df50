import { join } from 'node:path';
import type { Clock, Db, DialectName } from '@agentpr/store';

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
 * What every use case receives: the store and the environment it runs in. Apps build it once per process;
 * nothing below an app reads `process.env` or the wall clock directly.
 */
export interface AppContext {
  db: Db;
  dialect: DialectName;
  clock: Clock;
  paths: AgentprPaths;
  /** The process environment as the app saw it (for resolving tokens and binaries). */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
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
