import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { announceSkip, fetchRaw, freePort, run, waitFor, which } from './helpers.js';
import { DASHBOARD_TOKEN, dashboardCommand, seededStore, startDashboard, unitReadOnlyPaths } from './real-dashboard.js';

// The dashboard unit gives the service no writable path: ReadOnlyPaths= makes the data directory a read-only bind
// mount. These checks build that view with `unshare -m` and `mount --bind -o ro` (what systemd does for
// ReadOnlyPaths=) and run the real dashboard binary in it, with the unit's own arguments.

afterAll(() => cleanupTempDirs());

const unshare = which('unshare');
const mount = which('mount');

/** Whether this process may make a mount namespace with a read-only bind mount (root, or CAP_SYS_ADMIN). */
function canMountReadOnly(): string | undefined {
  if (!unshare || !mount) return 'unshare or mount is not installed (Debian: util-linux, mount)';
  const dir = tempDir('agentpr-ro-probe-');
  const r = run(unshare, ['-m', 'sh', '-c', 'mount --bind -o ro "$1" "$1" && ! touch "$1/x" 2>/dev/null', 'sh', dir]);
  return r.code === 0 ? undefined : `cannot make a read-only bind mount in a mount namespace here (needs root or CAP_SYS_ADMIN): ${r.stderr.trim()}`;
}

const command = dashboardCommand(0);
const skip = announceSkip(
  'dashboard read-only data directory',
  command === undefined ? 'the agentpr-dashboard binary is not built (nx builds apps/cli before these tests)' : canMountReadOnly(),
);

/** `unshare -m` with the unit's ReadOnlyPaths= mounted read-only, then the command. */
function readOnlyView(dataDir: string): string[] {
  const paths = unitReadOnlyPaths(dataDir);
  const script = `${paths.map((_, i) => `mount --bind -o ro "$${i + 1}" "$${i + 1}"`).join(' && ')} && shift ${paths.length} && exec "$@"`;
  return [unshare!, '-m', 'sh', '-c', script, 'sh', ...paths];
}

const auth = { headers: { Authorization: `Bearer ${DASHBOARD_TOKEN}` } };

describe.skipIf(skip)('dashboard: the unit’s read-only data directory', () => {
  it('the unit makes the data directory read-only and nothing writable', () => {
    const dataDir = tempDir('agentpr-ro-');
    expect(unitReadOnlyPaths(dataDir)).toEqual([dataDir]);
    const r = run(readOnlyView(dataDir)[0]!, [...readOnlyView(dataDir).slice(1), 'sh', '-c', 'touch "$0/x"', dataDir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('with a writer holding the store open, it serves from the read-only directory, sees the writer’s changes and writes nothing', async () => {
    const store = await seededStore();
    mkdirSync(join(store.dataDir, 'reports'), { recursive: true });
    const before = readdirSync(store.dataDir).sort();
    expect(before).toEqual(expect.arrayContaining(['agentpr.db', 'agentpr.db-shm', 'agentpr.db-wal']));
    const port = await freePort();
    const dashboard = await startDashboard(dashboardCommand(port)!, store.dataDir, port, readOnlyView(store.dataDir));
    try {
      const page = await fetchRaw(`${dashboard.url}/runs/${store.runId}`, auth);
      expect(page.status, page.body.slice(0, 500)).toBe(200);
      expect(page.body).toContain('QUEUED');
      await store.moveRun();
      await waitFor('the run page to show the writer’s DISCOVERY', async () => (await fetchRaw(`${dashboard.url}/runs/${store.runId}`, auth)).body.includes('DISCOVERY'));
    } finally {
      await dashboard.stop();
      await store.closeWriter();
    }
    // The writer, the last to close, removed its -wal and -shm; the dashboard left nothing behind.
    expect(readdirSync(store.dataDir).sort()).toEqual(before.filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm')));
  });

  it('alone on a closed store it cannot open it from the read-only directory and exits (the unit restarts it); with the directory writable it starts', async () => {
    const store = await seededStore();
    await store.closeWriter();
    expect(readdirSync(store.dataDir).filter((f) => f.startsWith('agentpr.db'))).toEqual(['agentpr.db']);
    const port = await freePort();
    const refused = startDashboard(dashboardCommand(port)!, store.dataDir, port, readOnlyView(store.dataDir));
    await expect(refused).rejects.toThrow(/gave up waiting .*it exited [1-9]/s);
    await expect(refused).rejects.toThrow(/agentpr: .*agentpr\.db/);
    // The control: the same binary, arguments and store, without the read-only mount.
    const dashboard = await startDashboard(dashboardCommand(port)!, store.dataDir, port);
    try {
      expect((await fetchRaw(`${dashboard.url}/runs/${store.runId}`, auth)).status).toBe(200);
    } finally {
      await dashboard.stop();
    }
  });
});
