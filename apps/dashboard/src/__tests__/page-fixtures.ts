import { join } from 'node:path';
import { openStore } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';
import { openDashboardForTest, seedDashboardStore, type TestDashboard } from './seed.js';

/** A page test's two dashboards: one over the shared seed (its file at `seedPath`), one over an empty, migrated
 * store (at `emptyPath`). */
export interface SeededAndEmpty {
  seedPath: string;
  emptyPath: string;
  dash: TestDashboard;
  empty: TestDashboard;
}

/** Seeds a store in a temp dir named after `name`, migrates an empty one beside it, and opens a dashboard over each. */
export async function openSeededAndEmpty(name: string): Promise<SeededAndEmpty> {
  const seed = await seedDashboardStore(tempDir(`dash-${name}-`));
  await seed.close();
  const emptyDb = join(tempDir(`dash-${name}-empty-`), 'agentpr.db');
  await (await openStore({ kind: 'sqlite', path: emptyDb })).close();
  return { seedPath: seed.dbPath, emptyPath: emptyDb, dash: await openDashboardForTest(seed.dbPath), empty: await openDashboardForTest(emptyDb) };
}

/** GET `path` from a test dashboard: its status and HTML. */
export async function getPage(d: TestDashboard, path: string): Promise<{ status: number; html: string }> {
  const res = await d.app.request(path);
  return { status: res.status, html: await res.text() };
}
