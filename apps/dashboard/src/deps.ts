import type { AppContext } from '@agentpr/orchestrator';
import type { Db, DialectName } from '@agentpr/store';

/**
 * What every dashboard route reads: a read-only store, the wall clock, the data dir's paths (report files the
 * run page reads) and the secret redactor. The service builds it from its `AppContext`; tests build it over a
 * seeded store. Nothing here can write: `db` is a read-only connection (see `openReadOnlyStore`).
 */
export interface DashboardDeps {
  db: Db;
  dialect: DialectName;
  clock: () => Date;
  paths: AppContext['paths'];
  /** Removes every secret agentpr knows of from text before it is rendered. */
  redact: (text: string) => string;
  /**
   * The read-only `AppContext` the use cases and reports take (`buildInbox`, `inspectRun`, `runBottlenecks`, …).
   * Its `db` is the same read-only connection.
   */
  app: AppContext;
}

/** How the server is reached and guarded. */
export interface DashboardServerOptions {
  host: string;
  port: number;
  /**
   * `AGENTPR_DASHBOARD_TOKEN`: when set, every route but `/login`, `/healthz` and `/assets/*` needs it (as
   * `Authorization: Bearer …` or the session cookie the login form sets). Required for a non-loopback bind.
   */
  token: string | undefined;
  /**
   * `--trusted-proxy`: socket peers (nginx on loopback) whose `X-Real-IP` names the client the sign-in limiter counts
   * by and whose `X-Forwarded-Proto: https` makes the session cookie `Secure`. Default none: every peer is the client.
   */
  trustedProxies?: readonly string[] | undefined;
  /** How often the live endpoint looks for changed runs (default 1000 ms). */
  livePollMs: number;
  /** The most live streams open at once (default 32); more get 503. */
  maxLiveStreams?: number | undefined;
  /** How often an open live stream gets a heartbeat comment (default 15 s). */
  heartbeatMs?: number | undefined;
}
