import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveOfflineMode } from '@agentpr/policy';
import { CheckList } from '@agentpr/workspace';
import { dataDirExposure, type AppContext } from '../context.js';
import { openReadOnlyAppStore } from '../open-app-store.js';

/** Where a read-only service's store is: the `--database-url` / `--db` it was given (each undefined when not). */
export interface DoctorStoreLocation {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
}

/** The checks a reader never needs, each skipped with this reason. */
const NOT_NEEDED = ['workspace.write', 'cmd.git', 'gh.auth', 'net.*'] as const;

/**
 * The doctor of a read-only service (the dashboard): only `store.read`, the store opened the way the service opens
 * it (read-only: a missing SQLite file, an unreachable PostgreSQL, pending migrations or a newer schema fail it) and
 * closed again. Nothing is created or written, so it passes on a read-only data directory; the workspace, git,
 * GitHub and the network are not checked. The store is `location`, else `AGENTPR_DATABASE_URL`, else
 * `<data dir>/agentpr.db`, as the service resolves it.
 *
 * @example
 * const report = await readOnlyDoctorReport({ paths, env }, { sqlitePath: '/var/lib/agentpr/agentpr.db' }, 'read_only');
 */
export async function readOnlyDoctorReport(ctx: Pick<AppContext, 'paths' | 'env'>, location: DoctorStoreLocation | undefined, profile: string) {
  const started = performance.now();
  const databaseUrl = (location?.databaseUrl ?? ctx.env.AGENTPR_DATABASE_URL)?.trim() || undefined;
  const sqlitePath = location?.sqlitePath?.trim() || join(ctx.paths.dataDir, 'agentpr.db');
  const list = new CheckList();
  await list.run('store.read', async () => {
    const store = await openReadOnlyAppStore({ databaseUrl, sqlitePath });
    await store.close();
    return { ok: true, detail: `${store.label} (${store.dialect}, read-only, schema current)` };
  });
  const exposure = dataDirExposure(ctx.paths.dataDir);
  const report = list.report(started, performance.now(), { read_only: true, database: databaseUrl ? 'postgres' : sqlitePath }, exposure ? [exposure] : []);
  return {
    ...report,
    skipped: NOT_NEEDED.map((name) => `${name}: not needed by profile ${profile}`),
    offline_mode: resolveOfflineMode({ env: ctx.env }),
  };
}
